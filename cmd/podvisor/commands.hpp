#pragma once
// The podvisor CLI's commands. Each returns the process exit code: 0 success,
// 1 the command ran and found a problem (e.g. an invalid manifest), 2 bad usage.

#include <string_view>
#include <vector>

namespace podvisor::cli {

/// `podvisor validate -f FILE... [-o text|json]`: parse, default and validate manifests.
int run_validate(const std::vector<std::string_view>& args);

/// `podvisor up [--examples DIR]`: run what exists of Podvisor on this machine.
int run_up(const std::vector<std::string_view>& args);

/// `podvisor start|stop|restart vm NAME [-n NS] [--kubeconfig F]` (`verb` is the action).
int run_power(std::string_view verb, const std::vector<std::string_view>& args);

/// `podvisor introspect vmi NAME [-n NS] [--kubeconfig F] [-o json] [--watch]`: what the
/// node agent running the VMI knows about it.
int run_introspect(const std::vector<std::string_view>& args);

/// `podvisor console vmi NAME [-n NS] [--kubeconfig F] [-f] [--tail KIB]`: the VMI's serial
/// console, read-only, from its node agent.
int run_console(const std::vector<std::string_view>& args);

} // namespace podvisor::cli
