#include "protocols/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace podvisor {

caf::error make_error(errc code) {
  return caf::error{static_cast<std::uint8_t>(code), protocols::error_category};
}

caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<std::uint8_t>(code), protocols::error_category,
                    caf::make_message(std::move(message))};
}

} // namespace podvisor

namespace podvisor::protocols {

namespace {

// Errors of other categories: the two CAF request failures callers retry on keep their
// meaning; everything else is internal, with the text that says what it was.
errc classify_foreign(const caf::error& e) {
  if (e.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(e.code());
    if (code == caf::sec::request_timeout)
      return errc::timeout;
    if (code == caf::sec::request_receiver_down)
      return errc::unavailable;
  }
  return errc::internal;
}

podvisor::error from_podvisor(const caf::error& e) {
  auto code = errc_from_code(e.code());
  const auto& ctx = e.context();
  if (!code)
    return {errc::internal, "podvisor error with unknown code " + std::to_string(e.code()) + caf::to_string(ctx)};
  if (ctx.empty())
    return {*code};
  if (ctx.match_elements<std::string>())
    return {*code, ctx.get_as<std::string>(0)};
  if (ctx.match_elements<std::string, std::string>())
    return {*code, ctx.get_as<std::string>(0), ctx.get_as<std::string>(1)};
  // Made by hand with other context types: keep what it said.
  return {*code, caf::to_string(ctx)};
}

} // namespace

caf::error to_caf_error(const podvisor::error& e) {
  if (e.ok())
    return caf::error{};
  auto code = static_cast<std::uint8_t>(e.code);
  if (e.message.empty() && e.context.empty())
    return caf::error{code, error_category};
  if (e.context.empty())
    return caf::error{code, error_category, caf::make_message(e.message)};
  return caf::error{code, error_category, caf::make_message(e.message, e.context)};
}

podvisor::error from_caf_error(const caf::error& e) {
  if (!e)
    return {};
  if (e.category() == error_category)
    return from_podvisor(e);
  return {classify_foreign(e), caf::to_string(e)};
}

podvisor::error from_caf_error(const caf::actor_system& system, const caf::error& e) {
  if (!e)
    return {};
  if (e.category() == error_category)
    return from_podvisor(e);
  return {classify_foreign(e), system.render(e)};
}

std::string render_error(std::uint8_t code, caf::atom_value, const caf::message& context) {
  std::string out = "podvisor.";
  if (auto c = errc_from_code(code))
    out += to_string(*c);
  else
    out += "code_" + std::to_string(code);
  // CAF renders a message as a tuple with quoted, escaped strings: ("a", "b").
  if (!context.empty())
    out += caf::to_string(context);
  return out;
}

void add_error_category(caf::actor_system_config& cfg) {
  cfg.add_error_category(error_category, render_error);
}

} // namespace podvisor::protocols
