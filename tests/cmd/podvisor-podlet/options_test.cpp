// podvisor-podlet's flags: what `podvisor up` passes parses; bad input is refused with a
// message naming the flag.

#include "cmd/podvisor-podlet/options.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using namespace podvisor;
using namespace podvisor::cmd::podlet;
using Catch::Matchers::ContainsSubstring;

namespace {

std::vector<std::string> required() {
  return {"--kubeconfig", "/k", "--node-name", "node-1", "--node-ip", "192.168.50.2", "--state-dir", "/s"};
}

std::vector<std::string> with(std::vector<std::string> extra) {
  auto args = required();
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

} // namespace

TEST_CASE("every flag podvisor up passes", "[options]") {
  auto o = parse_options(with({"--pod-cidr", "10.244.1.0/24", "--node-netns", "/run/netns/n1", "--node-bridge",
                               "cbr0", "--gateway", "10.244.1.1", "--cpu", "4", "--memory", "8Gi", "--max-pods",
                               "50", "--kvm", "off", "--heartbeat-interval", "5", "--log-level=debug"}));
  REQUIRE(o);
  CHECK(o->kubeconfig == "/k");
  CHECK(o->node_name == "node-1");
  CHECK(o->node_ip == "192.168.50.2");
  CHECK(o->pod_cidr == "10.244.1.0/24");
  CHECK(o->node_netns == "/run/netns/n1");
  CHECK(o->node_bridge == "cbr0");
  CHECK(o->gateway == "10.244.1.1");
  CHECK(o->state_dir == "/s");
  CHECK(o->cpu == "4");
  CHECK(o->memory == "8Gi");
  CHECK(o->max_pods == 50);
  CHECK(o->kvm == kvm_mode::off);
  CHECK(o->heartbeat_interval == std::chrono::seconds{5});
  CHECK(o->log_level == "debug");
}

TEST_CASE("defaults", "[options]") {
  auto o = parse_options(required());
  REQUIRE(o);
  CHECK(o->kvm == kvm_mode::automatic);
  CHECK(o->max_pods == 110);
  CHECK(o->heartbeat_interval == std::chrono::seconds{10});
  CHECK(o->cpu.empty());
}

TEST_CASE("bad input is refused, naming the flag", "[options]") {
  struct row {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<row> rows = {
    {with({"--kvm", "maybe"}), "--kvm: wants auto, on or off"},
    {with({"--node-ip", "300.1.1.1"}), "--node-ip: \"300.1.1.1\" is not an IPv4 address"},
    {with({"--pod-cidr", "10.244.1.0"}), "--pod-cidr"},
    {with({"--pod-cidr", "10.244.1.0/33"}), "--pod-cidr"},
    {with({"--memory", "lots"}), "--memory: \"lots\" is not a quantity"},
    {with({"--max-pods", "0"}), "--max-pods: wants a positive number"},
    {with({"--heartbeat-interval", "-1"}), "--heartbeat-interval"},
    {with({"--node-name", "Node_1"}), "--node-name"},
    {with({"--frobnicate", "1"}), "--frobnicate: unknown flag"},
    {with({"--gateway"}), "--gateway: needs a value"},
    {{"--node-name", "n"}, "--kubeconfig: is required"},
  };
  for (const auto& r : rows) {
    auto o = parse_options(r.args);
    REQUIRE_FALSE(o);
    CHECK(o.error().code == errc::invalid_argument);
    CHECK_THAT(o.error().message, ContainsSubstring(r.message));
  }
}

TEST_CASE("--help and --version need no other flag", "[options]") {
  CHECK(parse_options({"--help"})->help);
  CHECK(parse_options({"--version"})->version);
}
