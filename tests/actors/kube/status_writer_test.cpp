// The status writer against the in-memory fake client, its calls run inline (the
// executor seam) and its backoff timers on the test coordinator's clock.

#include "actors/kube/status_writer.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "protocols/error.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using namespace podvisor::protocols;
using actors::kube::merge_status;
using actors::kube::mutate_status;
using fakes::fake_api_client;
using verb = fake_api_client::verb;

namespace {

struct writer_fixture : test::deterministic_system {
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  podvisor::kube::client::resource_ref vmis = podvisor::kube::client::resources::virtual_machine_instances();
  status_writer_actor writer;
  caf::scoped_actor self{sys};

  explicit writer_fixture(std::uint32_t max_attempts = 16) {
    actors::kube::status_writer_config cfg;
    cfg.resource = vmis;
    cfg.max_attempts = max_attempts;
    cfg.backoff = {std::chrono::milliseconds{10}, std::chrono::milliseconds{80}, 2.0, 0.0};
    writer = keep(actors::kube::spawn_status_writer(sys, cfg, client, actors::kube::make_inline_executor()));
    auto vmi = nlohmann::json{{"apiVersion", "kubevirt.io/v1"},
                              {"kind", "VirtualMachineInstance"},
                              {"metadata", {{"name", "web"}, {"namespace", "ns"}}},
                              {"spec", {{"domain", nlohmann::json::object()}}},
                              {"status", {{"phase", "Pending"}}}};
    REQUIRE(client->create(vmis, "ns", vmi));
  }

  void send(status_change change) { self->send(writer, std::move(change)); }

  /// Every reply that has arrived: objects and errors, in order.
  std::vector<expected<nlohmann::json>> replies() {
    std::vector<expected<nlohmann::json>> out;
    bool more = true;
    while (more)
      self->receive([&](kube_object& o) { out.emplace_back(o.json()); },
                    [&](caf::error& e) { out.emplace_back(from_caf_error(e)); },
                    caf::after(std::chrono::seconds{0}) >> [&] { more = false; });
    return out;
  }

  nlohmann::json stored_status() { return client->get(vmis, "ns", "web")->at("status"); }
};

/// Adds a condition of the given type, keeping the others (a change that depends on the
/// current state, so it must be re-applied after a conflict).
status_change add_condition(const std::string& type) {
  return mutate_status("ns", "web", [type](nlohmann::json& vmi) -> error {
    auto& conditions = vmi["status"]["conditions"];
    if (!conditions.is_array())
      conditions = nlohmann::json::array();
    conditions.push_back({{"type", type}, {"status", "True"}});
    return {};
  });
}

std::vector<std::string> condition_types(const nlohmann::json& status) {
  std::vector<std::string> out;
  for (const auto& c : status.value("conditions", nlohmann::json::array()))
    out.push_back(c.at("type").get<std::string>());
  return out;
}

} // namespace

TEST_CASE("status_writer: applies a merge patch to the status and replies the written object",
          "[actors][kube][status_writer]") {
  writer_fixture f;
  f.send(merge_status("ns", "web", {{"phase", "Running"}, {"nodeName", "n1"}}));
  f.run();
  auto replies = f.replies();
  REQUIRE(replies.size() == 1);
  REQUIRE(replies[0]);
  CHECK(replies[0]->at("status") == nlohmann::json{{"phase", "Running"}, {"nodeName", "n1"}});
  CHECK(f.stored_status() == replies[0]->at("status"));
  CHECK(f.client->calls(verb::update_status) == 1);
}

TEST_CASE("status_writer: a change that changes nothing is not written", "[actors][kube][status_writer]") {
  writer_fixture f;
  f.send(merge_status("ns", "web", {{"phase", "Pending"}}));
  f.run();
  auto replies = f.replies();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0]);
  CHECK(f.client->calls(verb::update_status) == 0);
}

TEST_CASE("status_writer: on a conflict it re-reads, re-applies after a backoff, and both writers' changes stay",
          "[actors][kube][status_writer]") {
  writer_fixture f;
  // Another writer sneaks in right before our first write.
  bool raced = false;
  f.client->on_call(verb::update_status, [&] {
    if (raced)
      return;
    raced = true;
    auto vmi = *f.client->get(f.vmis, "ns", "web");
    vmi["status"]["conditions"] = {{{"type", "Other"}, {"status", "True"}}};
    REQUIRE(f.client->update_status(f.vmis, vmi));
  });
  f.send(add_condition("Ready"));
  f.run();
  CHECK(f.replies().empty()); // waiting for the backoff
  CHECK(f.client->calls(verb::update_status) == 2); // ours (conflict) + the other writer's
  f.advance(std::chrono::milliseconds{10});
  auto replies = f.replies();
  REQUIRE(replies.size() == 1);
  REQUIRE(replies[0]);
  CHECK(f.client->calls(verb::get) == 3); // ours twice (read, re-read) and the other writer's
  CHECK(condition_types(f.stored_status()) == std::vector<std::string>{"Other", "Ready"});
}

