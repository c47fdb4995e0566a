// The sandbox runtime's pure parts, table-driven: pod IP allocation, cgroup limit files
// for v1 and v2, /proc/self/cgroup and oom_kill parsing, the container record codec,
// base64, pod planning (volumes, env, limits, refusals) and the volume mount steps.
#include <catch2/catch_test_macros.hpp>

#include <nlohmann/json.hpp>

#include "kube/podlet/cgroup.hpp"
#include "kube/podlet/container_record.hpp"
#include "kube/podlet/pod_plan.hpp"
#include "kube/podlet/volumes.hpp"

using namespace podvisor;
using namespace podvisor::kube::podlet;
using nlohmann::json;

/// Failures show a step as its mount(8) command line.
template <>
struct Catch::StringMaker<mount_step> {
  static std::string convert(const mount_step& s) { return s.describe(); }
};

namespace {
std::vector<std::string> describe_all(const std::vector<mount_step>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps)
    out.push_back(s.describe());
  return out;
}
} // namespace

TEST_CASE("allocate_ip takes the first free address after the gateway") {
  struct row {
    std::string cidr;
    std::vector<std::string> used;
    std::string want; // "" : an error
  };
  const std::vector<row> rows{
      {"10.99.1.0/24", {}, "10.99.1.2"},
      {"10.99.1.0/24", {"10.99.1.1", "10.99.1.2", "10.99.1.4"}, "10.99.1.3"},
      {"10.99.1.7/24", {"bogus"}, "10.99.1.2"},
      {"10.99.1.0/30", {"10.99.1.2"}, ""}, // .3 is the broadcast
      {"10.99.1.0/33", {}, ""},
      {"nonsense", {}, ""},
  };
  for (const auto& r : rows) {
    INFO(r.cidr);
    auto got = allocate_ip(r.cidr, r.used);
    if (r.want.empty())
      CHECK_FALSE(got.has_value());
    else
      CHECK(got.value() == r.want);
  }
}

TEST_CASE("cgroup limits render to the files of each version") {
  using files = std::vector<std::pair<std::string, std::string>>;
  CHECK(render_cgroup_limits(cgroup_version::v1, {64 << 20, 500}) ==
        files{{"memory/memory.limit_in_bytes", "67108864"}, {"cpu/cpu.cfs_period_us", "100000"}, {"cpu/cpu.cfs_quota_us", "50000"}});
  CHECK(render_cgroup_limits(cgroup_version::v1, {}) ==
        files{{"memory/memory.limit_in_bytes", "-1"}, {"cpu/cpu.cfs_period_us", "100000"}, {"cpu/cpu.cfs_quota_us", "-1"}});
  CHECK(render_cgroup_limits(cgroup_version::v2, {1000, 2000}) ==
        files{{"memory.max", "1000"}, {"memory.swap.max", "0"}, {"cpu.max", "200000 100000"}});
  CHECK(render_cgroup_limits(cgroup_version::v2, {}) ==
        files{{"memory.max", "max"}, {"memory.swap.max", "max"}, {"cpu.max", "max 100000"}});
  // A tiny cpu limit is raised to the kernel's minimum quota of 1 ms.
  CHECK(render_cgroup_limits(cgroup_version::v1, {{}, 1})[2].second == "1000");
}

TEST_CASE("own_cgroup and parse_oom_kills read the kernel's text") {
  const std::string v1 = "4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/\n";
  CHECK(own_cgroup(v1, "memory").value() == "/process_api/abc");
  CHECK(own_cgroup(v1, "cpu").value() == "/x");
  CHECK(own_cgroup(v1, "").value() == "/");
  CHECK(own_cgroup("0::/user.slice/a\n", "").value() == "/user.slice/a");
  CHECK(own_cgroup(v1, "pids").error().code == errc::not_found);
  CHECK(parse_oom_kills("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n") == 3);
  CHECK(parse_oom_kills("low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n") == 1);
  CHECK(parse_oom_kills("") == 0);
}

