#include "actors/controller/launcher_pod.hpp"

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace podvisor::actors::controller;

namespace {

json vmi(const std::string& memory = "1Gi") {
  return json::parse(R"({
    "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
    "metadata": {"name": "web", "namespace": "prod", "uid": "1234-abcd", "resourceVersion": "7",
                 "labels": {"app": "shop"}},
    "spec": {"domain": {"cpu": {"cores": 2}, "resources": {"requests": {"memory": ")" + memory + R"("}}},
             "nodeSelector": {"disk": "ssd"},
             "tolerations": [{"key": "dedicated", "operator": "Exists"}],
             "terminationGracePeriodSeconds": 45},
    "status": {"phase": "Pending"}
  })");
}

constexpr std::int64_t mib = 1024 * 1024;

} // namespace

TEST_CASE("launcher_pod: memory overhead follows the documented formula", "[launcher_pod]") {
  // 150 MiB + 8 MiB per vCPU + guest / 512 (+ 128 MiB under TCG)
  CHECK(memory_overhead(1024 * mib, 2, true) == 150 * mib + 16 * mib + 2 * mib);
  CHECK(memory_overhead(1024 * mib, 2, false) == 150 * mib + 16 * mib + 2 * mib + 128 * mib);
  CHECK(memory_overhead(0, 0, true) == 158 * mib); // at least one vCPU
}

TEST_CASE("launcher_pod: guest memory from memory.guest or the request; errors otherwise", "[launcher_pod]") {
  CHECK(*guest_memory(vmi("1Gi")) == 1024 * mib);
  auto v = vmi();
  v["spec"]["domain"]["memory"]["guest"] = "512Mi";
  CHECK(*guest_memory(v) == 512 * mib);
  v["spec"]["domain"]["memory"]["guest"] = "lots";
  CHECK_FALSE(guest_memory(v).has_value());
  auto none = vmi();
  none["spec"]["domain"].erase("resources");
  auto r = guest_memory(none);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == podvisor::errc::invalid_argument);
}

TEST_CASE("launcher_pod: the name is deterministic, derived from the uid, at most 63 characters", "[launcher_pod]") {
  auto a = launcher_pod_name(vmi());
  CHECK(a == launcher_pod_name(vmi()));
  CHECK(a.rfind("virt-launcher-web-", 0) == 0);
  CHECK(a.size() == std::string{"virt-launcher-web-"}.size() + 5);
  auto other = vmi();
  other["metadata"]["uid"] = "5678";
  CHECK(launcher_pod_name(other) != a);
  auto long_name = vmi();
  long_name["metadata"]["name"] = std::string(80, 'x');
  CHECK(launcher_pod_name(long_name).size() == 63);
}

