// podvisor-launcher's command line: every flag in both forms, and every way to get it
// wrong, each refused with a message that names the flag.
#include "cmd/podvisor-launcher/options.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::launcher_cmd;

namespace {

std::vector<std::string> base(std::vector<std::string> more = {}) {
  std::vector<std::string> a{"--vmi", "/v/vmi.yaml", "--work-dir", "/w"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

// The error message of a parse that must fail.
std::string fails(const std::vector<std::string>& args) {
  auto o = parse_options(args);
  REQUIRE_FALSE(o);
  CHECK(o.error().code == errc::invalid_argument);
  return o.error().message;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("the required flags alone give the defaults", "[cmd][launcher]") {
  auto o = parse_options(base());
  REQUIRE(o);
  CHECK(o->vmi_file == "/v/vmi.yaml");
  CHECK(o->work_dir == "/w");
  CHECK(o->control_socket == "/w/control.sock");
  CHECK(o->accel == accel_choice::auto_detect);
  CHECK_FALSE(o->grace_period_s);
  CHECK(o->serial_log_max_bytes == (8u << 20));
  CHECK(o->interfaces.empty());
  CHECK(o->volumes.empty());
  CHECK(o->kernel.empty());
  CHECK(o->initrd.empty());
  CHECK(o->capabilities_cache.empty());
  CHECK(o->log_level.empty());
  CHECK_FALSE(o->help);
  CHECK_FALSE(o->version);
}

TEST_CASE("every flag with a separate value", "[cmd][launcher]") {
  auto o = parse_options(base({"--capabilities-cache", "/cache", "--accel", "tcg", "--interface", "default=tap0",
                               "--volume", "root=/img/root.qcow2,qcow2", "--kernel", "/k/vmlinuz", "--initrd",
                               "/k/initrd.img", "--grace-period", "45", "--serial-log-max-bytes", "4096",
                               "--control-socket", "/run/c.sock", "--log-level", "debug,launcher=trace"}));
  REQUIRE(o);
  CHECK(o->capabilities_cache == "/cache");
  CHECK(o->accel == accel_choice::tcg);
  REQUIRE(o->interfaces.count("default") == 1);
  CHECK(o->interfaces.at("default").tap == "tap0");
  CHECK(o->interfaces.at("default").mac.empty());
  REQUIRE(o->volumes.count("root") == 1);
  CHECK(o->volumes.at("root").path == "/img/root.qcow2");
  CHECK(o->volumes.at("root").format == "qcow2");
  CHECK(o->kernel == "/k/vmlinuz");
  CHECK(o->initrd == "/k/initrd.img");
  CHECK(o->grace_period_s == 45);
  CHECK(o->serial_log_max_bytes == 4096);
  CHECK(o->control_socket == "/run/c.sock");
  CHECK(o->log_level == "debug,launcher=trace");
}

TEST_CASE("every flag in the --flag=value form", "[cmd][launcher]") {
  auto o = parse_options({"--vmi=/v/x.json", "--work-dir=/w2", "--capabilities-cache=/c", "--accel=kvm",
                          "--interface=net1=tap1,02:00:00:00:00:01", "--volume=data=/d.img",
                          "--kernel=/k", "--initrd=/i", "--grace-period=0", "--serial-log-max-bytes=65536",
                          "--control-socket=/s.sock", "--log-level=info"});
  REQUIRE(o);
  CHECK(o->vmi_file == "/v/x.json");
  CHECK(o->work_dir == "/w2");
  CHECK(o->capabilities_cache == "/c");
  CHECK(o->accel == accel_choice::kvm);
  REQUIRE(o->interfaces.count("net1") == 1);
  CHECK(o->interfaces.at("net1").tap == "tap1");
  CHECK(o->interfaces.at("net1").mac == "02:00:00:00:00:01");
  REQUIRE(o->volumes.count("data") == 1);
  CHECK(o->volumes.at("data").path == "/d.img");
  CHECK(o->volumes.at("data").format == "raw");
  CHECK(o->kernel == "/k");
  CHECK(o->initrd == "/i");
  CHECK(o->grace_period_s == 0);
  CHECK(o->serial_log_max_bytes == 65536);
  CHECK(o->control_socket == "/s.sock");
  CHECK(o->log_level == "info");
}

TEST_CASE("the accel flag takes auto, kvm or tcg and nothing else", "[cmd][launcher]") {
  CHECK(parse_options(base({"--accel", "auto"}))->accel == accel_choice::auto_detect);
  CHECK(parse_options(base({"--accel", "kvm"}))->accel == accel_choice::kvm);
  CHECK(parse_options(base({"--accel", "tcg"}))->accel == accel_choice::tcg);
  CHECK(contains(fails(base({"--accel", "hvf"})), "--accel"));
  CHECK(contains(fails(base({"--accel="})), "--accel"));
}

TEST_CASE("a relative work dir becomes absolute and places the default control socket", "[cmd][launcher]") {
  auto o = parse_options({"--vmi", "v.yaml", "--work-dir", "rel/dir"});
  REQUIRE(o);
  CHECK(o->work_dir.is_absolute());
  CHECK(o->control_socket == o->work_dir / "control.sock");
}

TEST_CASE("help and version stop parsing and need no other flag", "[cmd][launcher]") {
  CHECK(parse_options({"-h"})->help);
  CHECK(parse_options({"--help"})->help);
  CHECK(parse_options({"--version"})->version);
  CHECK(parse_options({"--accel", "tcg", "--help", "--bogus"})->help);
}

TEST_CASE("required flags", "[cmd][launcher]") {
  CHECK(contains(fails({}), "--vmi is required"));
  CHECK(contains(fails({"--work-dir", "/w"}), "--vmi is required"));
  CHECK(contains(fails({"--vmi", "/v"}), "--work-dir is required"));
}

TEST_CASE("warming the capabilities cache runs no VM and needs the cache and a work dir", "[cmd][launcher]") {
  auto o = parse_options({"--warm-capabilities", "--capabilities-cache", "/c", "--work-dir", "w"});
  REQUIRE(o);
  CHECK(o->warm_capabilities);
  CHECK(o->capabilities_cache == "/c");
  CHECK(o->work_dir.is_absolute());
  CHECK(o->vmi_file.empty());
  CHECK_FALSE(parse_options(base())->warm_capabilities);
  CHECK(contains(fails({"--warm-capabilities", "--work-dir", "/w"}), "needs --capabilities-cache"));
  CHECK(contains(fails({"--warm-capabilities", "--capabilities-cache", "/c"}), "--work-dir is required"));
  CHECK(contains(fails(base({"--warm-capabilities", "--capabilities-cache", "/c"})), "takes no --vmi"));
  CHECK(contains(fails({"--warm-capabilities", "--capabilities-cache", "/c", "--work-dir", "/w", "--await-start", "5"}),
                 "takes no --vmi or --await-start"));
  CHECK(contains(fails({"--warm-capabilities=yes", "--capabilities-cache", "/c", "--work-dir", "/w"}),
                 "--warm-capabilities takes no value"));
}

TEST_CASE("a flag without its value", "[cmd][launcher]") {
  for (const char* flag : {"--vmi", "--work-dir", "--network-result", "--capabilities-cache", "--accel",
                           "--interface", "--volume", "--kernel", "--initrd", "--grace-period",
                           "--serial-log-max-bytes", "--control-socket", "--log-level"}) {
    INFO(flag);
    CHECK(contains(fails(base({flag})), std::string(flag) + " needs a value"));
  }
}

TEST_CASE("a value that looks like a flag is taken for a missing value", "[cmd][launcher]") {
  // `--kernel --vmi x` must not make "--vmi" the kernel and then x a stray argument.
  CHECK(contains(fails({"--kernel", "--vmi", "/v", "--work-dir", "/w"}), "--kernel needs a value"));
  CHECK(contains(fails(base({"--log-level", "--help"})), "--log-level needs a value"));
}

TEST_CASE("unknown flags and stray arguments", "[cmd][launcher]") {
  CHECK(contains(fails(base({"--bogus", "x"})), "unknown flag --bogus"));
  CHECK(contains(fails(base({"--bogus=x"})), "unknown flag --bogus"));
  // At the end, without a value: still called unknown, not "needs a value".
  CHECK(contains(fails(base({"--bogus"})), "unknown flag --bogus"));
  CHECK(contains(fails(base({"stray"})), "unexpected argument \"stray\""));
  CHECK(contains(fails(base({"-x"})), "unexpected argument \"-x\""));
}

TEST_CASE("numbers: negative, non-numeric, trailing junk, overflow, below the minimum", "[cmd][launcher]") {
  for (const char* bad : {"-1", "abc", "10s", "", " 5", "1.5", "99999999999999999999"}) {
    INFO(bad);
    CHECK(contains(fails(base({"--grace-period", bad})), "--grace-period"));
    CHECK(contains(fails(base({"--serial-log-max-bytes", bad})), "--serial-log-max-bytes"));
  }
  // Fits in 64 unsigned bits but not in the signed grace period: refused, never negative.
  CHECK(contains(fails(base({"--grace-period", "18446744073709551615"})), "--grace-period"));
  CHECK(contains(fails(base({"--grace-period", "9223372036854775808"})), "--grace-period"));
  CHECK(contains(fails(base({"--serial-log-max-bytes", "4095"})), "at least 4096"));
  CHECK(parse_options(base({"--grace-period", "9223372036854775807"}))->grace_period_s == INT64_MAX);
}

TEST_CASE("the interface flag: NAME=TAP, optionally with a MAC", "[cmd][launcher]") {
  auto o = parse_options(base({"--interface", "a=tapA", "--interface", "b=tapB,02:00:00:00:00:0b"}));
  REQUIRE(o);
  CHECK(o->interfaces.size() == 2);
  CHECK(o->interfaces.at("a").tap == "tapA");
  CHECK(o->interfaces.at("b").mac == "02:00:00:00:00:0b");
  CHECK(contains(fails(base({"--interface", "tap0"})), "expected NAME=VALUE"));
  CHECK(contains(fails(base({"--interface", "=tap0"})), "expected NAME=VALUE"));
  CHECK(contains(fails(base({"--interface", "a="})), "expected NAME=VALUE"));
  CHECK(contains(fails(base({"--interface", "a=,02:00:00:00:00:01"})), "--interface a: no tap name"));
}

TEST_CASE("the volume flag: NAME=PATH, optionally with a format", "[cmd][launcher]") {
  auto o = parse_options(base({"--volume", "a=/a.img", "--volume", "b=/b.img,raw", "--volume", "c=/dir,x/c.img,qcow2"}));
  REQUIRE(o);
  CHECK(o->volumes.at("a").format == "raw");
  CHECK(o->volumes.at("b").path == "/b.img");
  CHECK(o->volumes.at("b").format == "raw");
  CHECK(o->volumes.at("c").path == "/dir,x/c.img");
  CHECK(o->volumes.at("c").format == "qcow2");
  CHECK(contains(fails(base({"--volume", "a=/a.img,vmdk"})), "--volume a: format \"vmdk\" is not raw or qcow2"));
  CHECK(contains(fails(base({"--volume", "a=/a.img,"})), "is not raw or qcow2"));
  CHECK(contains(fails(base({"--volume", "/a.img"})), "expected NAME=VALUE"));
}

TEST_CASE("the await-start flag takes 1 to 86400 seconds; without it the domain starts at once", "[cmd][launcher]") {
  CHECK_FALSE(parse_options(base({}))->await_start_s);
  CHECK(parse_options(base({"--await-start", "300"}))->await_start_s == 300);
  CHECK(parse_options(base({"--await-start=1"}))->await_start_s == 1);
  CHECK(contains(fails(base({"--await-start", "0"})), "not between 1 and 86400"));
  CHECK(contains(fails(base({"--await-start", "86401"})), "not between 1 and 86400"));
  CHECK(contains(fails(base({"--await-start", "-5"})), "--await-start"));
  CHECK(contains(fails(base({"--await-start"})), "--await-start needs a value"));
  CHECK(contains(usage, "--await-start SECONDS"));
}
