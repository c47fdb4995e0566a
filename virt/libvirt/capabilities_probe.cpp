#include "virt/libvirt/capabilities_probe.hpp"

#include <cstdlib>
#include <libvirt/libvirt.h>
#include <sys/utsname.h>

#include "virt/libvirt/last_error.hpp"

namespace podvisor::virt {

expected<std::chrono::milliseconds> probe_qemu_capabilities(const std::string& uri) {
  const auto started = std::chrono::steady_clock::now();
  virConnectPtr c = virConnectOpen(uri.c_str());
  if (c == nullptr)
    return last_libvirt_error("open libvirt connection " + uri);
  utsname host{};
  const char* arch = ::uname(&host) == 0 ? host.machine : nullptr;
  // No emulator, machine or virt type: the daemon's defaults for this architecture,
  // which is the binary a domain of the host's architecture uses.
  char* caps = virConnectGetDomainCapabilities(c, nullptr, arch, nullptr, nullptr, 0);
  error failed;
  if (caps == nullptr)
    failed = last_libvirt_error("domain capabilities from " + uri);
  std::free(caps); // NOLINT: allocated by libvirt with malloc
  virConnectClose(c);
  if (failed)
    return failed;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
}

} // namespace podvisor::virt
