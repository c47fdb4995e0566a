#include "kube/api/core/pod.hpp"

#include <algorithm>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/core/manifest_testing.hpp"

using namespace podvisor::kube::api;
using podvisor::kube::api::testing::load_core_manifest;
using podvisor::kube::api::testing::require_round_trip;

TEST_CASE("a launcher pod round-trips exactly", "[kube][api][core][pod]") {
  auto in = load_core_manifest("launcher-pod.json");
  auto p = require_round_trip<pod>(in);

  CHECK(p.metadata.generate_name == "virt-launcher-testvm-");
  REQUIRE(p.spec.containers.size() == 2);
  const auto& compute = p.spec.containers[0];
  CHECK(compute.name == "compute");
  CHECK(compute.image_pull_policy == pull_policy::if_not_present);
  CHECK(compute.resources.requests.at("memory") == *quantity::parse("1294Mi"));
  CHECK(compute.resources.limits.at("devices.kubevirt.io/kvm").value() == 1);
  REQUIRE(compute.security_context_);
  CHECK(compute.security_context_->run_as_user == 107);
  CHECK(compute.security_context_->privileged == false);
  CHECK(compute.security_context_->capabilities_->drop == std::vector<std::string>{"ALL"});
  CHECK(compute.ports[1].protocol_ == protocol::udp);
  CHECK(compute.volume_mounts[5].mount_propagation == enum_field{mount_propagation_mode::host_to_container});
  CHECK(compute.env[3].value_from->at("fieldRef").at("fieldPath") == "metadata.name");

  CHECK(p.spec.restart_policy_ == restart_policy::never);
  CHECK(p.spec.dns_policy_ == dns_policy::cluster_first);
  CHECK(p.spec.termination_grace_period_seconds == 45);
  CHECK(p.spec.priority == 0); // present though zero: it is a pointer in Go
  CHECK(p.spec.init_containers.at(0).name == "container-disk-binary");

  const auto& aff = p.spec.affinity_;
  REQUIRE(aff);
  const auto& required = aff->node_affinity_->required_during_scheduling_ignored_during_execution;
  REQUIRE(required);
  REQUIRE(required->node_selector_terms.size() == 2);
  CHECK(required->node_selector_terms[0].match_expressions[0].operator_ == node_selector_operator::exists);
  CHECK(required->node_selector_terms[1].match_fields[0].operator_ == node_selector_operator::not_in);
  CHECK(aff->node_affinity_->preferred_during_scheduling_ignored_during_execution[0].weight == 50);
  const auto& anti = aff->pod_anti_affinity;
  REQUIRE(anti);
  CHECK(anti->required_during_scheduling_ignored_during_execution[0].topology_key == "kubernetes.io/hostname");
  CHECK(anti->preferred_during_scheduling_ignored_during_execution[0].pod_affinity_term_.namespaces.size() == 2);
  CHECK_FALSE(aff->pod_affinity_);

  REQUIRE(p.spec.tolerations.size() == 4);
  CHECK(p.spec.tolerations[0].effect == taint_effect::no_execute);
  CHECK(p.spec.tolerations[0].toleration_seconds == 300);
  CHECK(p.spec.tolerations[2].operator_ == toleration_operator::equal);
  CHECK(p.spec.tolerations[3].key.empty());

  const auto& vols = p.spec.volumes;
  REQUIRE(vols.size() == 15);
  CHECK(vols[0].empty_dir.has_value()); // "emptyDir": {} is kept as present
  CHECK(vols[4].empty_dir->medium == "Memory");
  CHECK(vols[4].empty_dir->size_limit == quantity::parse("64Mi"));
  CHECK(vols[7].persistent_volume_claim->claim_name == "testvm-rootdisk");
  CHECK(vols[9].secret->default_mode == 420);
  CHECK(vols[10].config_map->optional == true);
  CHECK(vols[11].host_path->type == enum_field{host_path_type::directory});
  CHECK(vols[12].host_path->type == enum_field{host_path_type::unset}); // "type": "" is a value
  CHECK(vols[13].downward_api.has_value());
  CHECK(vols[14].unknown.members.contains("projected"));
}

TEST_CASE("a running pod's status round-trips with every container state", "[kube][api][core][pod]") {
  auto in = load_core_manifest("running-pod.json");
  auto p = require_round_trip<pod>(in);
  const auto& st = p.status;
  CHECK(st.phase == pod_phase::running);
  CHECK(st.qos_class == pod_qos_class::burstable);
  CHECK(st.pod_ip_ == "10.244.1.17");
  REQUIRE(st.pod_ips.size() == 2);
  CHECK(st.host_ips[1].ip == "fd00::101");
  CHECK(format_timestamp(*st.start_time) == "2024-05-01T12:00:01Z");

  REQUIRE(st.conditions.size() == 6);
  CHECK(st.conditions[3].type == "Ready");
  CHECK(st.conditions[3].status == condition_status::false_);
  CHECK(st.conditions[5].last_probe_time != timestamp{});

  REQUIRE(st.container_statuses.size() == 3);
  const auto& compute = st.container_statuses[0];
  CHECK(compute.ready);
  CHECK(compute.state.running.has_value());
  CHECK_FALSE(compute.state.waiting.has_value());
  CHECK(compute.unknown.members.contains("volumeMounts"));
  const auto& console = st.container_statuses[1];
  CHECK(console.restart_count == 1);
  REQUIRE(console.last_state.terminated);
  CHECK(console.last_state.terminated->exit_code == 137);
  CHECK(console.last_state.terminated->signal == 9);
  CHECK(console.last_state.terminated->reason == "OOMKilled");
  const auto& hook = st.container_statuses[2];
  CHECK(hook.started == false);
  CHECK(hook.image_id.empty());
  CHECK(hook.state.waiting->reason == "ImagePullBackOff");
  // exitCode 0 is written although zero: Go's field has no omitempty.
  CHECK(st.init_container_statuses[0].state.terminated->exit_code == 0);
}

