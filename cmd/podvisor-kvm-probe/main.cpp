// podvisor-kvm-probe: says whether KVM can really run a normal guest on this machine, and
// why. Exit status 0 when usable, 1 when not (guests then run under TCG).
#include <cstdio>
#include <cstring>

#include "virt/kvm_probe.hpp"

int main(int argc, char** argv) {
  if (argc > 1) {
    const bool help = std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0;
    std::fprintf(help ? stdout : stderr,
                 "usage: podvisor-kvm-probe\n"
                 "Runs a tiny long-mode test guest through /dev/kvm and prints whether KVM is usable.\n"
                 "Exit status: 0 usable, 1 not usable (use TCG).\n");
    return help ? 0 : 2;
  }
  auto result = podvisor::virt::probe_kvm();
  std::printf("%s: %s\n", result.usable ? "usable" : "not usable", result.reason.c_str());
  return result.usable ? 0 : 1;
}
