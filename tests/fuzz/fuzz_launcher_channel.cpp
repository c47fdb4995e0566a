// libFuzzer harness: a line from the agent's end of the command channel →
// parse_launcher_request. Any input must give a request or an invalid_argument error,
// never an exception or a crash; for every request that parses:
//  - it holds only what its op allows (versions for hello, a grace period in range for
//    shutdown, absolute paths under bounded interface names for start) — what the control
//    server relies on without checking again;
//  - rendering it gives one line that parses again to an equal request, and rendering
//    that gives the same line.
// Error lines for whatever was refused render too (the server sends them back).
// The same bytes as an answer or event line (what the agent's client reads from a
// launcher) give a value or an error, never a crash; a parsed event renders and parses
// back to the same event.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/launcher_channel.hpp"

using namespace podvisor;
using namespace podvisor::protocols;

namespace {

void check(bool ok) {
  if (!ok)
    __builtin_trap();
}

bool same(const launcher_request& a, const launcher_request& b) {
  return a.op == b.op && a.versions == b.versions && a.grace_seconds == b.grace_seconds && a.networks == b.networks;
}

void check_answers(std::string_view line) {
  (void)parse_launcher_ack(line);
  if (auto h = parse_launcher_hello(line))
    check(h->pid > 0);
  if (auto s = parse_launcher_status(line)) {
    auto again = parse_launcher_status(render_launcher_status(*s));
    check(again.has_value() && again->leases.size() == s->leases.size());
    check(again->stats.has_value() == s->stats.has_value());
    if (s->stats)
      check(again->stats->interfaces == s->stats->interfaces && again->stats->blocks == s->stats->blocks);
  }
  if (auto e = parse_launcher_event(line)) {
    auto rendered = render_launcher_event(*e);
    auto again = parse_launcher_event(rendered);
    check(again.has_value() && again->what == e->what && render_launcher_event(*again) == rendered);
  } else {
    check(e.error().code == errc::parse_error);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  check_answers(line);
  auto req = parse_launcher_request(line);
  if (!req) {
    check(req.error().code == errc::invalid_argument);
    check(!req.error().message.empty());
    check(!render_launcher_error(req.error()).empty());
    return 0;
  }
  check(req->op == launcher_op::hello || req->versions.empty());
  check(req->op != launcher_op::hello || !req->versions.empty());
  check(req->op == launcher_op::shutdown || !req->grace_seconds);
  check(req->op == launcher_op::start || req->networks.empty());
  check(req->networks.size() <= launcher_channel_max_networks);
  for (const auto& [name, path] : req->networks) {
    check(!name.empty() && name.size() <= launcher_channel_max_interface_name);
    check(!path.empty() && path.front() == '/' && path.size() <= launcher_channel_max_path);
    check(path.find('\0') == std::string::npos && name.find('\0') == std::string::npos);
  }
  if (req->grace_seconds)
    check(*req->grace_seconds >= 0 && *req->grace_seconds <= launcher_channel_max_grace_s);
  (void)pick_launcher_channel_version(req->versions);

  std::string rendered = render_launcher_request(*req);
  check(rendered.find('\n') == std::string::npos);
  auto again = parse_launcher_request(rendered);
  check(again.has_value());
  check(same(*req, *again));
  check(render_launcher_request(*again) == rendered);
  return 0;
}
