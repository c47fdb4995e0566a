// Benchmark of the kube bridge (actors/kube) against the embedded API server in this
// process, over HTTPS with the real rest_client:
//   - initial sync of an informer over N stored VMIs (default 10,000): time from spawn
//     until a subscriber has received every object and `synced`, and the cache's memory
//     beyond the objects' parsed size;
//   - events/s one informer absorbs: (a) fed through its source seam with watch events
//     one per message, as the real source sends them, with one subscriber acknowledging;
//     (b) end to end, status updates written over HTTPS by several client threads until
//     the subscriber has seen every one of them;
//   - status-writer throughput under conflict: two status writers (separate clients)
//     hammering the same few VMIs with changes that compose, counting conflicts.
// Not a test: it prints the figures next to their goals and writes them as JSON
// (--out FILE, default informer_bench.json next to the binary).
//
// Memory is measured with mallinfo2 after mallopt(M_ARENA_MAX, 1), so that allocations
// of every thread land in the one arena mallinfo2 reports; the cache's footprint is the
// heap released when the synced informer is stopped and its cache dropped, and the
// parsed size is the heap a plain list of the same objects occupies.
//
//   build/bench/bench_informer [--quick] [--objects N] [--events N] [--updates N] [--out FILE]

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/kube/api_executor.hpp"
#include "actors/kube/informer.hpp"
#include "actors/kube/status_writer.hpp"
#include "actors/system/config.hpp"
#include "kube/apiserver/server/embedded_server.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"
#include "common/temp_dir.hpp"

namespace {

using namespace podvisor;
using namespace podvisor::protocols;
using clock_type = std::chrono::steady_clock;
using podvisor::kube::client::api_client;

constexpr double goal_sync_seconds = 2.0;
constexpr double goal_overhead_bytes = 2048;

const auto vmis = podvisor::kube::client::resources::virtual_machine_instances();
constexpr const char* vmi_collection = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances";

struct settings {
  int objects = 10'000;
  int events = 100'000; ///< through the seam
  int e2e_updates = 5'000;
  int writer_changes = 2'000; ///< per status writer
  int writer_objects = 4;
  bool quick = false;
  std::filesystem::path out;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_informer: %s\n", what.c_str());
  std::exit(1);
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

/// Scratch space for the benchmark's data directories, removed at the end.
using temp_dir = podvisor::scoped_temp_dir;

// --- the objects -----------------------------------------------------------------------

/// A VMI as virt-controller creates it.
nlohmann::json vmi_spec(const std::string& name) {
  return {
    {"apiVersion", "kubevirt.io/v1"},
    {"kind", "VirtualMachineInstance"},
    {"metadata",
     {{"name", name},
      {"namespace", "default"},
      {"labels", {{"kubevirt.io/vm", name}, {"kubevirt.io/nodeName", "node01"}, {"app", "bench"}}},
      {"annotations", {{"kubevirt.io/latest-observed-api-version", "v1"}}}}},
    {"spec",
     {{"domain",
       {{"cpu", {{"cores", 2}, {"sockets", 1}, {"threads", 1}}},
        {"memory", {{"guest", "2Gi"}}},
        {"resources", {{"requests", {{"memory", "2Gi"}, {"cpu", "500m"}}}}},
        {"machine", {{"type", "q35"}}},
        {"devices",
         {{"disks", {{{"name", "containerdisk"}, {"disk", {{"bus", "virtio"}}}},
                     {{"name", "cloudinitdisk"}, {"disk", {{"bus", "virtio"}}}}}},
          {"interfaces", {{{"name", "default"}, {"masquerade", nlohmann::json::object()}}}}}}}},
      {"networks", {{{"name", "default"}, {"pod", nlohmann::json::object()}}}},
      {"volumes",
       {{{"name", "containerdisk"}, {"containerDisk", {{"image", "quay.io/kubevirt/cirros-container-disk-demo"}}}},
        {{"name", "cloudinitdisk"}, {"cloudInitNoCloud", {{"userData", "#cloud-config\npassword: fedora\n"}}}}}}}}};
}

/// A running guest's status as virt-handler reports it; `n` varies it.
nlohmann::json vmi_status(int n) {
  return {{"phase", "Running"},
          {"nodeName", "node01"},
          {"qosClass", "Burstable"},
          {"guestOSInfo", {{"id", "cirros"}, {"version", "0.6.2"}}},
          {"interfaces",
           {{{"name", "default"}, {"ipAddress", "10.244.0." + std::to_string(n % 250)},
             {"mac", "52:54:00:12:34:56"}, {"interfaceName", "eth0"}}}},
          {"conditions",
           {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "2025-01-01T00:00:00Z"}},
            {{"type", "LiveMigratable"}, {"status", "True"}, {"lastTransitionTime", "2025-01-01T00:00:00Z"}}}},
          {"activePods", {{"pod-uid-" + std::to_string(n), "node01"}}},
          {"observedGeneration", n}};
}

