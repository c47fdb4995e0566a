#include "kube/api/validation/names.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

namespace {

using messages = std::vector<std::string>;

const std::string label_regex_msg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
  "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const std::string subdomain_regex_msg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
  "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const std::string key_name_regex_msg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
  "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
  "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

} // namespace

TEST_CASE("RFC 1123 labels accept what apimachinery accepts", "[kube][api][validation]") {
  for (const char* ok : {"a", "0", "my-name", "123-abc", "a--b"})
    CHECK(is_dns1123_label(ok).empty());
  CHECK(is_dns1123_label(std::string(63, 'a')).empty());
}

TEST_CASE("RFC 1123 labels reject with apimachinery's words", "[kube][api][validation]") {
  CHECK(is_dns1123_label("") == messages{label_regex_msg});
  CHECK(is_dns1123_label("My-Name") == messages{label_regex_msg});
  CHECK(is_dns1123_label("-a") == messages{label_regex_msg});
  CHECK(is_dns1123_label("a-") == messages{label_regex_msg});
  CHECK(is_dns1123_label("a_b") == messages{label_regex_msg});
  CHECK(is_dns1123_label("a.b") == messages{"must not contain dots"});
  CHECK(is_dns1123_label(std::string(64, 'a')) == messages{"must be no more than 63 characters"});
  CHECK(is_dns1123_label(std::string(64, 'A'))
        == messages{"must be no more than 63 characters", label_regex_msg});
}

TEST_CASE("RFC 1123 subdomains", "[kube][api][validation]") {
  for (const char* ok : {"a", "example.com", "a-b.c-d.e", "0.0"})
    CHECK(is_dns1123_subdomain(ok).empty());
  CHECK(is_dns1123_subdomain(std::string(253, 'a')).empty());
  for (const char* bad : {"", ".a", "a.", "a..b", "A.b", "a_b.c", "a.-b"})
    CHECK(is_dns1123_subdomain(bad) == messages{subdomain_regex_msg});
  CHECK(is_dns1123_subdomain(std::string(254, 'a')) == messages{"must be no more than 253 characters"});
}

TEST_CASE("qualified names (label and annotation keys)", "[kube][api][validation]") {
  for (const char* ok : {"app", "MyName", "my.name", "a_b", "kubevirt.io/vm", "example.com/My-Key"})
    CHECK(is_qualified_name(ok).empty());
  CHECK(is_qualified_name(std::string(63, 'k')).empty());

  CHECK(is_qualified_name("") == messages{"name part must be non-empty", key_name_regex_msg});
  CHECK(is_qualified_name("-app") == messages{key_name_regex_msg});
  CHECK(is_qualified_name(std::string(64, 'k')) == messages{"name part must be no more than 63 bytes"});
  CHECK(is_qualified_name("/app") == messages{"prefix part must be non-empty"});
  CHECK(is_qualified_name("Example.com/app")
        == messages{"prefix part " + subdomain_regex_msg});
  CHECK(is_qualified_name("example.com/") == messages{"name part must be non-empty", key_name_regex_msg});
  CHECK(is_qualified_name("a/b/c")
        == messages{"a valid label key must consist of alphanumeric characters, '-', '_' or '.', "
                    "and must start and end with an alphanumeric character (e.g. 'MyName',  or "
                    "'my.name',  or '123-abc', regex used for validation is "
                    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
                    "prefix and '/' (e.g. 'example.com/MyName')"});
}

TEST_CASE("label values", "[kube][api][validation]") {
  for (const char* ok : {"", "MyValue", "my_value", "12345", "a.b-c"})
    CHECK(is_label_value(ok).empty());
  const std::string regex_msg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  CHECK(is_label_value("-x") == messages{regex_msg});
  CHECK(is_label_value("a b") == messages{regex_msg});
  CHECK(is_label_value(std::string(64, 'v')) == messages{"must be no more than 63 bytes"});
}

TEST_CASE("port names (IANA service names)", "[kube][api][validation]") {
  for (const char* ok : {"http", "h2c", "web-8080"})
    CHECK(is_port_name(ok).empty());
  CHECK(is_port_name(std::string(15, 'p')).empty());
  CHECK(is_port_name("8080") == messages{"must contain at least one letter (a-z)"});
  CHECK(is_port_name("HTTP")
        == messages{"must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                    "must contain at least one letter (a-z)"});
  CHECK(is_port_name("a--b") == messages{"must not contain consecutive hyphens"});
  CHECK(is_port_name("-web") == messages{"must not begin or end with a hyphen"});
  CHECK(is_port_name(std::string(16, 'p')) == messages{"must be no more than 15 characters"});
}

TEST_CASE("name validators wrap messages in field errors", "[kube][api][validation]") {
  field_errors errors;
  validate_dns1123_label("", field_path{"spec"}.child("hostname"), errors);
  validate_dns1123_label("a.b", field_path{"spec"}.child("hostname"), errors);
  validate_dns1123_subdomain("web.example", field_path{"spec"}.child("subdomain"), errors);
  validate_dns1123_subdomain("Web", field_path{"spec"}.child("subdomain"), errors);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].message() == "spec.hostname: Required value");
  CHECK(errors[1].message() == R"(spec.hostname: Invalid value: "a.b": must not contain dots)");
  CHECK(errors[2].message() == R"(spec.subdomain: Invalid value: "Web": )" + subdomain_regex_msg);
}

TEST_CASE("field paths render like field.Path", "[kube][api][validation]") {
  field_path spec{"spec"};
  CHECK(spec.child("domain", "devices", "disks").index(1).child("disk", "bus").str()
        == "spec.domain.devices.disks[1].disk.bus");
  CHECK(field_path{"metadata"}.child("labels").key("app").str() == "metadata.labels[app]");
  CHECK(field_path{}.child("spec").str() == "spec");
}
