#include "virt/domain/xml_writer.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::virt;

TEST_CASE("xml_writer: escapes the five special characters", "[virt][domain]") {
  struct row {
    const char* in;
    const char* out;
  };
  const row rows[] = {
    {"plain", "plain"},
    {"a&b", "a&amp;b"},
    {"<x>", "&lt;x&gt;"},
    {R"('")", "&apos;&quot;"},
    {"", ""},
  };
  for (const auto& r : rows)
    CHECK(xml_escape(r.in) == r.out);
}

TEST_CASE("xml_writer: indents nested elements and keeps attribute order", "[virt][domain]") {
  xml_writer w;
  w.open("domain", {{"type", "qemu"}, {"id", "a'b"}});
  w.text("name", "x<y");
  w.open("devices");
  w.empty("memballoon", {{"model", "none"}});
  w.close();
  w.close();
  CHECK(w.str() ==
        "<domain type='qemu' id='a&apos;b'>\n"
        "  <name>x&lt;y</name>\n"
        "  <devices>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "</domain>\n");
}