TEST_CASE("container records and launch specs survive a round trip; bad text is refused") {
  container_record r;
  r.current = container_record::phase::exited;
  r.pid = 42;
  r.shim_pid = 41;
  r.started_at_ns = 1;
  r.finished_at_ns = 2;
  r.exit_code = 137;
  r.signal = 9;
  r.oom_killed = true;
  auto back = decode_container_record(encode(r));
  REQUIRE(back.has_value());
  CHECK(back->current == r.current);
  CHECK(back->pid == 42);
  CHECK(back->exit_code == 137);
  CHECK(back->signal == 9);
  CHECK(back->oom_killed);
  launch_spec s{{"/bin/true"}, {"A=b"}, "/", "/n", "/m", {"/c/cgroup.procs"}, "/c/memory.events", "/l", "/r"};
  auto sb = decode_launch_spec(encode(s));
  REQUIRE(sb.has_value());
  CHECK(sb->argv == s.argv);
  CHECK(sb->cgroup_procs == s.cgroup_procs);
  for (const char* bad : {"", "{", "{\"phase\":\"dancing\",\"pid\":1,\"shimPid\":1,\"startedAt\":0,\"finishedAt\":0,\"oomKilled\":false}",
                          "{\"phase\":\"running\"}"})
    CHECK(decode_container_record(bad).error().code == errc::parse_error);
}

TEST_CASE("decode_base64") {
  CHECK(decode_base64("czNjcjN0").value() == "s3cr3t");
  CHECK(decode_base64("aGk=").value() == "hi");
  CHECK(decode_base64("").value().empty());
  CHECK_FALSE(decode_base64("a$==").has_value());
  CHECK_FALSE(decode_base64("aGk").has_value());
}