TEST_CASE("launcher_pod: the pod with KVM", "[launcher_pod]") {
  launcher_pod_config cfg;
  cfg.launcher_binary = "/opt/podvisor/bin/podvisor-launcher";
  cfg.kvm = true;
  auto built = build_launcher_pod(vmi(), cfg);
  REQUIRE(built.has_value());
  const json& pod = *built;
  CHECK(pod["metadata"]["name"] == launcher_pod_name(vmi()));
  CHECK(pod["metadata"]["namespace"] == "prod");
  CHECK(pod["metadata"]["labels"]["kubevirt.io"] == "virt-launcher");
  CHECK(pod["metadata"]["labels"]["kubevirt.io/created-by"] == "1234-abcd");
  CHECK(pod["metadata"]["labels"]["vm.kubevirt.io/name"] == "web");
  CHECK(pod["metadata"]["labels"]["app"] == "shop");
  CHECK(pod["metadata"]["annotations"]["kubevirt.io/domain"] == "web");
  CHECK_FALSE(pod["metadata"]["annotations"].contains("podvisor.io/software-emulation"));
  const json& owner = pod["metadata"]["ownerReferences"][0];
  CHECK(owner == json{{"apiVersion", "kubevirt.io/v1"}, {"kind", "VirtualMachineInstance"}, {"name", "web"},
                      {"uid", "1234-abcd"}, {"controller", true}, {"blockOwnerDeletion", true}});
  const json& spec = pod["spec"];
  CHECK(spec["restartPolicy"] == "Never");
  CHECK(spec["terminationGracePeriodSeconds"] == 45);
  // The default config has a node agent: only nodes where it is alive.
  CHECK(spec["nodeSelector"] == json{{"disk", "ssd"}, {"podvisor.io/schedulable", "true"}});
  CHECK(spec["tolerations"] == json::parse(R"([{"key": "dedicated", "operator": "Exists"}])"));
  REQUIRE(spec["containers"].size() == 1);
  const json& c = spec["containers"][0];
  CHECK(c["name"] == "compute");
  // 1 GiB + 150 MiB + 2 × 8 MiB + 2 MiB
  CHECK(c["resources"]["requests"]["memory"] == "1192Mi");
  CHECK(c["resources"]["requests"]["cpu"] == "200m");
  CHECK(c["resources"]["requests"]["devices.kubevirt.io/kvm"] == "1");
  CHECK(c["resources"]["limits"]["devices.kubevirt.io/kvm"] == "1");
  CHECK(c["command"][0] == "/bin/sh");
  CHECK(c["command"][3] == "/opt/podvisor/bin/podvisor-launcher");
  CHECK(c["command"][2].get<std::string>().find("--accel kvm") != std::string::npos);
  // The VMI travels in the environment, without its status.
  json env_vmi;
  for (const auto& e : c["env"])
    if (e["name"] == "PODVISOR_VMI_JSON")
      env_vmi = json::parse(e["value"].get<std::string>());
  CHECK(env_vmi["metadata"]["name"] == "web");
  CHECK(env_vmi["spec"] == vmi()["spec"]);
  CHECK_FALSE(env_vmi.contains("status"));
}

TEST_CASE("launcher_pod: software emulation: no device, a toleration, the annotation, --accel tcg",
          "[launcher_pod]") {
  launcher_pod_config cfg;
  cfg.kvm = false;
  auto v = vmi();
  v["spec"]["domain"]["resources"]["requests"]["cpu"] = "1500m";
  v["spec"]["domain"]["resources"]["limits"] = {{"memory", "2Gi"}};
  auto built = build_launcher_pod(v, cfg);
  REQUIRE(built.has_value());
  const json& pod = *built;
  CHECK(pod["metadata"]["annotations"]["podvisor.io/software-emulation"] == "true");
  const json& c = pod["spec"]["containers"][0];
  CHECK_FALSE(c["resources"]["requests"].contains("devices.kubevirt.io/kvm"));
  CHECK(c["resources"]["requests"]["cpu"] == "1500m");
  // 1 GiB + 150 + 16 + 2 + 128 MiB; the limit is the VMI's limit + the overhead
  CHECK(c["resources"]["requests"]["memory"] == "1320Mi");
  CHECK(c["resources"]["limits"]["memory"] == "2344Mi");
  CHECK(pod["spec"]["tolerations"].size() == 2);
  CHECK(pod["spec"]["tolerations"][1]["key"] == "devices.kubevirt.io/kvm");
  CHECK(c["command"][2].get<std::string>().find("--accel tcg") != std::string::npos);
}

TEST_CASE("launcher_pod: a VMI without identity or memory is refused", "[launcher_pod]") {
  auto v = vmi();
  v["metadata"].erase("uid");
  CHECK(build_launcher_pod(v, {}).error().code == podvisor::errc::invalid_argument);
  auto w = vmi();
  w["spec"]["domain"].erase("resources");
  CHECK(build_launcher_pod(w, {}).error().code == podvisor::errc::invalid_argument);
  CHECK(build_launcher_pod(json::array(), {}).error().code == podvisor::errc::invalid_argument);
}

