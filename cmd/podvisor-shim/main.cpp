// podvisor-shim SPEC: monitors one container of a simulated node's pod (see
// kube/podlet/shim.hpp). Started by the podlet's sandbox runtime, not by people.
#include <cstdio>
#include <string>

#include "kube/podlet/shim.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: podvisor-shim LAUNCH_SPEC.json\n");
    return 2;
  }
  return podvisor::kube::podlet::run_shim(argv[1]);
}