namespace {

json pod_with(json containers, json volumes = json::array()) {
  return json{{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u1"}}},
              {"spec", {{"nodeName", "n0"}, {"containers", containers}, {"volumes", volumes}}}};
}

expected<json> resolver(const std::string& kind, const std::string&, const std::string& name) {
  if (kind == "ConfigMap" && name == "cm")
    return json{{"data", {{"a", "1"}, {"b", "2"}}}};
  if (kind == "Secret" && name == "s")
    return json{{"data", {{"k", "aGk="}}}};
  return error{errc::not_found, name};
}

} // namespace

TEST_CASE("plan_pod: argv, env, limits and volumes") {
  json c{{"name", "c"},
         {"command", {"/bin/sh"}},
         {"args", {"-c", "true"}},
         {"env", {{{"name", "X"}, {"value", "1"}},
                  {{"name", "IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}},
                  {{"name", "S"}, {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}}}},
         {"resources", {{"limits", {{"memory", "64Mi"}, {"cpu", "500m"}}}}},
         {"volumeMounts", {{{"name", "cfg"}, {"mountPath", "/etc/cfg"}}, {{"name", "d"}, {"mountPath", "/d"}}}}};
  json volumes = json::array({{{"name", "cfg"}, {"configMap", {{"name", "cm"}, {"items", {{{"key", "b"}, {"path", "sub/b.txt"}, {"mode", 0400}}}}}}},
                              {{"name", "d"}, {"emptyDir", json::object()}}});
  auto p = plan_pod(pod_with(json::array({c}), volumes), "10.0.0.5", resolver);
  REQUIRE(p.has_value());
  REQUIRE(p->containers.size() == 1);
  CHECK(p->containers[0].argv == std::vector<std::string>{"/bin/sh", "-c", "true"});
  CHECK(p->containers[0].env == std::vector<std::string>{"X=1", "IP=10.0.0.5", "S=hi"});
  CHECK(p->memory_limit_bytes == 64 << 20);
  CHECK(p->cpu_limit_millis == 500);
  REQUIRE(p->volumes.size() == 2);
  CHECK(p->volumes[0].files == std::vector<volume_file>{{"sub/b.txt", "2", 0400}});
  CHECK(p->mounts[0].read_only); // configMaps are always read-only
  CHECK_FALSE(p->mounts[1].read_only);
  const auto steps = plan_volume_mounts(*p, "/v");
  CHECK(steps == std::vector<mount_step>{mount_step::bind("/v/cfg", "/etc/cfg"),
                                         mount_step::remount_read_only("/etc/cfg"), mount_step::bind("/v/d", "/d")});
  CHECK(describe_all(steps) == std::vector<std::string>{"mount --bind /v/cfg /etc/cfg",
                                                        "mount -o remount,bind,ro /etc/cfg", "mount --bind /v/d /d"});
}

TEST_CASE("plan_pod: a container without a limit leaves the pod unlimited; Memory emptyDir is a tmpfs") {
  json a{{"name", "a"}, {"command", {"x"}}, {"resources", {{"limits", {{"memory", "1Gi"}}}}}};
  json b{{"name", "b"}, {"command", {"y"}}, {"volumeMounts", {{{"name", "m"}, {"mountPath", "/m"}, {"readOnly", true}}}}};
  auto p = plan_pod(pod_with(json::array({a, b}), json::array({{{"name", "m"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "1Mi"}}}}})), "", {});
  REQUIRE(p.has_value());
  CHECK_FALSE(p->memory_limit_bytes.has_value());
  CHECK_FALSE(p->cpu_limit_millis.has_value());
  const auto steps = plan_volume_mounts(*p, "/v");
  CHECK(steps == std::vector<mount_step>{mount_step::tmpfs("/v/m", "mode=0777,size=1048576"),
                                         mount_step::bind("/v/m", "/m"), mount_step::remount_read_only("/m")});
  CHECK(describe_all(steps) == std::vector<std::string>{"mount -t tmpfs -o mode=0777,size=1048576 tmpfs /v/m",
                                                        "mount --bind /v/m /m", "mount -o remount,bind,ro /m"});
  CHECK(mount_step::detach("/state").describe() == "umount --lazy /state");
}

TEST_CASE("plan_pod refuses what a simulated node cannot run, naming it") {
  struct row {
    json containers;
    json volumes;
    errc code;
    std::string says;
  };
  const json ok = json::array({{{"name", "c"}, {"command", {"x"}}}});
  const std::vector<row> rows{
      {ok, json::array({{{"name", "v"}, {"nfs", {{"server", "s"}}}}}), errc::unsupported, "volume 'v' of type nfs"},
      {ok, json::array({{{"name", "v"}, {"hostPath", {{"path", "rel"}}}}}), errc::invalid_argument, "absolute"},
      {ok, json::array({{{"name", "v"}, {"hostPath", {{"path", "/x"}, {"type", "Weird"}}}}}), errc::invalid_argument, "Weird"},
      {ok, json::array({{{"name", "v"}, {"configMap", {{"name", "missing"}}}}}), errc::not_found, "missing"},
      {ok, json::array({{{"name", "v"}, {"configMap", {{"name", "cm"}, {"items", {{{"key", "a"}, {"path", "../x"}}}}}}}}), errc::invalid_argument, "'..'"},
      {json::array({{{"name", "c"}, {"image", "busybox"}}}), json::array(), errc::invalid_argument, "needs a command"},
      {json::array(), json::array(), errc::invalid_argument, "no containers"},
      {json::array({{{"name", "c"}, {"command", {"x"}}, {"volumeMounts", {{{"name", "nope"}, {"mountPath", "/a"}}}}}}), json::array(), errc::invalid_argument, "unknown volume 'nope'"},
      {json::array({{{"name", "c"}, {"command", {"x"}}, {"resources", {{"limits", {{"memory", "lots"}}}}}}}), json::array(), errc::invalid_argument, "limits.memory"},
      {json::array({{{"name", "c"}, {"command", {"x"}}, {"env", {{{"name", "E"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.labels['a']"}}}}}}}}}}), json::array(), errc::unsupported, "fieldRef"},
  };
  for (const auto& r : rows) {
    auto p = plan_pod(pod_with(r.containers, r.volumes), "", resolver);
    REQUIRE_FALSE(p.has_value());
    INFO(p.error().to_string());
    CHECK(p.error().code == r.code);
    CHECK(p.error().to_string().find(r.says) != std::string::npos);
  }
  json init = pod_with(ok);
  init["spec"]["initContainers"] = ok;
  CHECK(plan_pod(init, "", resolver).error().code == errc::unsupported);
  CHECK(plan_pod(json::array(), "", resolver).error().code == errc::invalid_argument);
}
