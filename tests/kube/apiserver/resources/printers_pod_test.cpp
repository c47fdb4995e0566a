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

json pod(const char* status_json, const char* extra_spec = "{}") {
  json p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default",
    "creationTimestamp":"2024-05-01T12:00:00Z"},"spec":{"containers":[{"name":"c","image":"i"}]}})");
  p["spec"].update(json::parse(extra_spec));
  p["status"] = json::parse(status_json);
  return p;
}

std::vector<json> cells(const table_printer& p, const json& obj) {
  auto c = p.cells(obj, ctx);
  REQUIRE(c.size() == p.columns.size());
  return c;
}

} // namespace

TEST_CASE("pod columns and a running pod", "[kube][apiserver][resources][printers]") {
  auto p = pod_printer();
  CHECK(names(p) == std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*",
                                             "Nominated Node*", "Readiness Gates*"});
  CHECK(p.columns[0].format == "name");
  auto running = pod(R"({"phase":"Running","podIPs":[{"ip":"10.0.0.7"}],"conditions":[{"type":"Ready","status":"True"}],
    "containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{"startedAt":"2024-05-01T12:00:05Z"}}}]})",
                     R"({"nodeName":"node01"})");
  CHECK(cells(p, running) == std::vector<json>{"web", "1/1", "Running", "0", "5m", "10.0.0.7", "node01", "<none>", "<none>"});
  CHECK(cells(p, pod("{}"))
        == std::vector<json>{"web", "0/1", "", "0", "5m", "<none>", "<none>", "<none>", "<none>"});
}

TEST_CASE("pod status follows kubectl's rules", "[kube][apiserver][resources][printers]") {
  auto p = pod_printer();
  auto status_of = [&](const json& obj) { return cells(p, obj)[2].get<std::string>(); };
  CHECK(status_of(pod(R"({"phase":"Pending","containerStatuses":[{"name":"c","state":{"waiting":{"reason":"ContainerCreating"}}}]})"))
        == "ContainerCreating");
  CHECK(status_of(pod(R"({"phase":"Running","containerStatuses":[{"name":"c","restartCount":4,
    "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-05-01T12:03:00Z"}},
    "state":{"waiting":{"reason":"CrashLoopBackOff"}}}]})"))
        == "CrashLoopBackOff");
  CHECK(status_of(pod(R"({"phase":"Succeeded","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})"))
        == "Completed");
  CHECK(status_of(pod(R"({"phase":"Failed","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":137}}}]})"))
        == "ExitCode:137");
  CHECK(status_of(pod(R"({"phase":"Failed","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":0,"signal":9}}}]})"))
        == "Signal:9");
  CHECK(status_of(pod(R"({"phase":"Failed","reason":"Evicted"})")) == "Evicted");
  CHECK(status_of(pod(R"({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]})"))
        == "SchedulingGated");

  auto init = R"({"initContainers":[{"name":"a"},{"name":"b"}]})";
  CHECK(status_of(pod(R"({"phase":"Pending","initContainerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0}}},
    {"name":"b","state":{"running":{}}}]})", init)) == "Init:1/2");
  CHECK(status_of(pod(R"({"phase":"Pending","initContainerStatuses":[{"name":"a","state":{"waiting":{"reason":"ImagePullBackOff"}}}]})", init))
        == "Init:ImagePullBackOff");
  CHECK(status_of(pod(R"({"phase":"Pending","initContainerStatuses":[{"name":"a","state":{"terminated":{"exitCode":2}}}]})", init))
        == "Init:ExitCode:2");
  CHECK(status_of(pod(R"({"phase":"Pending","initContainerStatuses":[{"name":"a","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]})", init))
        == "Init:Error");

  auto deleting = pod(R"({"phase":"Running"})");
  deleting["metadata"]["deletionTimestamp"] = "2024-05-01T12:04:00Z";
  CHECK(status_of(deleting) == "Terminating");
  deleting["status"]["reason"] = "NodeLost";
  CHECK(status_of(deleting) == "Unknown");

  // A sidecar (restartable init container) counts towards Ready; one running container
  // next to a completed one makes the pod Running again when it is Ready.
  auto sidecar = pod(R"({"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
    "initContainerStatuses":[{"name":"s","started":true,"ready":true,"restartCount":1,"state":{"running":{}}}],
    "containerStatuses":[{"name":"c","ready":true,"state":{"running":{}}},{"name":"d","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})",
                     R"({"initContainers":[{"name":"s","restartPolicy":"Always"}],"containers":[{"name":"c"},{"name":"d"}]})");
  auto c = cells(p, sidecar);
  CHECK(c[1] == "2/3");
  CHECK(c[2] == "Running");
  CHECK(c[3] == "1");
}

TEST_CASE("pod restarts show how long ago the last one was", "[kube][apiserver][resources][printers]") {
  auto p = pod_printer();
  auto crashing = pod(R"({"phase":"Running","containerStatuses":[{"name":"c","restartCount":4,
    "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-05-01T12:03:00Z"}},"state":{"running":{}}}]})");
  CHECK(cells(p, crashing)[3] == "4 (2m ago)");
  auto gates = pod(R"({"conditions":[{"type":"a","status":"True"},{"type":"b","status":"False"}]})",
                   R"({"readinessGates":[{"conditionType":"a"},{"conditionType":"b"}]})");
  CHECK(cells(p, gates)[8] == "1/2");
}
