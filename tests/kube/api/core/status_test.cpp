#include "kube/api/core/status.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/core/manifest_testing.hpp"

using namespace podvisor::kube::api;
using podvisor::kube::api::testing::require_round_trip;

namespace {

field_errors sample_errors() {
  return {
    {field_error_type::required, "spec.domain.devices.disks[0].name", "", ""},
    {field_error_type::unsupported, "spec.domain.devices.disks[1].disk.bus", quote("ide"),
     "supported values: \"sata\", \"virtio\""},
    {field_error_type::invalid, "metadata.name", quote("Bad_Name"), "must be lowercase"},
    {field_error_type::required, "spec.domain.devices.disks[0].name", "", ""}, // repeated
  };
}

} // namespace

TEST_CASE("the Invalid status has Kubernetes' shape", "[kube][api][core][status]") {
  auto s = make_invalid_status("kubevirt.io", "VirtualMachineInstance", "testvm", sample_errors());
  // What kube-apiserver sends for apierrors.NewInvalid with the same error list: causes
  // keep every error, the message lists each distinct one once.
  auto want = json::parse(R"({
    "apiVersion": "v1",
    "kind": "Status",
    "metadata": {},
    "status": "Failure",
    "message": "VirtualMachineInstance.kubevirt.io \"testvm\" is invalid: [spec.domain.devices.disks[0].name: Required value, spec.domain.devices.disks[1].disk.bus: Unsupported value: \"ide\": supported values: \"sata\", \"virtio\", metadata.name: Invalid value: \"Bad_Name\": must be lowercase]",
    "reason": "Invalid",
    "details": {
      "name": "testvm",
      "group": "kubevirt.io",
      "kind": "VirtualMachineInstance",
      "causes": [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.domain.devices.disks[0].name"},
        {"reason": "FieldValueNotSupported", "message": "Unsupported value: \"ide\": supported values: \"sata\", \"virtio\"", "field": "spec.domain.devices.disks[1].disk.bus"},
        {"reason": "FieldValueInvalid", "message": "Invalid value: \"Bad_Name\": must be lowercase", "field": "metadata.name"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.domain.devices.disks[0].name"}
      ]
    },
    "code": 422
  })");
  auto got = encode(s);
  INFO(json::diff(want, got).dump());
  CHECK(got == want);
  CHECK(s.outcome == status_outcome::failure);
}

TEST_CASE("the Invalid message has no brackets for one error and no list for none", "[kube][api][core][status]") {
  field_errors one = {{field_error_type::required, "spec.containers", "", ""}};
  CHECK(make_invalid_status("", "Pod", "web", one).message
        == R"(Pod "web" is invalid: spec.containers: Required value)");
  auto none = make_invalid_status("", "Pod", "web", {});
  CHECK(none.message == R"(Pod "web" is invalid)");
  CHECK(encode(none)["details"] == json::parse(R"({"name":"web","kind":"Pod"})"));
}

TEST_CASE("every field error type maps to its Kubernetes cause type", "[kube][api][core][status]") {
  CHECK(cause_type(field_error_type::required) == "FieldValueRequired");
  CHECK(cause_type(field_error_type::invalid) == "FieldValueInvalid");
  CHECK(cause_type(field_error_type::unsupported) == "FieldValueNotSupported");
  CHECK(cause_type(field_error_type::duplicate) == "FieldValueDuplicate");
  CHECK(cause_type(field_error_type::not_found) == "FieldValueNotFound");
  CHECK(cause_type(field_error_type::forbidden) == "FieldValueForbidden");
  CHECK(cause_type(field_error_type::too_long) == "FieldValueTooLong");
  CHECK(cause_type(field_error_type::type_invalid) == "FieldValueTypeInvalid");
}

TEST_CASE("cause messages are the error bodies without the field path", "[kube][api][core][status]") {
  CHECK(error_body({field_error_type::forbidden, "spec.hostNetwork", "", "disallowed by policy"})
        == "Forbidden: disallowed by policy");
  CHECK(error_body({field_error_type::duplicate, "spec.volumes[1].name", quote("a"), ""})
        == R"(Duplicate value: "a")");
  CHECK(error_body({field_error_type::too_long, "metadata.name", quote("x"), "must have at most 63 bytes"})
        == "Too long: must have at most 63 bytes");
}

TEST_CASE("NotFound, AlreadyExists, Conflict, BadRequest and InternalError statuses", "[kube][api][core][status]") {
  CHECK(encode(make_not_found_status("", "pods", "web")) == json::parse(R"({"apiVersion":"v1","kind":"Status",
    "metadata":{},"status":"Failure","message":"pods \"web\" not found","reason":"NotFound",
    "details":{"name":"web","kind":"pods"},"code":404})"));
  auto exists = make_already_exists_status("kubevirt.io", "virtualmachineinstances", "testvm");
  CHECK(exists.message == R"(virtualmachineinstances.kubevirt.io "testvm" already exists)");
  CHECK(exists.code == 409);
  CHECK(exists.reason == "AlreadyExists");
  CHECK(exists.details->group == "kubevirt.io");
  auto conflict = make_conflict_status("", "pods", "web",
                                       "the object has been modified; please apply your changes to the "
                                       "latest version and try again");
  CHECK(conflict.message
        == R"(Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again)");
  CHECK(conflict.reason == "Conflict");
  CHECK(conflict.code == 409);
  auto bad = make_bad_request_status("the body of the request was in an unknown format");
  CHECK(encode(bad) == json::parse(R"({"apiVersion":"v1","kind":"Status","metadata":{},"status":"Failure",
    "message":"the body of the request was in an unknown format","reason":"BadRequest","code":400})"));
  auto internal = make_internal_error_status("etcd is down");
  CHECK(internal.message == "Internal error occurred: etcd is down");
  CHECK(encode(internal)["details"] == json::parse(R"({"causes":[{"message":"etcd is down"}]})"));
}

TEST_CASE("a Status from a real API server decodes and round-trips", "[kube][api][core][status]") {
  auto in = json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
    "message":"the server has asked for the client to provide credentials","reason":"Unauthorized",
    "details":{"retryAfterSeconds":1,"uid":"u-1"},"code":401})");
  auto s = require_round_trip<status>(in);
  CHECK(s.code == 401);
  CHECK(s.details->retry_after_seconds == 1);
  auto success = json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",
    "details":{"name":"web","kind":"pods","uid":"0c6f3b1e"}})");
  CHECK(require_round_trip<status>(success).outcome == status_outcome::success);
}
