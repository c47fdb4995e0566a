// The agent's VMI status edit: what it writes, and what it refuses to touch.

#include "actors/agent/vm_status.hpp"

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using namespace podvisor::actors::agent;
using nlohmann::json;

namespace {

json vmi_in(const std::string& phase) {
  json v = {{"metadata", {{"name", "web"}, {"namespace", "default"}}}, {"status", json::object()}};
  if (!phase.empty())
    v["status"]["phase"] = phase;
  return v;
}

vm_report running_with_lease() {
  vm_report r;
  r.phase = "Running";
  r.leases["default"] = {"52:54:00:00:00:01", "10.0.2.2"};
  return r;
}

const json* condition(const json& v, const std::string& type) {
  for (const auto& c : v["status"]["conditions"])
    if (c["type"] == type)
      return &c;
  return nullptr;
}

} // namespace

TEST_CASE("vm_status: Scheduled → Running with the lease's address", "[vm_status]") {
  auto v = vmi_in("Scheduled");
  REQUIRE(apply_vm_report(v, running_with_lease(), {"2024-01-01T00:00:05Z", true}));
  CHECK(v["status"]["phase"] == "Running");
  CHECK(v["status"]["phaseTransitionTimestamps"] ==
        json::array({{{"phase", "Running"}, {"phaseTransitionTimestamp", "2024-01-01T00:00:05Z"}}}));
  CHECK(v["status"]["interfaces"] == json::array({{{"name", "default"},
                                                   {"mac", "52:54:00:00:00:01"},
                                                   {"infoSource", "podvisor-dhcp"},
                                                   {"ipAddress", "10.0.2.2"},
                                                   {"ipAddresses", {"10.0.2.2"}}}}));
  REQUIRE(condition(v, "Ready") != nullptr);
  CHECK((*condition(v, "Ready"))["status"] == "True");
  REQUIRE(condition(v, "LiveMigratable") != nullptr);
  CHECK((*condition(v, "LiveMigratable"))["reason"] == "NotYetSupported");
  REQUIRE(condition(v, "SoftwareEmulation") != nullptr);
  CHECK((*condition(v, "SoftwareEmulation"))["status"] == "True");

  // Written again (a new lease): no second transition.
  auto r = running_with_lease();
  r.leases["default"].ip = "10.0.2.3";
  REQUIRE(apply_vm_report(v, r, {"2024-01-01T00:00:09Z", true}));
  CHECK(v["status"]["phaseTransitionTimestamps"].size() == 1);
  CHECK(v["status"]["interfaces"][0]["ipAddress"] == "10.0.2.3");
}

TEST_CASE("vm_status: no SoftwareEmulation under KVM", "[vm_status]") {
  auto v = vmi_in("Scheduled");
  REQUIRE(apply_vm_report(v, running_with_lease(), {"t", false}));
  CHECK(condition(v, "SoftwareEmulation") == nullptr);
}

TEST_CASE("vm_status: Failed carries the reason", "[vm_status]") {
  auto v = vmi_in("Running");
  vm_report r;
  r.phase = "Failed";
  r.reason = "LauncherLost";
  r.message = "lost the connection";
  REQUIRE(apply_vm_report(v, r, {"t", false}));
  CHECK(v["status"]["phase"] == "Failed");
  CHECK(v["status"]["reason"] == "LauncherLost");
  CHECK((*condition(v, "Ready"))["status"] == "False");
  CHECK((*condition(v, "Ready"))["message"] == "lost the connection");
}

TEST_CASE("vm_status: never backwards, never the controller's phases, never after the end", "[vm_status]") {
  struct row {
    std::string have, want;
    bool written;
  };
  const row rows[] = {
    {"", "Running", false},          {"Pending", "Running", false},  {"Scheduling", "Failed", false},
    {"Scheduled", "Running", true},  {"Scheduled", "Failed", true},  {"Running", "Succeeded", true},
    {"Succeeded", "Running", false}, {"Failed", "Succeeded", false}, {"Failed", "Failed", false},
  };
  for (const auto& r : rows) {
    INFO(r.have << " → " << r.want);
    auto v = vmi_in(r.have);
    auto before = v;
    vm_report rep;
    rep.phase = r.want;
    CHECK(apply_vm_report(v, rep, {"t", false}) == r.written);
    if (!r.written)
      CHECK(v == before);
  }
  auto v = vmi_in("Running");
  vm_report nothing;
  CHECK_FALSE(apply_vm_report(v, nothing, {"t", false}));
}