/// Stores `count` VMIs with a status through the server's in-process request path (no
/// network: seeding is not what is measured).
void seed(podvisor::kube::apiserver::embedded_server& server, int count) {
  for (int i = 0; i < count; ++i) {
    auto name = "vmi-" + std::to_string(i);
    auto [code, body] = server.request("POST", vmi_collection, vmi_spec(name).dump());
    if (code != 201)
      die("create " + name + ": " + std::to_string(code) + " " + body);
    auto object = nlohmann::json::parse(body);
    object["status"] = vmi_status(i);
    auto [scode, sbody] = server.request("PUT", std::string{vmi_collection} + "/" + name + "/status", object.dump());
    if (scode != 200)
      die("status " + name + ": " + std::to_string(scode) + " " + sbody);
  }
}

// --- a counting subscriber -------------------------------------------------------------

/// Counts what a subscriber received; waits on the counts.
struct counts {
  std::mutex mutex;
  std::condition_variable changed;
  std::uint64_t added = 0, updated = 0, deleted = 0;
  bool synced = false;
  /// An object named "sentinel" was added: the informer handles events in order, so
  /// everything written before the sentinel has been processed.
  bool sentinel = false;
  clock_type::time_point synced_at;
  informer_actor informer;

  bool wait(const std::function<bool()>& pred, std::chrono::seconds timeout = std::chrono::seconds{300}) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, timeout, pred);
  }
};

informer_subscriber_actor::behavior_type counting_subscriber(informer_subscriber_actor::pointer self,
                                                             std::shared_ptr<counts> c) {
  return {
    [self, c](const informer_event& ev) {
      {
        std::lock_guard lock{c->mutex};
        switch (ev.kind) {
          case informer_event_kind::added:
            ++c->added;
            c->sentinel = c->sentinel || ev.object.name() == "sentinel";
            break;
          case informer_event_kind::updated:
            ++c->updated;
            break;
          case informer_event_kind::deleted:
            ++c->deleted;
            break;
          case informer_event_kind::synced:
            c->synced = true;
            c->synced_at = clock_type::now();
            break;
        }
      }
      c->changed.notify_all();
      self->send(c->informer, informer_ack_atom_v, caf::actor_cast<informer_subscriber_actor>(self), ev.seq);
    },
  };
}

/// Counts update_status calls and their conflicts.
class counting_client final : public api_client {
public:
  explicit counting_client(std::shared_ptr<api_client> inner) : inner_(std::move(inner)) {}
  std::atomic<std::uint64_t> writes{0}, conflicts{0}, reads{0};

  expected<nlohmann::json> get(const kube::client::resource_ref& r, std::string_view ns,
                               std::string_view name) override {
    ++reads;
    return inner_->get(r, ns, name);
  }
  expected<kube::client::object_list> list(const kube::client::resource_ref& r, std::string_view ns,
                                           const kube::client::list_options& o) override {
    return inner_->list(r, ns, o);
  }
  expected<nlohmann::json> create(const kube::client::resource_ref& r, std::string_view ns,
                                  const nlohmann::json& o) override {
    return inner_->create(r, ns, o);
  }
  expected<nlohmann::json> update(const kube::client::resource_ref& r, const nlohmann::json& o) override {
    return inner_->update(r, o);
  }
  expected<nlohmann::json> update_status(const kube::client::resource_ref& r, const nlohmann::json& o) override {
    ++writes;
    auto result = inner_->update_status(r, o);
    if (!result && result.error().code == errc::conflict)
      ++conflicts;
    return result;
  }
  expected<nlohmann::json> patch(const kube::client::resource_ref& r, std::string_view ns, std::string_view name,
                                 kube::client::patch_type t, const nlohmann::json& b, std::string_view sub = {},
                                 std::string_view fm = {}) override {
    return inner_->patch(r, ns, name, t, b, sub, fm);
  }
  expected<nlohmann::json> remove(const kube::client::resource_ref& r, std::string_view ns, std::string_view name,
                                  const kube::client::delete_options& o) override {
    return inner_->remove(r, ns, name, o);
  }
  error watch(const kube::client::resource_ref& r, std::string_view ns, const kube::client::watch_options& o,
              const std::function<bool(kube::client::watch_event&)>& f,
              kube::client::watch_handle* h = nullptr) override {
    return inner_->watch(r, ns, o, f, h);
  }

private:
  std::shared_ptr<api_client> inner_;
};