TEST_CASE("launcher_pod: with a node agent the pod mounts the VMI's agent directory and waits for start",
          "[launcher_pod]") {
  launcher_pod_config cfg;
  cfg.agent_dir = "/data/run/vmis/";
  cfg.await_start_seconds = 120;
  cfg.capabilities_cache.clear(); // its volume and flag have their own test
  auto built = build_launcher_pod(vmi(), cfg);
  REQUIRE(built.has_value());
  const json& spec = (*built)["spec"];
  CHECK(spec["volumes"][1] == json::parse(R"({"name": "agent", "hostPath":
                                  {"path": "/data/run/vmis/1234-abcd", "type": "DirectoryOrCreate"}})"));
  const json& c = spec["containers"][0];
  CHECK(c["volumeMounts"][1] == json{{"name", "agent"}, {"mountPath", "/data/run/vmis/1234-abcd"}});
  // Extra arguments reach the launcher through "$@", not spliced into the script.
  CHECK(c["command"][2].get<std::string>().ends_with("\"$@\""));
  std::vector<std::string> extra(c["command"].begin() + 4, c["command"].end());
  CHECK(extra == std::vector<std::string>{"--control-socket", "/data/run/vmis/1234-abcd/control.sock",
                                          "--await-start", "120"});
}

TEST_CASE("launcher_pod: without a node agent the launcher starts the VM itself", "[launcher_pod]") {
  launcher_pod_config cfg;
  cfg.capabilities_cache.clear(); // its volume and flag have their own test
  cfg.agent_dir.clear();
  auto built = build_launcher_pod(vmi(), cfg);
  REQUIRE(built.has_value());
  const json& c = (*built)["spec"]["containers"][0];
  CHECK(c["command"].size() == 4);
  CHECK((*built)["spec"]["volumes"].size() == 1);
  // No agent, no agent heartbeat to select on: the VMI's own selector only.
  CHECK((*built)["spec"]["nodeSelector"] == json{{"disk", "ssd"}});
}

TEST_CASE("launcher_pod: with a node agent a VMI without nodeSelector still selects live agents",
          "[launcher_pod]") {
  auto v = vmi();
  v["spec"].erase("nodeSelector");
  launcher_pod_config cfg;
  auto built = build_launcher_pod(v, cfg);
  REQUIRE(built.has_value());
  CHECK((*built)["spec"]["nodeSelector"] == json{{"podvisor.io/schedulable", "true"}});
  // The VMI's own value for the label does not override the agent's requirement.
  v["spec"]["nodeSelector"] = json{{"podvisor.io/schedulable", "false"}, {"zone", "a"}};
  built = build_launcher_pod(v, cfg);
  REQUIRE(built.has_value());
  CHECK((*built)["spec"]["nodeSelector"] == json{{"podvisor.io/schedulable", "true"}, {"zone", "a"}});
  cfg.agent_dir.clear();
  built = build_launcher_pod(v, cfg);
  REQUIRE(built.has_value());
  CHECK((*built)["spec"]["nodeSelector"] == json{{"podvisor.io/schedulable", "false"}, {"zone", "a"}});
}

TEST_CASE("launcher_pod: kernelBoot images come from the node's image directory, read-only", "[launcher_pod]") {
  launcher_pod_config cfg;
  cfg.agent_dir.clear();
  cfg.capabilities_cache.clear(); // its volume and flag have their own test
  cfg.image_dir = "/data/images";
  auto v = vmi();
  v["spec"]["domain"]["firmware"]["kernelBoot"] = json::parse(
    R"({"kernelArgs": "console=ttyS0", "container": {"image": "podvisor/test-guest:latest",
        "kernelPath": "/vmlinuz", "initrdPath": "/initrd.img"}})");
  auto built = build_launcher_pod(v, cfg);
  REQUIRE(built.has_value());
  const json& spec = (*built)["spec"];
  CHECK(spec["volumes"][1] == json::parse(R"({"name": "kernel-boot", "hostPath":
                                  {"path": "/data/images/podvisor/test-guest:latest", "type": "Directory"}})"));
  const json& c = spec["containers"][0];
  CHECK(c["volumeMounts"][1]["readOnly"] == true);
  std::vector<std::string> extra(c["command"].begin() + 4, c["command"].end());
  CHECK(extra == std::vector<std::string>{"--kernel", "/data/images/podvisor/test-guest:latest/vmlinuz", "--initrd",
                                          "/data/images/podvisor/test-guest:latest/initrd.img"});
}

