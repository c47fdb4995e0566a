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

TEST_CASE("agent options: the capabilities warm-up needs both the cache and the launcher", "[agent_options]") {
  auto off = parse_options({"--node-name=n"});
  REQUIRE(off);
  CHECK(off->capabilities_cache.empty());
  CHECK(off->launcher_binary.empty());
  auto on = parse_options({"--node-name=n", "--capabilities-cache", "/d/cache", "--launcher-binary=/b/launcher"});
  REQUIRE(on);
  CHECK(on->capabilities_cache == "/d/cache");
  CHECK(on->launcher_binary == "/b/launcher");
  for (const auto& args : std::vector<std::vector<std::string>>{{"--node-name=n", "--capabilities-cache", "/d/cache"},
                                                                {"--node-name=n", "--launcher-binary", "/b/launcher"}}) {
    auto o = parse_options(args);
    REQUIRE_FALSE(o);
    CHECK(o.error().message.find("go together") != std::string::npos);
  }
  auto relative = parse_options({"--node-name=n", "--capabilities-cache", "cache", "--launcher-binary", "/b/l"});
  REQUIRE_FALSE(relative);
  CHECK(relative.error().message.find("--capabilities-cache must be an absolute path") != std::string::npos);
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

TEST_CASE("agent options: introspection is off by default, on with listen and its files", "[agent_options]") {
  auto off = parse_options({"--node-name", "n"});
  REQUIRE(off);
  CHECK(off->introspection_port == -1);
  auto on = parse_options({"--node-name", "n", "--introspection-listen", "10.44.0.1:0", "--introspection-cert", "c.pem",
                           "--introspection-key=k.pem", "--introspection-token-file", "t"});
  REQUIRE(on);
  CHECK(on->introspection_host == "10.44.0.1");
  CHECK(on->introspection_port == 0);
  CHECK(on->introspection_cert == "c.pem");
  CHECK(on->introspection_key == "k.pem");
  CHECK(on->introspection_token_file == "t");
  CHECK(on->introspection_advertise == "10.44.0.1");
  auto v6 = parse_options({"--node-name", "n", "--introspection-listen", "[::]:8443", "--introspection-cert", "c",
                           "--introspection-key", "k", "--introspection-token-file", "t", "--introspection-advertise",
                           "fd00::1"});
  REQUIRE(v6);
  CHECK(v6->introspection_host == "::");
  CHECK(v6->introspection_port == 8443);
  CHECK(v6->introspection_advertise == "fd00::1");
}

TEST_CASE("agent options: bad introspection flags are refused with the reason", "[agent_options]") {
  const std::vector<std::string> files = {"--introspection-cert", "c", "--introspection-key", "k",
                                          "--introspection-token-file", "t"};
  auto with_files = [&](std::vector<std::string> args) {
    args.insert(args.end(), files.begin(), files.end());
    return args;
  };
  struct row {
    std::vector<std::string> args;
    std::string says;
  };
  const row rows[] = {
    {with_files({"--node-name", "n", "--introspection-listen", "10.0.0.1"}), "ADDR:PORT"},
    {with_files({"--node-name", "n", "--introspection-listen", ":80"}), "ADDR:PORT"},
    {with_files({"--node-name", "n", "--introspection-listen", "h:70000"}), "ADDR:PORT"},
    {with_files({"--node-name", "n", "--introspection-listen", "h:x"}), "ADDR:PORT"},
    {{"--node-name", "n", "--introspection-listen", "h:1", "--introspection-key", "k", "--introspection-token-file", "t"},
     "--introspection-cert is required"},
    {{"--node-name", "n", "--introspection-cert", "c"}, "--introspection-cert needs --introspection-listen"},
    {{"--node-name", "n", "--introspection-advertise", "h"}, "needs --introspection-listen"},
    {with_files({"--node-name", "n", "--introspection-listen", "0.0.0.0:1"}), "--introspection-advertise is required"},
  };
  for (const auto& r : rows) {
    auto o = parse_options(r.args);
    REQUIRE_FALSE(o);
    CHECK(o.error().code == errc::invalid_argument);
    INFO(o.error().message);
    CHECK(o.error().message.find(r.says) != std::string::npos);
  }
}

TEST_CASE("agent options: --heartbeat-interval in whole seconds, 15 by default", "[agent_options]") {
  auto o = parse_options({"--node-name", "n"});
  REQUIRE(o);
  CHECK(o->heartbeat_interval == std::chrono::seconds{15});
  o = parse_options({"--node-name", "n", "--heartbeat-interval", "2"});
  REQUIRE(o);
  CHECK(o->heartbeat_interval == std::chrono::seconds{2});
  o = parse_options({"--heartbeat-interval=3600", "--node-name", "n"});
  REQUIRE(o);
  CHECK(o->heartbeat_interval == std::chrono::seconds{3600});
  for (const char* bad : {"0", "-1", "1.5", "3601", "fast", "99999"}) {
    CAPTURE(bad);
    auto refused = parse_options({"--node-name", "n", "--heartbeat-interval", bad});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("--heartbeat-interval") != std::string::npos);
  }
  CHECK_FALSE(parse_options({"--node-name", "n", "--heartbeat-interval"}));
}
