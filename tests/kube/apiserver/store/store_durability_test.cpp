// Durability against kill -9: a child process writes as fast as it can and reports every
// acknowledged write through a pipe; the parent kills it with SIGKILL mid-burst, reopens
// the store and checks that every acknowledged write is there with its resourceVersion.

#include "kube/apiserver/store/store.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <csignal>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/kube/apiserver/store/store_fixture.hpp"

using namespace podvisor::kube::apiserver;
using namespace podvisor::test;

namespace {

/// One acknowledged write, as the child reports it.
struct ack {
  std::uint32_t object = 0;
  std::uint32_t op = 0; // 0 create, 1 update
  std::uint64_t rv = 0;
};

std::string name_of(std::uint32_t object) {
  return "p" + std::to_string(object);
}

/// The child: writes until killed; never returns.
[[noreturn]] void write_until_killed(const temp_dir& dir, durability mode, int out) {
  auto opened = store::open({.data_dir = dir.path(), .sync = mode});
  if (!opened)
    _exit(2);
  auto& s = *opened.value();
  auto report = [&](const ack& a) {
    // A write of at most PIPE_BUF bytes to a pipe is atomic: the parent never sees half.
    if (write(out, &a, sizeof a) != static_cast<ssize_t>(sizeof a))
      _exit(3);
  };
  for (std::uint32_t i = 0;; ++i) {
    auto name = name_of(i);
    auto created = s.create({pods, "ns", name}, object_json("ns", name, "1"));
    if (!created)
      _exit(4);
    report({i, 0, created->rv});
    if (i % 3 == 0) {
      auto updated = s.update({pods, "ns", name}, object_json("ns", name, "2"));
      if (!updated)
        _exit(5);
      report({i, 1, updated->object.rv});
    }
  }
}

/// Reads exactly one ack; false at end of stream.
bool read_ack(int in, ack& a) {
  auto* bytes = reinterpret_cast<char*>(&a);
  std::size_t got = 0;
  while (got < sizeof a) {
    auto n = read(in, bytes + got, sizeof a - got);
    if (n <= 0)
      return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

} // namespace

TEST_CASE("every write acknowledged before SIGKILL survives with its RV", "[kube][apiserver][store][durability]") {
  auto mode = GENERATE(durability::process_crash, durability::power_loss);
  INFO("durability " << podvisor::kube::api::to_string(mode));
  temp_dir dir;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    write_until_killed(dir, mode, fds[1]);
  }
  close(fds[1]);

  std::vector<ack> acks;
  ack a;
  bool killed = false;
  while (read_ack(fds[0], a)) {
    acks.push_back(a);
    if (!killed && acks.size() >= 400) {
      REQUIRE(kill(child, SIGKILL) == 0); // mid-burst: the child is still writing
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  REQUIRE(acks.size() >= 400);

  auto s = open_store(dir);
  const auto last_ack = acks.back().rv;
  // At most one write can have committed without its ack reaching the pipe.
  CHECK((s->current_rv() == last_ack || s->current_rv() == last_ack + 1));

  // Every acknowledged write is in the history with its RV, key and type...
  auto w = s->watch({.resource = pods, .from_rv = 1}).value();
  std::map<std::uint64_t, event_ptr> history;
  for (;;) {
    auto next = w->next(std::chrono::milliseconds(0));
    if (next.status != watch_status::event)
      break;
    history[next.event->rv] = next.event;
  }
  std::map<std::uint32_t, ack> last_by_object;
  for (const auto& acked : acks) {
    INFO("object " << acked.object << " op " << acked.op << " rv " << acked.rv);
    auto it = history.find(acked.rv);
    REQUIRE(it != history.end());
    CHECK(it->second->key.name == name_of(acked.object));
    CHECK(it->second->type == (acked.op == 0 ? event_type::added : event_type::modified));
    last_by_object[acked.object] = acked;
  }
  // ...and every acknowledged object is stored with the RV of its last acknowledged write
  // (or of the one write that may have committed after it, unacknowledged).
  for (const auto& [object, acked] : last_by_object) {
    INFO("object " << object);
    auto stored = s->get({pods, "ns", name_of(object)});
    REQUIRE(stored.has_value());
    if (stored->rv != acked.rv) {
      CHECK(stored->rv == last_ack + 1);
      CHECK(acked.op == 0);
    }
    auto meta_rv = nlohmann::json::parse(stored->text())["metadata"]["resourceVersion"];
    CHECK(meta_rv == std::to_string(stored->rv));
  }
  // The counter continues; no RV is handed out twice.
  auto next = s->create({pods, "ns", "after"}, object_json("ns", "after", "1"));
  REQUIRE(next.has_value());
  CHECK(next->rv == s->current_rv());
  CHECK(next->rv > last_ack);
}