TEST_CASE("launcher_pod: bad kernelBoot images and paths are refused with the reason", "[launcher_pod]") {
  launcher_pod_config cfg;
  cfg.image_dir = "/data/images";
  auto with = [&](const std::string& image, const std::string& kernel) {
    auto v = vmi();
    v["spec"]["domain"]["firmware"]["kernelBoot"]["container"] = {{"image", image}, {"kernelPath", kernel}};
    return build_launcher_pod(v, cfg);
  };
  CHECK(with("../etc", "/vmlinuz").error().code == podvisor::errc::invalid_argument);
  CHECK(with("a/../../b", "/vmlinuz").error().code == podvisor::errc::invalid_argument);
  CHECK(with("/abs", "/vmlinuz").error().code == podvisor::errc::invalid_argument);
  CHECK(with("img with space", "/vmlinuz").error().code == podvisor::errc::invalid_argument);
  CHECK(with("", "/vmlinuz").error().code == podvisor::errc::invalid_argument);
  CHECK(with("ok/img:1", "relative").error().code == podvisor::errc::invalid_argument);
  CHECK(with("ok/img:1", "/a/../../etc/shadow").error().code == podvisor::errc::invalid_argument);
  CHECK(with("ok/img:1", "/vmlinuz").has_value());
  cfg.image_dir.clear();
  auto e = with("ok/img:1", "/vmlinuz");
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == podvisor::errc::unsupported);
  CHECK(e.error().message.find("--image-dir") != std::string::npos);
}

TEST_CASE("launcher_pod: disk volumes become pod volumes and the launcher's --volume", "[launcher_pod]") {
  launcher_pod_config cfg;
  cfg.agent_dir.clear();
  cfg.image_dir = "/data/images";
  cfg.work_dir = "/var/run/kubevirt-private";
  cfg.capabilities_cache.clear(); // its volume and flag have their own test
  auto v = vmi();
  v["spec"]["volumes"] = json::parse(R"([
    {"name": "root", "containerDisk": {"image": "example/cirros:1"}},
    {"name": "data", "containerDisk": {"image": "example/data:2", "path": "/disk/data.qcow2"}},
    {"name": "scratch", "hostDisk": {"path": "/srv/scratch.img", "type": "Disk"}},
    {"name": "claim", "persistentVolumeClaim": {"claimName": "pvc-1"}},
    {"name": "dv", "dataVolume": {"name": "dv-1"}},
    {"name": "cloudinit", "cloudInitNoCloud": {"userData": "#cloud-config"}}])");
  auto built = build_launcher_pod(v, cfg);
  REQUIRE(built.has_value());
  const json& spec = (*built)["spec"];
  CHECK(spec["volumes"].size() == 6); // private + 5 disks; cloud-init needs no pod volume
  CHECK(spec["volumes"][1] == json::parse(R"({"name": "vol-root", "hostPath":
                                  {"path": "/data/images/example/cirros:1", "type": "Directory"}})"));
  CHECK(spec["volumes"][3] == json::parse(R"({"name": "vol-scratch", "hostPath":
                                  {"path": "/srv/scratch.img", "type": "File"}})"));
  CHECK(spec["volumes"][4] == json::parse(R"({"name": "vol-claim", "persistentVolumeClaim": {"claimName": "pvc-1"}})"));
  CHECK(spec["volumes"][5]["persistentVolumeClaim"]["claimName"] == "dv-1");
  const json& c = spec["containers"][0];
  CHECK(c["volumeMounts"][1]["readOnly"] == true);
  CHECK(c["volumeMounts"][4]["mountPath"] == "/var/run/kubevirt-private/vmi-disks/claim");
  std::vector<std::string> extra(c["command"].begin() + 4, c["command"].end());
  CHECK(extra == std::vector<std::string>{
                   "--volume", "root=/data/images/example/cirros:1/disk/disk.img,raw",
                   "--volume", "data=/data/images/example/data:2/disk/data.qcow2,qcow2",
                   "--volume", "scratch=/srv/scratch.img,raw",
                   "--volume", "claim=/var/run/kubevirt-private/vmi-disks/claim/disk.img,raw",
                   "--volume", "dv=/var/run/kubevirt-private/vmi-disks/dv/disk.img,raw"});
}

