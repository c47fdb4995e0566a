// libFuzzer harness: a line from the agent's end of the command channel →
// parse_launcher_request. Any input must give a request or an invalid_argument error,
// never an exception or a crash; for every request that parses:
//  - it holds only what its op allows (versions for hello, a grace period in range for
//    shutdown) — what the control server relies on without checking again;
//  - rendering it gives one line that parses again to an equal request, and rendering
//    that gives the same line.
// Error lines for whatever was refused render too (the server sends them back).
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
  return a.op == b.op && a.versions == b.versions && a.grace_seconds == b.grace_seconds;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
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
