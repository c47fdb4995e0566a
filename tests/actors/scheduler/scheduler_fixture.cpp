#include "tests/actors/scheduler/scheduler_fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include "actors/scheduler/scheduler_runtime.hpp"

namespace podvisor::test {

namespace resources = kube::client::resources;
using protocols::kube_watch_event;

namespace {

std::string key_of(const nlohmann::json& o) {
  const auto& meta = o["metadata"];
  auto name = meta["name"].get<std::string>();
  return meta.contains("namespace") ? meta["namespace"].get<std::string>() + "/" + name : name;
}

} // namespace

class fake_mirror::source final : public actors::kube::reflector_source {
public:
  explicit source(fake_mirror* mirror) : mirror_(mirror) {}

  void list(std::uint64_t generation) override {
    auto listed = mirror_->client_->list(mirror_->resource_, "", {});
    REQUIRE(listed);
    std::vector<protocols::kube_object> items;
    mirror_->delivered_.clear();
    for (auto& o : listed->items) {
      mirror_->delivered_[key_of(o)] = o;
      items.emplace_back(o);
    }
    caf::anon_send(mirror_->informer_, protocols::informer_list_result{generation, {}, std::move(items),
                                                                       listed->resource_version});
  }
  void watch(std::uint64_t generation, const std::string&) override { mirror_->watch_generation_ = generation; }
  void consumed(std::size_t) override {}

private:
  fake_mirror* mirror_;
};

actors::kube::reflector_source_factory fake_mirror::factory() {
  return [this](const protocols::informer_actor& informer) {
    informer_ = informer;
    return std::make_unique<source>(this);
  };
}

bool fake_mirror::deliver() {
  if (watch_generation_ == 0)
    return false;
  std::map<std::string, nlohmann::json> now;
  for (auto& o : client_->objects(resource_))
    now[key_of(o)] = o;
  std::vector<kube_watch_event> events;
  for (const auto& [key, o] : now) {
    auto it = delivered_.find(key);
    if (it == delivered_.end())
      events.push_back({kube_watch_event::kind::added, protocols::kube_object{o}});
    else if (it->second["metadata"]["resourceVersion"] != o["metadata"]["resourceVersion"])
      events.push_back({kube_watch_event::kind::modified, protocols::kube_object{o}});
  }
  for (const auto& [key, o] : delivered_)
    if (now.count(key) == 0) {
      auto last = o;
      last["metadata"]["resourceVersion"] = std::to_string(client_->resource_version());
      events.push_back({kube_watch_event::kind::deleted, protocols::kube_object{last}});
    }
  delivered_ = std::move(now);
  if (events.empty())
    return false;
  caf::anon_send(informer_, protocols::informer_watch_batch{watch_generation_, std::move(events)});
  return true;
}

scheduler_fixture::scheduler_fixture(actors::scheduler::scheduler_config config) {
  node_mirror = std::make_shared<fake_mirror>(client, resources::nodes());
  pod_mirror = std::make_shared<fake_mirror>(client, resources::pods());
  // The production configurations: the caches keep what they keep in podvisor-scheduler
  // (cache transforms included), so every test here also checks that nothing the
  // scheduler reads is dropped.
  auto nodes = keep(actors::kube::spawn_informer(sys, actors::scheduler::node_informer_config(),
                                                 node_mirror->factory()).actor);
  auto pods = keep(actors::kube::spawn_informer(sys, actors::scheduler::pod_informer_config(),
                                                pod_mirror->factory()).actor);
  auto executor = actors::kube::make_inline_executor();
  actors::kube::event_recorder_config events;
  events.component = config.scheduler_name;
  events.clock = &clock;
  auto recorder = keep(actors::kube::spawn_event_recorder(sys, events, client, executor));
  actors::kube::status_writer_config status;
  status.resource = resources::pods();
  status.backoff_seed = 1;
  auto writer = keep(actors::kube::spawn_status_writer(sys, status, client, executor));
  config.clock = &clock;
  scheduler = keep(actors::scheduler::spawn_scheduler(
    sys, std::move(config), actors::scheduler::scheduler_peers{nodes, pods, recorder, writer, client, executor}));
  run();
}

void scheduler_fixture::settle() {
  for (int round = 0; round < 100; ++round) {
    run();
    bool a = node_mirror->deliver();
    bool b = pod_mirror->deliver();
    if (!a && !b) {
      run();
      return;
    }
  }
  FAIL("the scheduler did not settle in 100 rounds");
}

void scheduler_fixture::advance_and_settle(caf::timespan d) {
  clock.advance(d);
  advance(d);
  settle();
}

void scheduler_fixture::add_node(const std::string& name, const std::string& cpu, const std::string& memory,
                                 bool ready) {
  REQUIRE(client->create(resources::nodes(), "", node_json(name, cpu, memory, ready)));
}

void scheduler_fixture::add_pod(const std::string& name, const std::string& cpu, const std::string& memory,
                                nlohmann::json spec_extra) {
  auto p = pod_json(name, cpu, memory);
  p["spec"].merge_patch(spec_extra);
  REQUIRE(client->create(resources::pods(), "ns", p));
}

nlohmann::json scheduler_fixture::pod(const std::string& name) const {
  auto p = client->get(resources::pods(), "ns", name);
  REQUIRE(p);
  return *p;
}

std::string scheduler_fixture::node_of(const std::string& pod_name) const {
  auto p = pod(pod_name);
  return p["spec"].value("nodeName", "");
}

std::vector<nlohmann::json> scheduler_fixture::failed_scheduling(const std::string& pod_name) const {
  std::vector<nlohmann::json> out;
  for (auto& e : client->objects(resources::events()))
    if (e["involvedObject"]["name"] == pod_name && e["reason"] == "FailedScheduling")
      out.push_back(e);
  return out;
}

nlohmann::json scheduler_fixture::pod_scheduled(const std::string& pod_name) const {
  auto p = pod(pod_name);
  if (p.contains("status") && p["status"].contains("conditions"))
    for (auto& c : p["status"]["conditions"])
      if (c["type"] == "PodScheduled")
        return c;
  return nullptr;
}

std::tuple<std::uint64_t, std::uint64_t, std::uint64_t> scheduler_fixture::stats() {
  std::tuple<std::uint64_t, std::uint64_t, std::uint64_t> out{99, 99, 99};
  caf::scoped_actor self{sys};
  self->send(scheduler, protocols::scheduler_stats_atom_v);
  run();
  bool got = false;
  self->receive([&](std::uint64_t a, std::uint64_t p, std::uint64_t f) { out = {a, p, f}, got = true; },
                [&](caf::error&) {}, caf::after(std::chrono::seconds{0}) >> [] {});
  CHECK(got);
  return out;
}

nlohmann::json node_json(const std::string& name, const std::string& cpu, const std::string& memory, bool ready) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
          {"status",
           {{"allocatable", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}}},
            {"capacity", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}}},
            {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
}

nlohmann::json pod_json(const std::string& name, const std::string& cpu, const std::string& memory) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "ns"}}},
          {"spec",
           {{"containers",
             {{{"name", "c"}, {"image", "x"}, {"resources", {{"requests", {{"cpu", cpu}, {"memory", memory}}}}}}}}}}};
}

} // namespace podvisor::test