TEST_CASE("status_writer: changes arriving during a backoff compose into one write", "[actors][kube][status_writer]") {
  writer_fixture f;
  f.client->fail_next(verb::update_status, {errc::conflict, "stale"});
  f.send(add_condition("A"));
  f.run();
  f.send(add_condition("B"));
  f.send(merge_status("ns", "web", {{"phase", "Running"}}));
  f.run();
  CHECK(f.replies().empty());
  f.advance(std::chrono::milliseconds{10});
  auto replies = f.replies();
  REQUIRE(replies.size() == 3);
  for (const auto& r : replies) {
    REQUIRE(r);
    CHECK(r->at("status") == replies[0]->at("status")); // one write answered all three
  }
  CHECK(condition_types(f.stored_status()) == std::vector<std::string>{"A", "B"});
  CHECK(f.stored_status().at("phase") == "Running");
  CHECK(f.client->calls(verb::update_status) == 2); // the conflict and the composed write
}

TEST_CASE("status_writer: a burst to one object costs at most two writes", "[actors][kube][status_writer]") {
  writer_fixture f;
  for (int i = 0; i < 10; ++i)
    f.send(add_condition("C" + std::to_string(i)));
  f.run();
  auto replies = f.replies();
  REQUIRE(replies.size() == 10);
  CHECK(condition_types(f.stored_status()).size() == 10);
  CHECK(f.client->calls(verb::update_status) == 2);
}

TEST_CASE("status_writer: gives up after the last attempt with the conflict", "[actors][kube][status_writer]") {
  writer_fixture f{3};
  f.client->fail_next(verb::update_status, {errc::conflict, "stale"}, 3);
  f.send(add_condition("X"));
  f.run();
  f.advance(std::chrono::milliseconds{10});
  f.advance(std::chrono::milliseconds{20});
  auto replies = f.replies();
  REQUIRE(replies.size() == 1);
  REQUIRE_FALSE(replies[0]);
  CHECK(replies[0].error().code == errc::conflict);
  CHECK(f.client->calls(verb::update_status) == 3);
}

TEST_CASE("status_writer: transient errors are retried, permanent ones are not", "[actors][kube][status_writer]") {
  writer_fixture f;
  f.client->fail_next(verb::get, {errc::unavailable, "down"});
  f.send(add_condition("X"));
  f.run();
  f.advance(std::chrono::milliseconds{10});
  auto replies = f.replies();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0]);

  f.send(mutate_status("ns", "gone", [](nlohmann::json&) { return error{}; }));
  f.run();
  replies = f.replies();
  REQUIRE(replies.size() == 1);
  REQUIRE_FALSE(replies[0]);
  CHECK(replies[0].error().code == errc::not_found);
}

TEST_CASE("status_writer: a failing change is left out and only its requester hears of it",
          "[actors][kube][status_writer]") {
  writer_fixture f;
  f.client->fail_next(verb::update_status, {errc::conflict, "stale"}); // so that all three share a write
  f.send(add_condition("A"));
  f.run();
  f.send(mutate_status("ns", "web", [](nlohmann::json& vmi) -> error {
    vmi["status"]["phase"] = "Broken"; // must not leak into the write
    return {errc::invalid_argument, "refused"};
  }));
  f.send(add_condition("B"));
  f.run();
  f.advance(std::chrono::milliseconds{10});
  auto replies = f.replies();
  REQUIRE(replies.size() == 3);
  CHECK(replies[0]);
  REQUIRE_FALSE(replies[1]);
  CHECK(replies[1].error().code == errc::invalid_argument);
  CHECK(replies[2]);
  CHECK(f.stored_status().at("phase") == "Pending");
  CHECK(condition_types(f.stored_status()) == std::vector<std::string>{"A", "B"});
}

TEST_CASE("status_writer: refuses a change without a name or function", "[actors][kube][status_writer]") {
  writer_fixture f;
  f.send(status_change{"ns", "", nullptr});
  f.run();
  auto replies = f.replies();
  REQUIRE(replies.size() == 1);
  REQUIRE_FALSE(replies[0]);
  CHECK(replies[0].error().code == errc::invalid_argument);
}
