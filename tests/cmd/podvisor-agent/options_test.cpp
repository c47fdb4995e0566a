// podvisor-agent's flags: the names `podvisor up` passes, defaults, and clear refusals.

#include "cmd/podvisor-agent/options.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using podvisor::cmd::agent::parse_options;

TEST_CASE("agent options: what podvisor up passes", "[agent_options]") {
  auto o = parse_options({"--kubeconfig", "/d/agent.kubeconfig", "--node-name", "node-0", "--vmi-dir-root",
                          "/d/run/vmis", "--log-level=info,agent=debug"});
  REQUIRE(o);
  CHECK(o->kubeconfig == "/d/agent.kubeconfig");
  CHECK(o->node_name == "node-0");
  CHECK(o->vmi_dir_root == "/d/run/vmis");
  CHECK(o->log_level == "info,agent=debug");
}

TEST_CASE("agent options: defaults", "[agent_options]") {
  auto o = parse_options({"--node-name=n"});
  REQUIRE(o);
  CHECK(o->vmi_dir_root == "/var/run/podvisor/vmis");
  CHECK(o->kubeconfig.empty());
}

TEST_CASE("agent options: --help and --version need nothing else", "[agent_options]") {
  auto h = parse_options({"--help"});
  REQUIRE(h);
  CHECK(h->help);
  auto v = parse_options({"--version"});
  REQUIRE(v);
  CHECK(v->version);
}

TEST_CASE("agent options: bad flags are refused with the reason", "[agent_options]") {
  struct row {
    std::vector<std::string> args;
    std::string says;
  };
  const row rows[] = {
    {{}, "--node-name is required"},
    {{"--node-name"}, "--node-name needs a value"},
    {{"--node-name="}, "must not be empty"},
    {{"--node-name", "n", "--vmi-dir-root", "run/vmis"}, "absolute path"},
    {{"--node-name", "n", "--frobnicate"}, "unknown flag \"--frobnicate\""},
  };
  for (const auto& r : rows) {
    auto o = parse_options(r.args);
    REQUIRE_FALSE(o);
    CHECK(o.error().code == errc::invalid_argument);
    INFO(o.error().message);
    CHECK(o.error().message.find(r.says) != std::string::npos);
  }
}