TEST_CASE("launcher_pod: disk volumes the cluster cannot provide are refused with the reason", "[launcher_pod]") {
  launcher_pod_config cfg;
  auto with = [&](const char* volume) {
    auto v = vmi();
    v["spec"]["volumes"] = json::array({json::parse(volume)});
    return build_launcher_pod(v, cfg);
  };
  auto no_dir = with(R"({"name": "root", "containerDisk": {"image": "example/cirros:1"}})");
  REQUIRE_FALSE(no_dir.has_value());
  CHECK(no_dir.error().code == podvisor::errc::unsupported);
  CHECK(no_dir.error().message.find("volume root") != std::string::npos);
  cfg.image_dir = "/data/images";
  CHECK(with(R"({"name": "r", "containerDisk": {"image": "x:1", "path": "../../etc/shadow"}})").error().code ==
        podvisor::errc::invalid_argument);
  CHECK(with(R"({"name": "h", "hostDisk": {"path": "relative.img", "type": "Disk"}})").error().code ==
        podvisor::errc::invalid_argument);
  auto create = with(R"({"name": "h", "hostDisk": {"path": "/srv/new.img", "type": "DiskOrCreate", "capacity": "1Gi"}})");
  REQUIRE_FALSE(create.has_value());
  CHECK(create.error().code == podvisor::errc::unsupported);
  CHECK(with(R"({"name": "p", "persistentVolumeClaim": {}})").error().code == podvisor::errc::invalid_argument);
}

TEST_CASE("launcher_pod: launchers share the node's QEMU capabilities cache unless it is turned off",
          "[launcher_pod]") {
  launcher_pod_config cfg;
  cfg.agent_dir.clear();
  auto built = build_launcher_pod(vmi(), cfg);
  REQUIRE(built.has_value());
  const json& spec = (*built)["spec"];
  CHECK(spec["volumes"].back() == json::parse(R"({"name": "capabilities-cache", "hostPath":
                                  {"path": "/var/cache/podvisor/qemu-capabilities", "type": "DirectoryOrCreate"}})"));
  const json& c = spec["containers"][0];
  CHECK(c["volumeMounts"].back() ==
        json{{"name", "capabilities-cache"}, {"mountPath", "/var/cache/podvisor/qemu-capabilities"}});
  std::vector<std::string> extra(c["command"].begin() + 4, c["command"].end());
  CHECK(extra == std::vector<std::string>{"--capabilities-cache", "/var/cache/podvisor/qemu-capabilities"});

  cfg.capabilities_cache.clear();
  built = build_launcher_pod(vmi(), cfg);
  REQUIRE(built.has_value());
  CHECK((*built)["spec"]["containers"][0]["command"].size() == 4);
  for (const auto& v : (*built)["spec"]["volumes"])
    CHECK(v["name"] != "capabilities-cache");
}
