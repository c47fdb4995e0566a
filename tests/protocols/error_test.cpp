#include "protocols/error.hpp"

#include <chrono>
#include <string>

#include <caf/all.hpp>
#include <catch2/catch_test_macros.hpp>

#include "protocols/type_ids.hpp"

using namespace podvisor;
using podvisor::protocols::from_caf_error;
using podvisor::protocols::to_caf_error;

namespace {

// A system with nothing but Podvisor's registrations, the way protocols/ users see it.
struct test_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  test_system() {
    protocols::register_types(cfg);
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

constexpr auto request_timeout = std::chrono::seconds{10};

} // namespace

TEST_CASE("errc converts to caf::error through ADL make_error", "[protocols][error]") {
  caf::error e = errc::timeout;
  REQUIRE(static_cast<bool>(e));
  CHECK(e.category() == protocols::error_category);
  CHECK(e.code() == static_cast<std::uint8_t>(errc::timeout));
  CHECK(e == errc::timeout);
  CHECK(e != errc::not_found);
  CHECK(e.context().empty());

  auto with_text = make_error(errc::gone, "watch expired");
  CHECK(from_caf_error(with_text) == error{errc::gone, "watch expired"});
}

TEST_CASE("every errc round-trips through caf::error", "[protocols][error]") {
  for (std::size_t i = 1; i < errc_count; ++i) {
    auto code = static_cast<errc>(i);
    INFO("errc " << to_string(code));
    for (const error& e : {error{code}, error{code, "vmi default/x"}, error{code, "m \"quoted\"", "ctx: inner"}}) {
      auto ce = to_caf_error(e);
      REQUIRE(static_cast<bool>(ce));
      CHECK(ce.category() == protocols::error_category);
      CHECK(from_caf_error(ce) == e);
    }
  }
  CHECK_FALSE(static_cast<bool>(to_caf_error(error{})));
  CHECK(from_caf_error(caf::error{}).ok());
}

TEST_CASE("podvisor errors render as podvisor.code(\"message\")", "[protocols][error]") {
  test_system ts;
  auto& sys = *ts.sys;
  CHECK(sys.render(to_caf_error({errc::not_found, "vmi default/x"})) == R"(podvisor.not_found("vmi default/x"))");
  CHECK(sys.render(to_caf_error({errc::conflict, "stale", "update vmi default/x"})) ==
        R"(podvisor.conflict("stale", "update vmi default/x"))");
  CHECK(sys.render(to_caf_error({errc::internal})) == "podvisor.internal");
  CHECK(sys.render(make_error(errc::io_error, "say \"hi\"")) == R"(podvisor.io_error("say \"hi\""))");
  CHECK(protocols::render_error(200, protocols::error_category, caf::make_message()) == "podvisor.code_200");
}

TEST_CASE("errors of other categories map to internal, timeout or unavailable", "[protocols][error]") {
  auto timeout = from_caf_error(caf::sec::request_timeout);
  CHECK(timeout.code == errc::timeout);
  CHECK(timeout.message == "system_error(request_timeout)");
  CHECK(from_caf_error(caf::sec::request_receiver_down) == errc::unavailable);

  auto other = from_caf_error(caf::sec::unexpected_message);
  CHECK(other.code == errc::internal);
  CHECK(other.message == "system_error(unexpected_message)");
  CHECK(from_caf_error(caf::exit_reason::kill) == errc::internal);

  auto unknown_code = from_caf_error(caf::error{99, protocols::error_category});
  CHECK(unknown_code.code == errc::internal);
  CHECK(unknown_code.message.find("99") != std::string::npos);

  test_system ts;
  auto rendered = from_caf_error(*ts.sys, caf::error{caf::sec::unexpected_message});
  CHECK(rendered == error{errc::internal, ts.sys->render(caf::sec::unexpected_message)});
  CHECK(from_caf_error(*ts.sys, to_caf_error({errc::gone, "x"})) == error{errc::gone, "x"});
}

TEST_CASE("a requester sees an actor's podvisor error as the same errc and message", "[protocols][error]") {
  test_system ts;
  auto& sys = *ts.sys;
  auto lookup = sys.spawn([]() -> caf::behavior {
    return {
      [](const std::string& key) -> caf::result<std::string> {
        if (key == "slow")
          return caf::error{errc::timeout};
        return to_caf_error({errc::not_found, "vmi " + key});
      },
    };
  });
  caf::scoped_actor self{sys};

  bool answered = false;
  self->request(lookup, request_timeout, std::string{"default/x"})
    .receive([](const std::string&) { FAIL("expected an error"); },
             [&](const caf::error& err) {
               answered = true;
               CHECK(err == errc::not_found);
               CHECK(from_caf_error(err) == error{errc::not_found, "vmi default/x"});
               CHECK(sys.render(err) == R"(podvisor.not_found("vmi default/x"))");
             });
  CHECK(answered);

  answered = false;
  self->request(lookup, request_timeout, std::string{"slow"})
    .receive([](const std::string&) { FAIL("expected an error"); },
             [&](const caf::error& err) {
               answered = true;
               CHECK(from_caf_error(err) == error{errc::timeout});
               CHECK(sys.render(err) == "podvisor.timeout");
             });
  CHECK(answered);
  self->send_exit(lookup, caf::exit_reason::user_shutdown);
}
