#pragma once
// Can KVM really run a normal guest here? /dev/kvm existing is not enough: on machines
// whose KVM is PVM (the kvm_pvm module) SeaBIOS runs, but a stock Debian kernel dies with
// an emulation failure at cmpxchg16b / xrstor. The launcher asks this once and chooses
// the domain type (kvm, or qemu = TCG), reporting the reason.
//
// How: a tiny guest through the KVM ioctl API in a child process (so a hang or a crash
// cannot take the caller with it): KVM_CREATE_VM, 2 MiB of memory, identity-mapped page
// tables, long mode set directly through the special registers, then code that enables
// x87/SSE state (xsetbv), runs lock cmpxchg16b, xsave and xrstor, and halts. Usable means
// the vCPU exits with KVM_EXIT_HLT and the cmpxchg16b result is in memory, within the
// timeout. Independently, a loaded kvm_pvm module makes KVM unusable: the guests we boot
// are stock kernels, which PVM cannot run, even when the small test guest passes.
//
// Plain C++, Linux only; no libvirt, no CAF.

#include <chrono>
#include <string>

namespace podvisor::virt {

/// The verdict and why, for people ("KVM usable: ran a long-mode test guest ...",
/// "no /dev/kvm", "/dev/kvm is PVM (kvm_pvm): ...").
struct kvm_probe_result {
  bool usable = false;
  std::string reason;
};

/// Where to look, for tests; the defaults are the real machine's.
struct kvm_probe_options {
  std::string device = "/dev/kvm";
  /// /sys/module: a kvm_pvm directory there means the loaded KVM is PVM.
  std::string sys_module_dir = "/sys/module";
  /// How long the test guest may take from fork to hlt.
  std::chrono::milliseconds timeout{3000};
};

/// Decides whether KVM can run a normal guest. Never throws; takes a few milliseconds
/// when KVM works, at most about `timeout` when the guest hangs.
kvm_probe_result probe_kvm(const kvm_probe_options& options = {});

} // namespace podvisor::virt
