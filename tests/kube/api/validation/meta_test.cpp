#include "kube/api/validation/meta.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

namespace {

object_meta valid_meta() {
  object_meta m;
  m.name = "web-1";
  m.namespace_ = "default";
  m.labels = {{"app", "web"}, {"kubevirt.io/domain", "web-1"}};
  m.annotations = {{"example.com/Note", "anything at all, even spaces"}};
  m.owner_references = {{.api_version = "kubevirt.io/v1",
                         .kind = "VirtualMachine",
                         .name = "web-1",
                         .uid = "1234",
                         .controller = true,
                         .block_owner_deletion = true,
                         .unknown = {}}};
  m.finalizers = {"kubevirt.io/virtualMachineControllerFinalize"};
  return m;
}

std::vector<std::string> messages_of(const field_errors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors)
    out.push_back(e.message());
  return out;
}

using messages = std::vector<std::string>;

const std::string subdomain_regex_msg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
  "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

} // namespace

TEST_CASE("valid object metadata passes", "[kube][api][validation]") {
  CHECK(validate_object_meta(valid_meta()).empty());
  auto generated = valid_meta();
  generated.name.clear();
  generated.generate_name = "web-";
  CHECK(validate_object_meta(generated).empty());
  auto cluster = valid_meta();
  cluster.namespace_.clear();
  CHECK(validate_object_meta(cluster, {.namespaced = false}).empty());
}

TEST_CASE("metadata name rules", "[kube][api][validation]") {
  auto m = valid_meta();
  m.name.clear();
  CHECK(messages_of(validate_object_meta(m))
        == messages{"metadata.name: Required value: name or generateName is required"});

  m.name = "Web_1";
  CHECK(messages_of(validate_object_meta(m))
        == messages{R"(metadata.name: Invalid value: "Web_1": )" + subdomain_regex_msg});

  m.name = "web.1";
  CHECK(validate_object_meta(m).empty());
  CHECK(messages_of(validate_object_meta(m, {.names = name_rule::dns1123_label}))
        == messages{R"(metadata.name: Invalid value: "web.1": must not contain dots)"});

  m.name.clear();
  m.generate_name = "Web-";
  CHECK(messages_of(validate_object_meta(m))
        == messages{R"(metadata.generateName: Invalid value: "Web-": )" + subdomain_regex_msg});
}

TEST_CASE("metadata namespace rules", "[kube][api][validation]") {
  auto m = valid_meta();
  m.namespace_.clear();
  CHECK(messages_of(validate_object_meta(m)) == messages{"metadata.namespace: Required value"});
  m.namespace_ = "team.a";
  CHECK(messages_of(validate_object_meta(m))
        == messages{R"(metadata.namespace: Invalid value: "team.a": must not contain dots)"});
  CHECK(messages_of(validate_object_meta(m, {.namespaced = false}))
        == messages{"metadata.namespace: Forbidden: not allowed on this type"});
}

TEST_CASE("metadata generation must not be negative", "[kube][api][validation]") {
  auto m = valid_meta();
  m.generation = -1;
  CHECK(messages_of(validate_object_meta(m))
        == messages{"metadata.generation: Invalid value: -1: must be greater than or equal to 0"});
}

TEST_CASE("metadata labels", "[kube][api][validation]") {
  auto m = valid_meta();
  m.labels = {{"bad key", "ok"}, {"app", "bad value"}};
  CHECK(messages_of(validate_object_meta(m))
        == messages{
          R"(metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'))",
          R"(metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'))"});
}

TEST_CASE("metadata annotations", "[kube][api][validation]") {
  auto m = valid_meta();
  // Case does not matter in annotation prefixes (unlike label keys).
  m.annotations = {{"Example.COM/x", "1"}};
  CHECK(validate_object_meta(m).empty());

  m.annotations = {{"/x", "1"}};
  CHECK(messages_of(validate_object_meta(m))
        == messages{R"(metadata.annotations: Invalid value: "/x": prefix part must be non-empty)"});

  m.annotations = {{"big", std::string(total_annotation_size_limit - 3, 'x')}};
  CHECK(validate_object_meta(m).empty());
  m.annotations = {{"big", std::string(total_annotation_size_limit - 2, 'x')}};
  CHECK(messages_of(validate_object_meta(m))
        == messages{"metadata.annotations: Too long: may not be more than 262144 bytes"});
}

TEST_CASE("metadata owner references", "[kube][api][validation]") {
  auto m = valid_meta();
  m.owner_references[0] = owner_reference{};
  CHECK(messages_of(validate_object_meta(m))
        == messages{R"(metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty)",
                    R"(metadata.ownerReferences.kind: Invalid value: "": must not be empty)",
                    R"(metadata.ownerReferences.name: Invalid value: "": must not be empty)",
                    R"(metadata.ownerReferences.uid: Invalid value: "": must not be empty)"});

  m = valid_meta();
  m.owner_references[0].api_version = "v1";
  m.owner_references[0].kind = "Event";
  m.owner_references[0].controller.reset();
  m.owner_references[0].block_owner_deletion.reset();
  CHECK(messages_of(validate_object_meta(m))
        == messages{R"(metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"web-1","uid":"1234"}: /v1, Kind=Event is disallowed from being an owner)"});

  m = valid_meta();
  auto second = m.owner_references[0];
  second.kind = "VirtualMachinePool";
  second.name = "pool";
  second.block_owner_deletion.reset();
  m.owner_references.push_back(second);
  CHECK(messages_of(validate_object_meta(m))
        == messages{
          R"(metadata.ownerReferences: Invalid value: [{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","name":"web-1","uid":"1234","controller":true,"blockOwnerDeletion":true},{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachinePool","name":"pool","uid":"1234","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for VirtualMachine/web-1 and VirtualMachinePool/pool)"});
}

TEST_CASE("metadata finalizers", "[kube][api][validation]") {
  auto m = valid_meta();
  m.finalizers = {"orphan", "foregroundDeletion"};
  CHECK(messages_of(validate_object_meta(m))
        == messages{R"(metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set)"});
  m.finalizers = {"a/b/c"};
  auto errors = validate_object_meta(m);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "metadata.finalizers");
  CHECK(errors[0].value == R"("a/b/c")");
}

TEST_CASE("metadata reports every problem at once", "[kube][api][validation]") {
  object_meta m;
  m.namespace_ = "Default";
  m.generation = -5;
  m.labels = {{"-x", "ok"}};
  auto errors = validate_object_meta(m);
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].field == "metadata.name");
  CHECK(errors[1].field == "metadata.namespace");
  CHECK(errors[2].field == "metadata.generation");
  CHECK(errors[3].field == "metadata.labels");
}