// --- the measurements ------------------------------------------------------------------

struct environment {
  temp_dir dir;
  std::unique_ptr<podvisor::kube::apiserver::embedded_server> server;

  std::shared_ptr<podvisor::kube::client::rest_client> client() {
    auto config = podvisor::kube::client::load_kubeconfig(server->admin_kubeconfig());
    if (!config)
      die("kubeconfig: " + config.error().to_string());
    config->user_agent = "podvisor-informer-bench";
    auto c = podvisor::kube::client::rest_client::create(std::move(*config));
    if (!c)
      die("client: " + c.error().to_string());
    return std::shared_ptr<podvisor::kube::client::rest_client>{std::move(*c)};
  }
};

/// Stops `actor` and waits until it has terminated.
template <class Handle>
void stop_and_wait(caf::actor_system& sys, const Handle& actor) {
  caf::scoped_actor self{sys};
  self->monitor(actor);
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  self->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds{30}) >> [] { die("actor did not stop"); });
}

struct sync_figures {
  double sync_s = 0;
  double cache_synced_s = 0;
  double list_s = 0;
  double parsed_bytes_per_object = 0;
  double cache_bytes_per_object = 0;
  double overhead_bytes_per_object = 0;
};

sync_figures measure_sync(caf::actor_system& sys, environment& env, const settings& cfg) {
  sync_figures f;
  // The parsed size: the same objects as a plain list.
  {
    auto client = env.client();
    auto before = heap_in_use();
    auto start = clock_type::now();
    auto listed = client->list(vmis, "default", {});
    f.list_s = seconds_since(start);
    if (!listed || static_cast<int>(listed->items.size()) != cfg.objects)
      die("list for the parsed size failed");
    f.parsed_bytes_per_object = (static_cast<double>(heap_in_use()) - static_cast<double>(before)) / cfg.objects;
  }

  auto c = std::make_shared<counts>();
  actors::kube::informer_config icfg;
  icfg.resource = vmis;
  icfg.namespace_ = "default";
  icfg.indexes = {{"node", actors::kube::field_index("status.nodeName")}};
  auto start = clock_type::now();
  auto inf = actors::kube::spawn_informer(sys, icfg, env.client());
  c->informer = inf.actor;
  auto sub = sys.spawn(counting_subscriber, c);
  caf::anon_send(inf.actor, informer_subscribe_atom_v, sub, std::uint32_t{0});
  if (!c->wait([&] { return c->synced && c->added == static_cast<std::uint64_t>(cfg.objects); }))
    die("the informer did not sync");
  f.sync_s = std::chrono::duration<double>(c->synced_at - start).count();
  f.cache_synced_s = f.sync_s; // the subscriber's synced follows the cache's at once

  // The cache's footprint: what is released when the informer and its cache go away.
  auto with_cache = heap_in_use();
  stop_and_wait(sys, inf.actor);
  stop_and_wait(sys, sub);
  inf.cache.reset();
  auto without = heap_in_use();
  f.cache_bytes_per_object = (static_cast<double>(with_cache) - static_cast<double>(without)) / cfg.objects;
  f.overhead_bytes_per_object = f.cache_bytes_per_object - f.parsed_bytes_per_object;
  return f;
}

/// A source that does nothing: the benchmark feeds the informer directly.
class idle_source final : public actors::kube::reflector_source {
public:
  void list(std::uint64_t) override {}
  void watch(std::uint64_t, const std::string&) override {}
  void consumed(std::size_t) override {}
};