TEST_CASE("unknown pod fields survive at every depth", "[kube][api][core][pod]") {
  auto in = load_core_manifest("launcher-pod.json");
  in["x-top"] = 1;
  in["spec"]["x-spec"] = "a";
  in["spec"]["containers"][0]["x-container"] = true;
  in["spec"]["containers"][0]["securityContext"]["capabilities"]["x-caps"] = json::array({1});
  in["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
    ["matchExpressions"][0]["x-req"] = "r";
  in["spec"]["volumes"][9]["secret"]["items"][0]["x-item"] = {{"k", "v"}};
  in["status"] = {{"containerStatuses", json::array({{{"name", "compute"}, {"ready", false}, {"restartCount", 0},
                                                       {"image", "i"}, {"imageID", ""},
                                                       {"state", {{"terminated", {{"exitCode", 1}, {"x-term", 2}}}}}}})}};

  auto out = decode<pod>(in);
  REQUIRE(out.ok());
  CHECK(encode(out.value) == in);
  auto has = [&](const std::string& path) {
    return std::find(out.unknown.begin(), out.unknown.end(), path) != out.unknown.end();
  };
  CHECK(has("x-top"));
  CHECK(has("spec.x-spec"));
  CHECK(has("spec.containers[0].x-container"));
  CHECK(has("spec.containers[0].securityContext.capabilities.x-caps"));
  CHECK(has("spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
            ".matchExpressions[0].x-req"));
  CHECK(has("spec.volumes[9].secret.items[0].x-item"));
  CHECK(has("status.containerStatuses[0].state.terminated.x-term"));
  // Fields this version carries without typing them are reported too.
  CHECK(has("spec.containers[0].terminationMessagePath"));
  CHECK(has("spec.volumes[14].projected"));
}

TEST_CASE("pod decoding reports bad values with their paths", "[kube][api][core][pod]") {
  auto in = json::parse(R"({"apiVersion":"v1","kind":"Pod","spec":{
    "containers":[{"name":"c","ports":[{"containerPort":"80"}],"resources":{"limits":{"cpu":"lots"}}}],
    "tolerations":[{"tolerationSeconds":1.5}],"priority":3000000000}})");
  auto out = decode<pod>(in);
  REQUIRE(out.errors.size() == 4);
  CHECK(out.errors[0].field == "spec.containers[0].ports[0].containerPort");
  CHECK(out.errors[1].field == "spec.containers[0].resources.limits[cpu]");
  CHECK(out.errors[2].field == "spec.tolerations[0].tolerationSeconds");
  CHECK(out.errors[3].field == "spec.priority");
}

TEST_CASE("an unknown enum spelling is kept for validation to reject", "[kube][api][core][pod]") {
  auto in = json::parse(R"({"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c"}],
    "restartPolicy":"Sometimes"}})");
  auto out = decode<pod>(in);
  REQUIRE(out.ok());
  CHECK_FALSE(out.value.spec.restart_policy_.known());
  CHECK(encode(out.value) == in);
}

TEST_CASE("pod schema lists required fields and enum values", "[kube][api][core][pod]") {
  auto s = schema<pod>();
  CHECK(s["required"] == json::array({"apiVersion", "kind"}));
  const auto& spec = s["properties"]["spec"];
  CHECK(spec["required"] == json::array({"containers"}));
  CHECK(spec["properties"]["restartPolicy"]["enum"] == json::array({"Always", "OnFailure", "Never"}));
  CHECK(spec["properties"]["containers"]["items"]["required"] == json::array({"name"}));
  CHECK(spec["properties"]["containers"]["items"]["properties"]["resources"]["properties"]["limits"]
          ["additionalProperties"]["x-kubernetes-int-or-string"]
        == true);
  CHECK(s["properties"]["status"]["properties"]["phase"]["enum"].size() == 5);
}

TEST_CASE("pod kind info", "[kube][api][core][pod]") {
  constexpr auto k = kind_info<pod>::value;
  STATIC_REQUIRE(k.group.empty());
  STATIC_REQUIRE(k.api_version() == "v1");
  STATIC_REQUIRE(k.plural == "pods");
  STATIC_REQUIRE(k.short_names[0] == "po");
  STATIC_REQUIRE(k.namespaced);
  STATIC_REQUIRE(k.has_status);
  CHECK(pod{}.kind == k.kind);
}
