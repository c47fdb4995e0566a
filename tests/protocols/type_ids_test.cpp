#include "protocols/type_ids.hpp"

#include <chrono>
#include <string>

#include <caf/all.hpp>
#include <catch2/catch_test_macros.hpp>

// A message type of the tests' own, in a block appended to Podvisor's (the library's
// block registers only the mechanism until real protocols arrive).
namespace podvisor_test {

struct ping {
  std::string from;
  int seq = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ping& x) {
  return f(caf::meta::type_name("podvisor_test::ping"), x.from, x.seq);
}

} // namespace podvisor_test

CAF_BEGIN_TYPE_ID_BLOCK(podvisor_test, caf::id_block::podvisor::end)
CAF_ADD_TYPE_ID(podvisor_test, (podvisor_test::ping))
CAF_END_TYPE_ID_BLOCK(podvisor_test)

TEST_CASE("the podvisor type-ID block starts at the first custom ID", "[protocols][type_ids]") {
  STATIC_REQUIRE(caf::id_block::podvisor::begin == caf::first_custom_type_id);
  STATIC_REQUIRE(caf::id_block::podvisor::end >= caf::id_block::podvisor::begin);
  STATIC_REQUIRE(caf::type_id<podvisor_test::ping>::value == caf::id_block::podvisor::end);
  CHECK(std::string{caf::type_name<podvisor_test::ping>::value} == "podvisor_test::ping");
}

TEST_CASE("registered message types get their portable names", "[protocols][type_ids]") {
  caf::actor_system_config cfg;
  podvisor::protocols::register_types(cfg);
  cfg.add_message_types<caf::id_block::podvisor_test>();
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};

  CHECK(sys.types().portable_name(0, &typeid(podvisor_test::ping)) == "podvisor_test::ping");
  // Constructible by name: what a remote node does with an incoming message.
  auto value = sys.types().make_value("podvisor_test::ping");
  REQUIRE(value != nullptr);

  auto echo = sys.spawn([]() -> caf::behavior {
    return {[](podvisor_test::ping p) { return podvisor_test::ping{"echo", p.seq + 1}; }};
  });
  caf::scoped_actor self{sys};
  bool answered = false;
  self->request(echo, std::chrono::seconds{10}, podvisor_test::ping{"test", 1})
    .receive(
      [&](const podvisor_test::ping& reply) {
        answered = true;
        CHECK(reply.from == "echo");
        CHECK(reply.seq == 2);
      },
      [](const caf::error& err) { FAIL("unexpected error " << caf::to_string(err)); });
  CHECK(answered);
  CHECK(caf::to_string(caf::make_message(podvisor_test::ping{"a", 3})) == R"((podvisor_test::ping("a", 3)))");
  self->send_exit(echo, caf::exit_reason::user_shutdown);
}