double measure_seam_events(caf::actor_system& sys, const settings& cfg) {
  constexpr int keys = 1000;
  // Two versions per key, alternating, so that every event is a change.
  std::vector<kube_object> versions[2];
  std::vector<kube_object> initial;
  for (int v = 0; v < 2; ++v)
    for (int i = 0; i < keys; ++i) {
      auto j = vmi_spec("vmi-" + std::to_string(i));
      j["status"] = vmi_status(i + v);
      j["metadata"]["uid"] = "uid-" + std::to_string(i);
      j["metadata"]["resourceVersion"] = std::to_string(1 + v * keys + i);
      versions[v].emplace_back(std::move(j));
    }
  actors::kube::informer_config icfg;
  icfg.resource = vmis;
  auto inf = actors::kube::spawn_informer(
    sys, icfg, [](const informer_actor&) { return std::make_unique<idle_source>(); });
  auto c = std::make_shared<counts>();
  c->informer = inf.actor;
  auto sub = sys.spawn(counting_subscriber, c);
  caf::anon_send(inf.actor, informer_subscribe_atom_v, sub, std::uint32_t{0});
  caf::anon_send(inf.actor, informer_list_result{1, {}, versions[0], std::to_string(keys)});
  if (!c->wait([&] { return c->synced; }))
    die("seam informer did not sync");
  auto start = clock_type::now();
  for (int n = 0; n < cfg.events; ++n) {
    int round = n / keys + 1;
    informer_watch_batch batch{2, {{kube_watch_event::kind::modified, versions[round % 2][n % keys]}}};
    caf::anon_send(inf.actor, std::move(batch));
  }
  auto sentinel = vmi_spec("sentinel");
  sentinel["metadata"]["resourceVersion"] = std::to_string(3 * keys);
  caf::anon_send(inf.actor, informer_watch_batch{2, {{kube_watch_event::kind::added, kube_object{sentinel}}}});
  if (!c->wait([&] { return c->sentinel; }))
    die("seam informer did not process every event");
  auto rate = cfg.events / seconds_since(start);
  stop_and_wait(sys, inf.actor);
  stop_and_wait(sys, sub);
  return rate;
}

struct e2e_figures {
  double events_per_s = 0;
  double writes_per_s = 0;
};

e2e_figures measure_e2e_events(caf::actor_system& sys, environment& env, const settings& cfg) {
  e2e_figures f;
  auto c = std::make_shared<counts>();
  actors::kube::informer_config icfg;
  icfg.resource = vmis;
  icfg.namespace_ = "default";
  auto inf = actors::kube::spawn_informer(sys, icfg, env.client());
  c->informer = inf.actor;
  auto sub = sys.spawn(counting_subscriber, c);
  caf::anon_send(inf.actor, informer_subscribe_atom_v, sub, std::uint32_t{0});
  if (!c->wait([&] { return c->synced; }))
    die("e2e informer did not sync");
  constexpr int threads = 4;
  const int keys = std::min(cfg.objects, 1000);
  std::atomic<int> failures{0};
  auto start = clock_type::now();
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t)
    writers.emplace_back([&, t] {
      auto client = env.client();
      for (int n = t; n < cfg.e2e_updates; n += threads) {
        auto name = "vmi-" + std::to_string(n % keys);
        auto current = client->get(vmis, "default", name);
        if (!current) {
          ++failures;
          continue;
        }
        (*current)["status"] = vmi_status(100000 + n);
        if (!client->update_status(vmis, *current))
          ++failures; // a conflict with another writer thread on the same key
      }
    });
  for (auto& w : writers)
    w.join();
  auto written = cfg.e2e_updates - failures.load();
  f.writes_per_s = written / seconds_since(start);
  if (!env.client()->create(vmis, "default", vmi_spec("sentinel")))
    die("cannot create the sentinel");
  if (!c->wait([&] { return c->sentinel; }))
    die("the informer did not see every status update");
  f.events_per_s = written / seconds_since(start);
  stop_and_wait(sys, inf.actor);
  stop_and_wait(sys, sub);
  return f;
}

struct writer_figures {
  double changes_per_s = 0;
  double writes_per_s = 0;
  std::uint64_t conflicts = 0;
  std::uint64_t writes = 0;
  int failed = 0;
  int changes = 0;
};

