// The kube bridge's vocabulary: kube_object (shared, immutable, JSON text on the wire),
// the informer and recorder messages, and their registration in the type-ID block.

#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "protocols/event_recorder.hpp"
#include "protocols/informer.hpp"
#include "protocols/kube_object.hpp"
#include "protocols/leader_elector.hpp"
#include "protocols/type_ids.hpp"

using namespace podvisor::protocols;

namespace {

kube_object pod() {
  return kube_object{nlohmann::json{
    {"apiVersion", "v1"},
    {"kind", "Pod"},
    {"metadata", {{"namespace", "ns"}, {"name", "web"}, {"uid", "u-1"}, {"resourceVersion", "42"}}}}};
}

/// Serializes `x` with CAF's binary serializer and reads it back.
template <class T>
T round_trip(caf::actor_system& sys, T x) {
  std::vector<char> buffer;
  caf::binary_serializer sink{sys, buffer};
  REQUIRE_FALSE(sink(x));
  T result;
  caf::binary_deserializer source{sys, buffer};
  REQUIRE_FALSE(source(result));
  return result;
}

} // namespace

TEST_CASE("kube_object: metadata accessors, key, null object", "[protocols][kube]") {
  auto p = pod();
  CHECK(p.namespace_() == "ns");
  CHECK(p.name() == "web");
  CHECK(p.uid() == "u-1");
  CHECK(p.resource_version() == "42");
  CHECK(p.key() == "ns/web");
  kube_object node{nlohmann::json{{"metadata", {{"name", "n1"}}}}};
  CHECK(node.key() == "n1");
  kube_object null;
  CHECK(null.is_null());
  CHECK(null.name().empty());
  CHECK(null.to_text().empty());
  kube_object odd{nlohmann::json{{"metadata", {{"name", 7}}}}};
  CHECK(odd.name().empty());
  CHECK(object_key("", "x") == "x");
}

TEST_CASE("kube_object: copies share the document; equality is identity", "[protocols][kube]") {
  auto a = pod();
  auto b = a;
  CHECK(a == b);
  CHECK(&a.json() == &b.json());
  CHECK_FALSE(a == pod()); // same content, another document
}

TEST_CASE("kube messages survive serialization", "[protocols][kube]") {
  caf::actor_system_config cfg;
  register_types(cfg);
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};

  auto object = round_trip(sys, pod());
  CHECK(object.json() == pod().json());
  CHECK(round_trip(sys, kube_object{}).is_null());

  informer_event ev;
  ev.seq = 7;
  ev.kind = informer_event_kind::updated;
  ev.key = "ns/web";
  ev.object = pod();
  ev.resync = true;
  auto back = round_trip(sys, ev);
  CHECK(back.seq == 7);
  CHECK(back.kind == informer_event_kind::updated);
  CHECK(back.key == "ns/web");
  CHECK(back.object.resource_version() == "42");
  CHECK(back.old_object.is_null());
  CHECK(back.resync);

  informer_list_result list{3, {}, {pod(), pod()}, "99"};
  auto list_back = round_trip(sys, list);
  CHECK(list_back.items.size() == 2);
  CHECK(list_back.resource_version == "99");

  event_record rec{reference_to(pod()), "Warning", "Failed", "it failed"};
  auto rec_back = round_trip(sys, rec);
  CHECK(rec_back.involved.kind == "Pod");
  CHECK(rec_back.involved.uid == "u-1");
  CHECK(rec_back.reason == "Failed");

  CHECK(sys.types().portable_name(0, &typeid(informer_event)) == "podvisor::protocols::informer_event");
  CHECK(sys.types().portable_name(0, &typeid(kube_object)) == "podvisor::protocols::kube_object");
  CHECK(sys.types().portable_name(0, &typeid(leadership_changed)) == "podvisor::protocols::leadership_changed");
  CHECK(sys.types().make_value("podvisor::protocols::informer_watch_batch") != nullptr);
}

TEST_CASE("reference_to fills apiVersion and kind only when the object lacks them", "[protocols][kube]") {
  auto ref = reference_to(pod(), "ignored/v1", "Ignored");
  CHECK(ref.api_version == "v1");
  CHECK(ref.kind == "Pod");
  CHECK(ref.namespace_ == "ns");
  CHECK(ref.resource_version == "42");
  kube_object item{nlohmann::json{{"metadata", {{"namespace", "ns"}, {"name", "x"}}}}};
  auto filled = reference_to(item, "kubevirt.io/v1", "VirtualMachineInstance");
  CHECK(filled.api_version == "kubevirt.io/v1");
  CHECK(filled.kind == "VirtualMachineInstance");
}

TEST_CASE("event kinds have names", "[protocols][kube]") {
  CHECK(to_string(informer_event_kind::added) == "added");
  CHECK(to_string(informer_event_kind::updated) == "updated");
  CHECK(to_string(informer_event_kind::deleted) == "deleted");
  CHECK(to_string(informer_event_kind::synced) == "synced");
  CHECK(to_string(kube_watch_event::kind::bookmark) == "bookmark");
  CHECK(to_string(kube_watch_event::kind::modified) == "modified");
}
