#include "cmd/podvisor/console_args.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::cli;

TEST_CASE("podvisor console: the command line", "[console]") {
  auto plain = parse_console_args({"vmi", "vm1"});
  REQUIRE(plain);
  CHECK(plain->name == "vm1");
  CHECK(plain->namespace_.empty());
  CHECK_FALSE(plain->follow);
  CHECK(plain->tail_kib == 64);
  auto all = parse_console_args({"vmi", "vm1", "-n", "ns1", "-f", "--tail", "4", "--kubeconfig", "k"});
  REQUIRE(all);
  CHECK(all->namespace_ == "ns1");
  CHECK(all->follow);
  CHECK(all->tail_kib == 4);
  CHECK(all->kubeconfig == "k");
  auto help = parse_console_args({"--help"});
  REQUIRE(help);
  CHECK(help->help);
  CHECK(console_path("default", "vm1", 64, false) == "/v1/supervisors/default/vm1/console?tail=64");
  CHECK(console_path("ns", "vm1", 2, true) == "/v1/supervisors/ns/vm1/console?tail=2&follow=true");
}

TEST_CASE("podvisor console: bad command lines say why", "[console]") {
  struct row {
    std::vector<std::string_view> args;
    std::string says;
  };
  const row rows[] = {
    {{}, "which VMI?"},
    {{"vmi"}, "which VMI?"},
    {{"vm", "x"}, "only VMIs have a console"},
    {{"vmi", "a", "b"}, "one VMI at a time"},
    {{"vmi", "a", "-n"}, "-n needs a value"},
    {{"vmi", "a", "--tail", "0"}, "--tail must be 1 to 1024"},
    {{"vmi", "a", "--tail", "2048"}, "--tail must be 1 to 1024"},
    {{"vmi", "a", "--tail", "x"}, "--tail must be 1 to 1024"},
    {{"vmi", "a", "--watch"}, "unknown flag \"--watch\""},
  };
  for (const auto& r : rows) {
    auto o = parse_console_args(r.args);
    REQUIRE_FALSE(o);
    CHECK(o.error().code == errc::invalid_argument);
    INFO(o.error().message);
    CHECK(o.error().message.find(r.says) != std::string::npos);
  }
}
