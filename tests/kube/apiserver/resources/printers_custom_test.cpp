#include "kube/apiserver/resources/printers.hpp"

#include <catch2/catch_test_macros.hpp>

#include "fixtures.hpp"
#include "kube/apiserver/resources/tables.hpp"

using namespace podvisor::kube::apiserver;
using testing::at;
using testing::builtin;

namespace {

table_options options() {
  table_options o;
  o.now = at("2024-05-01T12:05:00Z");
  return o;
}

json cells_of(const char* plural, const json& obj) {
  auto e = builtin("kubevirt.io", "v1", plural);
  REQUIRE(e);
  return table_row(*e, obj, options())["cells"];
}

json vmi() {
  return json::parse(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"testvmi","namespace":"default","creationTimestamp":"2024-05-01T12:00:00Z"},
    "spec":{"domain":{"devices":{}}},
    "status":{"phase":"Running","nodeName":"node01","interfaces":[{"name":"default","ipAddress":"10.244.0.12"}],
      "conditions":[{"type":"Ready","status":"True"},{"type":"LiveMigratable","status":"False"}]}})");
}

} // namespace

TEST_CASE("VMI rows have KubeVirt's printer columns", "[kube][apiserver][resources][printers]") {
  auto p = vmi_printer();
  std::vector<std::pair<std::string, int>> cols;
  for (const auto& c : p.columns)
    cols.emplace_back(c.name, c.priority);
  CHECK(cols == std::vector<std::pair<std::string, int>>{{"Name", 0},  {"Age", 0},   {"Phase", 0},
                                                         {"IP", 0},    {"NodeName", 0}, {"Ready", 0},
                                                         {"Live-Migratable", 1}, {"Paused", 1}});
  CHECK(p.columns[1].type == "date");
  CHECK(cells_of("virtualmachineinstances", vmi())
        == json::array({"testvmi", "5m", "Running", "10.244.0.12", "node01", "True", "False", nullptr}));

  json pending = vmi();
  pending["status"] = {{"phase", "Pending"}};
  CHECK(cells_of("virtualmachineinstances", pending)
        == json::array({"testvmi", "5m", "Pending", nullptr, nullptr, nullptr, nullptr, nullptr}));
}

TEST_CASE("VM and migration rows", "[kube][apiserver][resources][printers]") {
  auto vm = json::parse(R"({"metadata":{"name":"vm1","creationTimestamp":"2024-05-01T11:00:00Z"},
    "status":{"printableStatus":"Running","conditions":[{"type":"Ready","status":"True"}]}})");
  CHECK(cells_of("virtualmachines", vm) == json::array({"vm1", "65m", "Running", "True"}));
  auto vmim = json::parse(R"({"metadata":{"name":"mig1"},"spec":{"vmiName":"testvmi"},"status":{"phase":"Scheduling"}})");
  CHECK(cells_of("virtualmachineinstancemigrations", vmim) == json::array({"mig1", "Scheduling", "testvmi"}));
  std::vector<std::string> names;
  for (const auto& c : vmim_printer().columns)
    names.push_back(c.name);
  CHECK(names == std::vector<std::string>{"Name", "Phase", "VMI"});
}

TEST_CASE("custom printers type their cells like the CRD table convertor", "[kube][apiserver][resources][printers]") {
  resource_entry e;
  e.printer = custom_printer({{"Replicas", "integer", "", "", 0, ".spec.replicas"},
                              {"Ready", "boolean", "", "", 0, ".status.ready"},
                              {"Since", "date", "", "", 0, ".status.since"},
                              {"Labels", "string", "", "", 1, ".metadata.labels"}});
  auto obj = json::parse(R"({"metadata":{"name":"f","labels":{"a":"b"}},"spec":{"replicas":3},
    "status":{"ready":true,"since":"not a time"}})");
  CHECK(table_row(e, obj, options())["cells"] == json::array({"f", 3, true, "<invalid>", R"({"a":"b"})"}));
  obj["spec"]["replicas"] = "three";
  obj["status"]["since"] = "2024-05-01T12:04:00Z";
  CHECK(table_row(e, obj, options())["cells"] == json::array({"f", nullptr, true, "60s", R"({"a":"b"})"}));

  auto defaults = custom_printer({});
  REQUIRE(defaults.columns.size() == 2);
  CHECK(defaults.columns[1].name == "Age");
  CHECK(defaults.columns[1].json_path == ".metadata.creationTimestamp");
  CHECK(defaults.cells == nullptr);
}
