#include "cmd/podvisor/console_args.hpp"

namespace podvisor::cli {

expected<console_options> parse_console_args(const std::vector<std::string_view>& args) {
  console_options o;
  bool saw_kind = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    auto value = [&](std::string_view flag) -> expected<std::string> {
      if (i + 1 >= args.size() || args[i + 1].empty())
        return error{errc::invalid_argument, std::string(flag) + " needs a value"};
      return std::string(args[++i]);
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    }
    if (a == "-f" || a == "--follow") {
      o.follow = true;
    } else if (a == "-n" || a == "--namespace") {
      auto v = value(a);
      if (!v)
        return v.error();
      o.namespace_ = *v;
    } else if (a == "--kubeconfig") {
      auto v = value(a);
      if (!v)
        return v.error();
      o.kubeconfig = *v;
    } else if (a == "--tail") {
      auto v = value(a);
      if (!v)
        return v.error();
      int n = 0;
      bool ok = !v->empty() && v->size() <= 4;
      for (char c : *v) {
        ok = ok && c >= '0' && c <= '9';
        n = n * 10 + (c - '0');
      }
      if (!ok || n < 1 || n > 1024)
        return error{errc::invalid_argument, "--tail must be 1 to 1024 (KiB), not \"" + *v + "\""};
      o.tail_kib = n;
    } else if (a.starts_with("-")) {
      return error{errc::invalid_argument, "unknown flag \"" + std::string(a) + "\""};
    } else if (!saw_kind) {
      if (a != "vmi" && a != "vmis" && a != "virtualmachineinstance")
        return error{errc::invalid_argument, "only VMIs have a console: podvisor console vmi NAME"};
      saw_kind = true;
    } else if (o.name.empty()) {
      o.name = std::string(a);
    } else {
      return error{errc::invalid_argument, "one VMI at a time (\"" + std::string(a) + "\" is extra)"};
    }
  }
  if (o.name.empty())
    return error{errc::invalid_argument, "which VMI? podvisor console vmi NAME"};
  return o;
}

std::string console_path(std::string_view ns, std::string_view name, int tail_kib, bool follow) {
  return "/v1/supervisors/" + std::string(ns) + "/" + std::string(name) + "/console?tail=" + std::to_string(tail_kib) +
         (follow ? "&follow=true" : "");
}

} // namespace podvisor::cli
