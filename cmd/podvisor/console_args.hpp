#pragma once
// `podvisor console vmi NAME`'s command line, parsed without side effects so that tests
// check it.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace podvisor::cli {

/// `vmi NAME [-n NS] [--kubeconfig FILE] [-f] [--tail KIB]`.
struct console_options {
  std::string name;
  std::string namespace_; ///< empty: the kubeconfig context's namespace
  std::string kubeconfig; ///< empty: $KUBECONFIG, in-cluster, ~/.kube/config
  bool follow = false;    ///< -f: keep printing what the guest writes
  int tail_kib = 64;      ///< how much of the log's end first (1-1024)
  bool help = false;
};

/// Parses the arguments after "console"; invalid_argument with a message for the user.
expected<console_options> parse_console_args(const std::vector<std::string_view>& args);

/// "/v1/supervisors/NS/NAME/console?tail=KIB" (+ "&follow=true").
std::string console_path(std::string_view ns, std::string_view name, int tail_kib, bool follow);

} // namespace podvisor::cli
