#pragma once
// The scheduler actor under CAF's test coordinator with the in-memory fake API client.
// Its informers are real informer actors whose source mirrors the fake: a list answers
// from the fake's objects, and `settle()` hands each informer the fake's changes since
// the last delivery as one watch batch. So a test decides exactly when the scheduler
// sees its own binds, which is what the burst test needs.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/kube/event_recorder.hpp"
#include "actors/kube/informer.hpp"
#include "actors/kube/status_writer.hpp"
#include "actors/scheduler/scheduler.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

namespace podvisor::test {

/// An informer source that mirrors one resource of the fake.
class fake_mirror {
public:
  fake_mirror(std::shared_ptr<fakes::fake_api_client> client, kube::client::resource_ref resource)
      : client_(std::move(client)), resource_(std::move(resource)) {}

  actors::kube::reflector_source_factory factory();

  /// Sends the informer the fake's changes since the last delivery; false when none.
  bool deliver();

private:
  class source;
  std::shared_ptr<fakes::fake_api_client> client_;
  kube::client::resource_ref resource_;
  protocols::informer_actor informer_;
  std::uint64_t watch_generation_ = 0;
  /// key → object as last delivered.
  std::map<std::string, nlohmann::json> delivered_;
};

/// The scheduler with its informers, recorder and status writer on the fake.
struct scheduler_fixture : deterministic_system {
  std::shared_ptr<fakes::fake_api_client> client = std::make_shared<fakes::fake_api_client>();
  manual_clock clock;
  std::shared_ptr<fake_mirror> node_mirror;
  std::shared_ptr<fake_mirror> pod_mirror;
  protocols::scheduler_actor scheduler;

  explicit scheduler_fixture(actors::scheduler::scheduler_config config = {});

  /// Delivers changes and runs actors until nothing changes any more.
  void settle();
  /// Moves the actor clock (backoff timers) forward, then settles.
  void advance_and_settle(caf::timespan d);

  void add_node(const std::string& name, const std::string& cpu, const std::string& memory, bool ready = true);
  void add_pod(const std::string& name, const std::string& cpu, const std::string& memory,
               nlohmann::json spec_extra = nlohmann::json::object());
  nlohmann::json pod(const std::string& name) const;
  std::string node_of(const std::string& pod_name) const;
  /// FailedScheduling events about the pod.
  std::vector<nlohmann::json> failed_scheduling(const std::string& pod_name) const;
  /// The pod's PodScheduled condition (null when absent).
  nlohmann::json pod_scheduled(const std::string& pod_name) const;
  /// (active, parked, in flight).
  std::tuple<std::uint64_t, std::uint64_t, std::uint64_t> stats();
};

/// A node with allocatable cpu/memory/pods and a Ready condition.
nlohmann::json node_json(const std::string& name, const std::string& cpu, const std::string& memory, bool ready);

/// A pod in namespace "ns" with one container requesting cpu and memory.
nlohmann::json pod_json(const std::string& name, const std::string& cpu, const std::string& memory);

} // namespace podvisor::test
