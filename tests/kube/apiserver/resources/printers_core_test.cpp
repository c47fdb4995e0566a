#include "kube/apiserver/resources/printers.hpp"

#include <catch2/catch_test_macros.hpp>

#include "fixtures.hpp"

using namespace podvisor::kube::apiserver;
using testing::at;

namespace {

const print_context ctx{at("2024-05-01T12:05:00Z")};

std::vector<std::string> names(const table_printer& p) {
  std::vector<std::string> out;
  for (const auto& c : p.columns)
    out.push_back(c.name + (c.priority > 0 ? "*" : ""));
  return out;
}

std::vector<json> cells(const table_printer& p, const json& obj) {
  auto c = p.cells(obj, ctx);
  REQUIRE(c.size() == p.columns.size());
  return c;
}

} // namespace

TEST_CASE("node rows", "[kube][apiserver][resources][printers]") {
  auto p = node_printer();
  CHECK(names(p) == std::vector<std::string>{"Name", "Status", "Roles", "Age", "Version", "Internal-IP*",
                                             "External-IP*", "OS-Image*", "Kernel-Version*", "Container-Runtime*"});
  auto node = json::parse(R"({"metadata":{"name":"node01","creationTimestamp":"2024-04-01T12:05:00Z",
    "labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/worker":"","kubernetes.io/role":"edge"}},
    "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
      "addresses":[{"type":"Hostname","address":"node01"},{"type":"InternalIP","address":"192.168.1.10"}],
      "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian GNU/Linux 12","kernelVersion":"6.1.0"}}})");
  CHECK(cells(p, node) == std::vector<json>{"node01", "Ready", "control-plane,edge,worker", "30d", "v1.32.0",
                                            "192.168.1.10", "<none>", "Debian GNU/Linux 12", "6.1.0", "<unknown>"});
  node["status"]["conditions"][1]["status"] = "Unknown";
  node["spec"]["unschedulable"] = true;
  CHECK(cells(p, node)[1] == "NotReady,SchedulingDisabled");
  node["status"].erase("conditions");
  node["metadata"].erase("labels");
  CHECK(cells(p, node)[1] == "Unknown,SchedulingDisabled");
  CHECK(cells(p, node)[2] == "<none>");
}

TEST_CASE("namespace, configmap, secret, lease and CRD rows", "[kube][apiserver][resources][printers]") {
  auto meta = R"({"name":"x","creationTimestamp":"2024-05-01T10:00:00Z"})";
  json ns = {{"metadata", json::parse(meta)}, {"status", {{"phase", "Active"}}}};
  CHECK(cells(namespace_printer(), ns) == std::vector<json>{"x", "Active", "125m"});
  json cm = {{"metadata", json::parse(meta)}, {"data", {{"a", "1"}, {"b", "2"}}}, {"binaryData", {{"c", "AA=="}}}};
  CHECK(cells(config_map_printer(), cm) == std::vector<json>{"x", 3, "125m"});
  json secret = {{"metadata", json::parse(meta)}, {"type", "Opaque"}, {"data", {{"a", "MQ=="}}}};
  CHECK(cells(secret_printer(), secret) == std::vector<json>{"x", "Opaque", 1, "125m"});
  json lease = {{"metadata", json::parse(meta)}, {"spec", {{"holderIdentity", "node01"}}}};
  CHECK(cells(lease_printer(), lease) == std::vector<json>{"x", "node01", "125m"});
  lease["spec"].erase("holderIdentity");
  CHECK(cells(lease_printer(), lease)[1] == "");
  json crd = {{"metadata", json::parse(meta)}};
  CHECK(names(crd_printer()) == std::vector<std::string>{"Name", "Created At"});
  CHECK(cells(crd_printer(), crd) == std::vector<json>{"x", "2024-05-01T10:00:00Z"});
  CHECK(cells(default_printer(), crd) == std::vector<json>{"x", "125m"});
}

TEST_CASE("event rows", "[kube][apiserver][resources][printers]") {
  auto p = event_printer();
  CHECK(names(p) == std::vector<std::string>{"Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*",
                                             "Message", "First Seen*", "Count*", "Name*"});
  auto ev = json::parse(R"({"metadata":{"name":"vmi.17a"},"type":"Normal","reason":"Started",
    "involvedObject":{"kind":"VirtualMachineInstance","name":"testvmi"},"source":{"component":"virt-handler","host":"node01"},
    "message":" VMI started \n","firstTimestamp":"2024-05-01T12:00:00Z","lastTimestamp":"2024-05-01T12:04:00Z","count":3})");
  CHECK(cells(p, ev) == std::vector<json>{"60s", "Normal", "Started", "virtualmachineinstance/testvmi", "",
                                          "virt-handler, node01", "VMI started", "5m", 3, "vmi.17a"});
  ev.erase("lastTimestamp");
  ev.erase("count");
  ev.erase("source");
  ev["reportingController"] = "podvisor.io/controller";
  auto c = cells(p, ev);
  CHECK(c[0] == "5m");
  CHECK(c[5] == "podvisor.io/controller");
  CHECK(c[8] == 1);
  ev.erase("firstTimestamp");
  ev["eventTime"] = "2024-05-01T12:04:59.123456Z";
  CHECK(cells(p, ev)[7] == "0s");
}

TEST_CASE("persistent volume claim rows", "[kube][apiserver][resources][printers]") {
  auto p = pvc_printer();
  CHECK(names(p) == std::vector<std::string>{"Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
                                             "VolumeAttributesClass", "Age", "VolumeMode*"});
  auto pvc = json::parse(R"({"metadata":{"name":"disk","creationTimestamp":"2024-05-01T12:00:00Z"},
    "spec":{"volumeName":"pv-1","storageClassName":"local","volumeMode":"Block"},
    "status":{"phase":"Bound","capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce","ReadWriteOnce"]}})");
  CHECK(cells(p, pvc) == std::vector<json>{"disk", "Bound", "pv-1", "10Gi", "RWO,RWX", "local", "<unset>", "5m", "Block"});
  pvc["spec"].erase("volumeName");
  pvc["metadata"]["deletionTimestamp"] = "2024-05-01T12:04:00Z";
  pvc["metadata"]["annotations"] = {{"volume.beta.kubernetes.io/storage-class", "old"}};
  CHECK(cells(p, pvc) == std::vector<json>{"disk", "Terminating", "", "", "", "old", "<unset>", "5m", "Block"});
}
