// classify, parse_status and is_transient: every HTTP code of the table in errors.hpp.

#include <string>

#include <catch2/catch_test_macros.hpp>

#include "kube/client/errors.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;

namespace {

std::string status_body(int code, std::string reason, std::string message) {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" + message
         + R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
}

} // namespace

TEST_CASE("classify maps each HTTP status to its errc", "[kube][client]") {
  struct row {
    int status;
    std::string reason;
    errc expected;
  };
  const row rows[] = {
    {400, "BadRequest", errc::invalid_argument},
    {401, "Unauthorized", errc::unauthorized},
    {403, "Forbidden", errc::forbidden},
    {404, "NotFound", errc::not_found},
    {405, "MethodNotAllowed", errc::unsupported},
    {408, "Timeout", errc::timeout},
    {409, "AlreadyExists", errc::already_exists},
    {409, "Conflict", errc::conflict},
    {409, "", errc::conflict},
    {410, "Expired", errc::gone},
    {413, "RequestEntityTooLarge", errc::resource_exhausted},
    {415, "UnsupportedMediaType", errc::unsupported},
    {422, "Invalid", errc::invalid_argument},
    {429, "TooManyRequests", errc::unavailable},
    {500, "InternalError", errc::unavailable},
    {502, "", errc::unavailable},
    {503, "ServiceUnavailable", errc::unavailable},
    {504, "Timeout", errc::unavailable},
    {302, "", errc::internal},
    {418, "", errc::internal},
  };
  for (const auto& r : rows) {
    INFO(r.status << " " << r.reason);
    auto e = classify(r.status, status_body(r.status, r.reason, "the message"));
    CHECK(e == r.expected);
    CHECK(e.message == "the message");
  }
}

TEST_CASE("classify: 422 lists every cause once, also those the message leaves out", "[kube][client]") {
  std::string body = R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid","code":422,
    "message":"VirtualMachineInstance.kubevirt.io \"x\" is invalid: spec.domain.cpu.cores: Invalid value: 0: must be greater than 0",
    "details":{"name":"x","kind":"VirtualMachineInstance","causes":[
      {"reason":"FieldValueInvalid","message":"Invalid value: 0: must be greater than 0","field":"spec.domain.cpu.cores"},
      {"reason":"FieldValueRequired","message":"Required value","field":"spec.domain.devices"},
      {"reason":"FieldValueInvalid","message":"a message without a field"}]}})";
  auto e = classify(422, body);
  CHECK(e == errc::invalid_argument);
  CHECK(e.message
        == "VirtualMachineInstance.kubevirt.io \"x\" is invalid: spec.domain.cpu.cores: Invalid value: 0: must be "
           "greater than 0: spec.domain.devices: Required value; a message without a field");
}

TEST_CASE("classify: a 400 with causes lists them too", "[kube][client]") {
  std::string body = R"({"kind":"Status","code":400,"reason":"BadRequest","message":"bad",
    "details":{"causes":[{"reason":"FieldValueNotSupported","field":"spec.x","message":"unknown field"}]}})";
  CHECK(classify(400, body).message == "bad: spec.x: unknown field");
}

TEST_CASE("classify: a body that is not a Status still gives a useful message", "[kube][client]") {
  CHECK(classify(503, "").message == "HTTP 503");
  auto e = classify(502, "<html>\n<body>Bad Gateway</body>\n</html>");
  CHECK(e == errc::unavailable);
  CHECK(e.message == "HTTP 502: <html> <body>Bad Gateway</body> </html>");
  CHECK(classify(404, R"({"kind":"Pod"})") == errc::not_found);
  CHECK(classify(409, R"({"kind":"Status","code":409,"reason":"AlreadyExists"})").message
        == "HTTP 409 AlreadyExists");
  std::string long_text(1000, 'x');
  CHECK(classify(500, long_text).message.size() < 250);
}

TEST_CASE("classify: the HTTP status decides, not the Status code in the body", "[kube][client]") {
  // A proxy may answer 503 with a body copied from elsewhere.
  CHECK(classify(503, status_body(404, "NotFound", "m")) == errc::unavailable);
}

TEST_CASE("parse_status reads code, reason, message and causes", "[kube][client]") {
  auto s = parse_status(R"({"kind":"Status","code":422,"reason":"Invalid","message":"m",
    "details":{"causes":[{"reason":"FieldValueInvalid","field":"spec.a","message":"bad"},"junk",{"field":"spec.b"}]}})",
                        400);
  CHECK(s.code == 422);
  CHECK(s.reason == "Invalid");
  CHECK(s.message == "m");
  REQUIRE(s.causes.size() == 2);
  CHECK(s.causes[0].type == "FieldValueInvalid");
  CHECK(s.causes[0].field == "spec.a");
  CHECK(s.causes[0].message == "bad");
  CHECK(s.causes[1].field == "spec.b");
  CHECK(s.causes[1].message.empty());
}

TEST_CASE("parse_status: anything but a Status gives just the HTTP code", "[kube][client]") {
  for (const char* body : {"", "not json", "[]", R"({"kind":"Pod","code":404,"message":"x"})", "{\"kind\":\"Status\""}) {
    INFO(body);
    auto s = parse_status(body, 503);
    CHECK(s.code == 503);
    CHECK(s.reason.empty());
    CHECK(s.message.empty());
  }
  // A Status without a (valid) code keeps the HTTP one.
  CHECK(parse_status(R"({"kind":"Status","message":"m"})", 500).code == 500);
  CHECK(parse_status(R"({"kind":"Status","code":"410"})", 500).code == 500);
  CHECK(parse_status(R"({"kind":"Status","code":-3})", 500).code == 500);
}

TEST_CASE("is_transient: only unavailable and timeout", "[kube][client]") {
  CHECK(is_transient(error{errc::unavailable}));
  CHECK(is_transient(error{errc::timeout}));
  CHECK_FALSE(is_transient(error{errc::conflict}));
  CHECK_FALSE(is_transient(error{errc::not_found}));
  CHECK_FALSE(is_transient(error{errc::gone}));
  CHECK_FALSE(is_transient(error{}));
}