/// Two status writers (own clients, own executors) change the same VMIs. Pipelined: each
/// requester fires all its changes at once, so that they coalesce; sequential: two
/// requester threads each wait for one change's answer before sending the next, all on
/// one VMI, so that every write races the other writer's.
writer_figures measure_status_writers(caf::actor_system& sys, environment& env, const settings& cfg, bool pipelined) {
  writer_figures f;
  actors::kube::status_writer_config wcfg;
  wcfg.resource = vmis;
  wcfg.max_attempts = 100;
  wcfg.backoff = {std::chrono::milliseconds{1}, std::chrono::milliseconds{20}, 2.0, 1.0};
  std::vector<std::shared_ptr<counting_client>> clients;
  std::vector<status_writer_actor> writers;
  for (int w = 0; w < 2; ++w) {
    clients.push_back(std::make_shared<counting_client>(env.client()));
    writers.push_back(actors::kube::spawn_status_writer(sys, wcfg, clients.back(),
                                                        actors::kube::make_detached_executor(sys, 2)));
  }
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  auto start = clock_type::now();
  if (pipelined) {
    caf::scoped_actor self{sys};
    f.changes = 2 * cfg.writer_changes;
    for (int n = 0; n < cfg.writer_changes; ++n)
      for (int w = 0; w < 2; ++w) {
        auto name = "vmi-" + std::to_string(n % cfg.writer_objects);
        std::string field = w == 0 ? "writer-a-" : "writer-b-";
        self->send(writers[static_cast<std::size_t>(w)],
                   actors::kube::merge_status("default", name,
                                              {{"guestOSInfo", {{"kernelRelease", field + std::to_string(n)}}},
                                               {"observedGeneration", n}}));
      }
    for (int i = 0; i < f.changes; ++i)
      self->receive([&](const kube_object&) { ++ok; }, [&](const caf::error&) { ++failed; },
                    caf::after(std::chrono::seconds{120}) >> [&] { ++failed; });
  } else {
    const int per_thread = std::max(cfg.writer_changes / 4, 1);
    f.changes = 2 * per_thread;
    std::vector<std::thread> requesters;
    for (int w = 0; w < 2; ++w)
      requesters.emplace_back([&, w] {
        caf::scoped_actor self{sys};
        for (int n = 0; n < per_thread; ++n)
          self
            ->request(writers[static_cast<std::size_t>(w)], std::chrono::seconds{120},
                      actors::kube::merge_status("default", "vmi-0", {{"observedGeneration", 2 * n + w}}))
            .receive([&](const kube_object&) { ++ok; }, [&](const caf::error&) { ++failed; });
      });
    for (auto& r : requesters)
      r.join();
  }
  f.failed = failed.load();
  auto elapsed = seconds_since(start);
  for (const auto& c : clients) {
    f.writes += c->writes.load();
    f.conflicts += c->conflicts.load();
  }
  f.changes_per_s = ok.load() / elapsed;
  f.writes_per_s = static_cast<double>(f.writes - f.conflicts) / elapsed;
  for (auto& w : writers)
    stop_and_wait(sys, w);
  return f;
}

settings parse(int argc, char** argv) {
  settings cfg;
  cfg.out = std::filesystem::path(argv[0]).parent_path() / "informer_bench.json";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc)
        die("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--quick") {
      cfg.quick = true;
      cfg.objects = 500;
      cfg.events = 5'000;
      cfg.e2e_updates = 500;
      cfg.writer_changes = 200;
    } else if (arg == "--objects") {
      cfg.objects = std::stoi(next());
    } else if (arg == "--events") {
      cfg.events = std::stoi(next());
    } else if (arg == "--updates") {
      cfg.writer_changes = std::stoi(next());
    } else if (arg == "--out") {
      cfg.out = next();
    } else {
      die("usage: bench_informer [--quick] [--objects N] [--events N] [--updates N] [--out FILE]");
    }
  }
  return cfg;
}

const char* verdict(bool ok) {
  return ok ? "met" : "MISSED";
}

} // namespace

