// Every core enum table, checked against the Kubernetes spellings and round-tripped both
// through the table and through JSON.

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "kube/api/core/config.hpp"
#include "kube/api/core/event.hpp"
#include "kube/api/core/lease.hpp"
#include "kube/api/core/namespace.hpp"
#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/api/core/pvc.hpp"
#include "kube/api/core/status.hpp"

using namespace podvisor::kube::api;

namespace {

template <class E>
void check_table(std::vector<std::string_view> kubernetes_spellings) {
  const auto& entries = enum_table<E>::entries;
  REQUIRE(entries.size() == kubernetes_spellings.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    INFO("entry " << i << ": " << kubernetes_spellings[i]);
    CHECK(entries[i].name == kubernetes_spellings[i]);
    CHECK(to_string(entries[i].value) == entries[i].name);
    CHECK(parse_enum<E>(entries[i].name) == entries[i].value);
    for (std::size_t j = 0; j < i; ++j)
      CHECK(entries[j].value != entries[i].value);
    // Through JSON, as an API field carries it.
    enum_field<E> field = entries[i].value;
    auto wire = detail::encode_value(field);
    CHECK(wire == std::string(entries[i].name));
    auto back = decode<enum_field<E>>(wire);
    REQUIRE(back.ok());
    CHECK(back.value == entries[i].value);
    CHECK(back.value.known());
  }
  // Spellings are case-sensitive, as in Kubernetes.
  if (!entries[0].name.empty()) {
    std::string lowered(entries[0].name);
    for (auto& c : lowered)
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lowered != entries[0].name)
      CHECK_FALSE(parse_enum<E>(lowered).has_value());
  }
}

} // namespace

TEST_CASE("core enum tables match Kubernetes and round-trip", "[kube][api][core][enums]") {
  check_table<condition_status>({"True", "False", "Unknown"});
  check_table<label_selector_operator>({"In", "NotIn", "Exists", "DoesNotExist"});
  check_table<node_selector_operator>({"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"});
  check_table<toleration_operator>({"Exists", "Equal"});
  check_table<taint_effect>({"NoSchedule", "PreferNoSchedule", "NoExecute"});
  check_table<protocol>({"TCP", "UDP", "SCTP"});
  check_table<mount_propagation_mode>({"None", "HostToContainer", "Bidirectional"});
  check_table<pull_policy>({"Always", "Never", "IfNotPresent"});
  check_table<host_path_type>(
    {"", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"});
  check_table<pod_phase>({"Pending", "Running", "Succeeded", "Failed", "Unknown"});
  check_table<pod_qos_class>({"Guaranteed", "Burstable", "BestEffort"});
  check_table<restart_policy>({"Always", "OnFailure", "Never"});
  check_table<dns_policy>({"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"});
  check_table<node_phase>({"Pending", "Running", "Terminated"});
  check_table<node_address_type>({"Hostname", "InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS"});
  check_table<namespace_phase>({"Active", "Terminating"});
  check_table<event_type>({"Normal", "Warning"});
  check_table<persistent_volume_access_mode>({"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"});
  check_table<persistent_volume_mode>({"Block", "Filesystem"});
  check_table<persistent_volume_claim_phase>({"Pending", "Bound", "Lost"});
  check_table<status_outcome>({"Success", "Failure"});
}

TEST_CASE("supported values are listed sorted, as validation prints them", "[kube][api][core][enums]") {
  CHECK(supported_values<restart_policy>() == R"("Always", "Never", "OnFailure")");
  CHECK(supported_values<taint_effect>() == R"("NoExecute", "NoSchedule", "PreferNoSchedule")");
  CHECK(supported_values<host_path_type>()
        == R"("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket")");
}
