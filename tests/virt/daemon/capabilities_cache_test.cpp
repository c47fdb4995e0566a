#include "virt/daemon/capabilities_cache.hpp"

#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <sstream>

#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::virt;
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void put(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}
} // namespace

TEST_CASE("first start on a node: nothing to seed, the probe result is published") {
  scoped_temp_dir tmp;
  auto node = tmp.path() / "node";
  auto priv = tmp.path() / "priv";
  auto seeded = seed_cache(node, priv);
  REQUIRE(seeded);
  CHECK(*seeded == 0);
  auto before = snapshot_cache(priv);
  CHECK(before.empty());

  put(priv / "x86_64.xml", "<qemuCaps>probe 1</qemuCaps>");
  auto outcome = publish_cache(priv, node, before);
  REQUIRE(outcome);
  CHECK(*outcome == capabilities_outcome::probed);
  CHECK(slurp(node / "x86_64.xml") == "<qemuCaps>probe 1</qemuCaps>");
}

TEST_CASE("a valid seed is reused and the node copy is left alone") {
  scoped_temp_dir tmp;
  auto node = tmp.path() / "node";
  auto priv = tmp.path() / "priv";
  put(node / "x86_64.xml", "<qemuCaps>good</qemuCaps>");
  put(node / "README", "not an entry"); // only *.xml entries are copied
  auto seeded = seed_cache(node, priv);
  REQUIRE(seeded);
  CHECK(*seeded == 1);
  CHECK_FALSE(fs::exists(priv / "README"));
  auto before = snapshot_cache(priv);
  auto outcome = publish_cache(priv, node, before);
  REQUIRE(outcome);
  CHECK(*outcome == capabilities_outcome::reused);
}

TEST_CASE("a stale seed that libvirt re-probed is replaced on the node") {
  scoped_temp_dir tmp;
  auto node = tmp.path() / "node";
  auto priv = tmp.path() / "priv";
  put(node / "x86_64.xml", "<qemuCaps>old qemu</qemuCaps>");
  REQUIRE(seed_cache(node, priv));
  auto before = snapshot_cache(priv);
  put(priv / "x86_64.xml", "<qemuCaps>new qemu</qemuCaps>");
  auto outcome = publish_cache(priv, node, before);
  REQUIRE(outcome);
  CHECK(*outcome == capabilities_outcome::refreshed);
  CHECK(slurp(node / "x86_64.xml") == "<qemuCaps>new qemu</qemuCaps>");
  // No temporary files are left behind by the atomic publish.
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(node))
    ++files;
  CHECK(files == 1);
}

TEST_CASE("nothing written by libvirt yet: outcome none, node untouched") {
  scoped_temp_dir tmp;
  auto outcome = publish_cache(tmp.path() / "priv", tmp.path() / "node", {});
  REQUIRE(outcome);
  CHECK(*outcome == capabilities_outcome::none);
  CHECK_FALSE(fs::exists(tmp.path() / "node"));
}

TEST_CASE("one probe turn at a time per node; the next waiter gets it once released") {
  scoped_temp_dir tmp("pv-caps-");
  const auto node = tmp.path() / "node"; // created on demand
  auto first = wait_for_probe_turn(node, std::chrono::milliseconds(0));
  REQUIRE(first);
  CHECK(fs::exists(node / ".probe.lock"));

  // flock conflicts between open files, so a second holder in this process waits too.
  auto second = wait_for_probe_turn(node, std::chrono::milliseconds(50));
  REQUIRE_FALSE(second);
  CHECK(second.error().code == errc::timeout);
  CHECK(second.error().message.find("probing QEMU") != std::string::npos);

  { auto released = std::move(*first); } // the moved-to holder releases at scope end
  auto third = wait_for_probe_turn(node, std::chrono::milliseconds(0));
  CHECK(third);
}

TEST_CASE("a probe turn on a path that cannot hold the lock is an io_error naming it") {
  scoped_temp_dir tmp("pv-caps-");
  put(tmp.path() / "a-file", "x");
  auto turn = wait_for_probe_turn(tmp.path() / "a-file", std::chrono::milliseconds(0));
  REQUIRE_FALSE(turn);
  CHECK(turn.error().code == errc::io_error);
  CHECK(turn.error().message.find("a-file") != std::string::npos);
}