int main(int argc, char** argv) {
  // One arena: mallinfo2 then accounts for every thread's allocations.
  mallopt(M_ARENA_MAX, 1);
  auto cfg = parse(argc, argv);
  log::set_level(log::level::warn);

  environment env;
  podvisor::kube::apiserver::embedded_server_options options;
  options.data_dir = env.dir.path() / "data";
  options.port = 0;
  options.threads = 80;
  auto started = podvisor::kube::apiserver::embedded_server::start(options);
  if (!started)
    die("server: " + started.error().to_string());
  env.server = std::move(*started);
  std::fprintf(stderr, "  ... storing %d VMIs\n", cfg.objects);
  seed(*env.server, cfg.objects);

  actors::system_config sys_cfg;
  sys_cfg.set_scheduler_threads(2);
  caf::actor_system sys{sys_cfg};

  std::fprintf(stderr, "  ... initial sync\n");
  auto sync = measure_sync(sys, env, cfg);
  std::fprintf(stderr, "  ... events through the seam\n");
  auto seam = measure_seam_events(sys, cfg);
  std::fprintf(stderr, "  ... events end to end\n");
  auto e2e = measure_e2e_events(sys, env, cfg);
  std::fprintf(stderr, "  ... status writers under conflict\n");
  auto writers = measure_status_writers(sys, env, cfg, true);
  auto racing = measure_status_writers(sys, env, cfg, false);

  bool sync_ok = sync.sync_s <= goal_sync_seconds;
  bool memory_ok = sync.overhead_bytes_per_object <= goal_overhead_bytes;
  std::printf("informer benchmark: %d VMIs in the embedded API server, HTTPS, 2 scheduler threads%s\n", cfg.objects,
              cfg.quick ? " (quick)" : "");
  std::printf("initial sync:      %.3f s until the subscriber had every object and synced (goal <= %.1f s: %s);"
              " the list alone %.3f s\n",
              sync.sync_s, goal_sync_seconds, verdict(sync_ok), sync.list_s);
  std::printf("cache memory:      %.0f bytes per object, of which %.0f parsed JSON: overhead %.0f bytes"
              " (goal <= %.0f: %s)\n",
              sync.cache_bytes_per_object, sync.parsed_bytes_per_object, sync.overhead_bytes_per_object,
              goal_overhead_bytes, verdict(memory_ok));
  std::printf("events absorbed:   %.0f events/s through the source seam (%d events, one per message, one"
              " subscriber)\n",
              seam, cfg.events);
  std::printf("                   %.0f events/s end to end (%d status updates over HTTPS by 4 threads, %.0f writes/s)\n",
              e2e.events_per_s, cfg.e2e_updates, e2e.writes_per_s);
  std::printf("status writers:    pipelined: %.0f changes/s answered, %.0f successful writes/s, %llu conflicts in"
              " %llu writes (2 writers x %d changes on %d VMIs, coalesced; %d failed)\n",
              writers.changes_per_s, writers.writes_per_s, static_cast<unsigned long long>(writers.conflicts),
              static_cast<unsigned long long>(writers.writes), cfg.writer_changes, cfg.writer_objects,
              writers.failed);
  std::printf("                   one at a time: %.0f changes/s, %.0f successful writes/s, %llu conflicts in %llu"
              " writes (2 writers x %d changes, each awaited, on one VMI; %d failed)\n",
              racing.changes_per_s, racing.writes_per_s, static_cast<unsigned long long>(racing.conflicts),
              static_cast<unsigned long long>(racing.writes), racing.changes / 2, racing.failed);

  nlohmann::json report = {
    {"benchmark", "informer"},
    {"quick", cfg.quick},
    {"objects", cfg.objects},
    {"initial_sync",
     {{"seconds", sync.sync_s}, {"list_seconds", sync.list_s}, {"goal_seconds", goal_sync_seconds}, {"met", sync_ok}}},
    {"cache_memory",
     {{"bytes_per_object", sync.cache_bytes_per_object},
      {"parsed_bytes_per_object", sync.parsed_bytes_per_object},
      {"overhead_bytes_per_object", sync.overhead_bytes_per_object},
      {"goal_overhead_bytes", goal_overhead_bytes},
      {"met", memory_ok}}},
    {"events",
     {{"seam_events_per_s", seam},
      {"seam_events", cfg.events},
      {"e2e_events_per_s", e2e.events_per_s},
      {"e2e_writes_per_s", e2e.writes_per_s},
      {"e2e_updates", cfg.e2e_updates}}},
    {"status_writers_pipelined",
     {{"changes_per_s", writers.changes_per_s},
      {"successful_writes_per_s", writers.writes_per_s},
      {"writes", writers.writes},
      {"conflicts", writers.conflicts},
      {"failed", writers.failed},
      {"changes", writers.changes},
      {"objects", cfg.writer_objects}}},
    {"status_writers_one_at_a_time",
     {{"changes_per_s", racing.changes_per_s},
      {"successful_writes_per_s", racing.writes_per_s},
      {"writes", racing.writes},
      {"conflicts", racing.conflicts},
      {"failed", racing.failed},
      {"changes", racing.changes},
      {"objects", 1}}},
    {"all_goals_met", sync_ok && memory_ok},
  };
  std::ofstream(cfg.out) << report.dump(2) << "\n";
  std::printf("figures written to %s\n", cfg.out.c_str());
  env.server->stop();
  return 0;
}
