#include "virt/kvm_probe.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace podvisor::virt {

namespace {

/// Where the child got to, and what it saw. Plain data: it crosses a pipe.
enum class stage : std::int32_t {
  ok,
  open,
  api_version,
  create_vm,
  guest_memory,
  create_vcpu,
  vcpu_mmap,
  cpuid,
  sregs,
  regs,
  run,
  exit,       ///< the vCPU exited for another reason than hlt
  check,      ///< halted, but cmpxchg16b did not store its result
};

struct raw_result {
  stage where = stage::ok;
  std::int32_t err = 0;           ///< errno of the failed call
  std::uint32_t exit_reason = 0;  ///< KVM_EXIT_*
  std::uint32_t suberror = 0;     ///< KVM_INTERNAL_ERROR_* for KVM_EXIT_INTERNAL_ERROR
  std::uint64_t rip = 0;          ///< where the vCPU stopped
};

// Guest physical layout (2 MiB, identity-mapped by one 2 MiB page).
constexpr std::uint64_t mem_size = 0x200000;
constexpr std::uint64_t pml4_at = 0x1000;
constexpr std::uint64_t pdpt_at = 0x2000;
constexpr std::uint64_t pd_at = 0x3000;
constexpr std::uint64_t code_at = 0x8000;
constexpr std::uint64_t cmpxchg_at = 0x10000; // 16-byte aligned
// xsave area at 0x11000 (64-byte aligned), set in the code below.

// The test program, 64-bit code; offsets of the instructions that matter are named so a
// failure can say where it stopped.
constexpr unsigned char code[] = {
    0x31, 0xC9,                         //  0: xor ecx, ecx
    0xB8, 0x03, 0x00, 0x00, 0x00,       //  2: mov eax, 3            ; XCR0 = x87 | SSE
    0x31, 0xD2,                         //  7: xor edx, edx
    0x0F, 0x01, 0xD1,                   //  9: xsetbv
    0xBF, 0x00, 0x00, 0x01, 0x00,       // 12: mov edi, 0x10000
    0x31, 0xC0,                         // 17: xor eax, eax          ; expect rdx:rax = 0
    0x31, 0xD2,                         // 19: xor edx, edx
    0xBB, 0x01, 0x00, 0x00, 0x00,       // 21: mov ebx, 1            ; store rcx:rbx = 0:1
    0x31, 0xC9,                         // 26: xor ecx, ecx
    0xF0, 0x48, 0x0F, 0xC7, 0x0F,       // 28: lock cmpxchg16b [rdi]
    0xBE, 0x00, 0x10, 0x01, 0x00,       // 33: mov esi, 0x11000
    0xB8, 0x03, 0x00, 0x00, 0x00,       // 38: mov eax, 3            ; x87 | SSE state
    0x31, 0xD2,                         // 43: xor edx, edx
    0x0F, 0xAE, 0x26,                   // 45: xsave [rsi]
    0x0F, 0xAE, 0x2E,                   // 48: xrstor [rsi]
    0xF4,                               // 51: hlt
};

/// The instruction at guest address `rip`, in words.
std::string instruction_at(std::uint64_t rip) {
  if (rip < code_at || rip > code_at + sizeof(code))
    return "outside the test code";
  switch (rip - code_at) {
    case 9: return "xsetbv";
    case 28: return "cmpxchg16b";
    case 45: return "xsave";
    case 48: return "xrstor";
    case 51:
    case 52: return "hlt";
    default: return "offset " + std::to_string(rip - code_at);
  }
}

raw_result fail(stage s) {
  raw_result r;
  r.where = s;
  r.err = errno;
  return r;
}

/// Runs the test guest. Called in the child process: system calls only, no allocation.
raw_result run_test_guest(const char* device) {
  int kvm = open(device, O_RDWR | O_CLOEXEC);
  if (kvm < 0)
    return fail(stage::open);
  if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
    errno = 0;
    return fail(stage::api_version);
  }
  int vm = ioctl(kvm, KVM_CREATE_VM, 0);
  if (vm < 0)
    return fail(stage::create_vm);
  // Intel needs a TSS region below 4 GiB outside guest memory; harmless elsewhere.
  ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL);

  void* mem = mmap(nullptr, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED)
    return fail(stage::guest_memory);
  auto* bytes = static_cast<unsigned char*>(mem);
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.guest_phys_addr = 0;
  region.memory_size = mem_size;
  region.userspace_addr = reinterpret_cast<std::uint64_t>(mem);
  if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
    return fail(stage::guest_memory);

  auto put64 = [&](std::uint64_t at, std::uint64_t v) { std::memcpy(bytes + at, &v, sizeof v); };
  put64(pml4_at, pdpt_at | 0x3);  // present, writable
  put64(pdpt_at, pd_at | 0x3);
  put64(pd_at, 0x0 | 0x83);       // present, writable, 2 MiB page at 0
  std::memcpy(bytes + code_at, code, sizeof(code));

  int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  if (vcpu < 0)
    return fail(stage::create_vcpu);
  int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (run_size <= 0)
    return fail(stage::vcpu_mmap);
  void* run_map = mmap(nullptr, static_cast<std::size_t>(run_size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
  if (run_map == MAP_FAILED)
    return fail(stage::vcpu_mmap);
  auto* run = static_cast<kvm_run*>(run_map);

  // The guest sees what KVM supports (XSAVE among it), so CR4.OSXSAVE is accepted.
  constexpr std::uint32_t max_entries = 256;
  alignas(kvm_cpuid2) static unsigned char cpuid_buf[sizeof(kvm_cpuid2) + max_entries * sizeof(kvm_cpuid_entry2)];
  auto* cpuid = reinterpret_cast<kvm_cpuid2*>(cpuid_buf);
  cpuid->nent = max_entries;
  if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0 || ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0)
    return fail(stage::cpuid);

  kvm_sregs sregs{};
  if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
    return fail(stage::sregs);
  kvm_segment seg{};
  seg.base = 0;
  seg.limit = 0xffffffff;
  seg.present = 1;
  seg.dpl = 0;
  seg.s = 1;
  seg.g = 1;
  seg.selector = 2 << 3;
  seg.type = 3;  // data, read/write, accessed
  seg.db = 1;
  sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
  seg.selector = 1 << 3;
  seg.type = 11; // code, execute/read, accessed
  seg.db = 0;
  seg.l = 1;     // 64-bit
  sregs.cs = seg;
  sregs.cr3 = pml4_at;
  sregs.cr4 = (1U << 5) | (1U << 9) | (1U << 10) | (1U << 18); // PAE, OSFXSR, OSXMMEXCPT, OSXSAVE
  sregs.cr0 = 0x80050033;                                      // PG, WP, NE, ET, MP, PE
  sregs.efer = (1U << 8) | (1U << 10);                         // LME, LMA
  if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
    return fail(stage::sregs);

  kvm_regs regs{};
  regs.rip = code_at;
  regs.rflags = 0x2;
  regs.rsp = mem_size - 0x100;
  if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
    return fail(stage::regs);

  for (;;) {
    if (ioctl(vcpu, KVM_RUN, 0) < 0) {
      if (errno == EINTR)
        continue;
      return fail(stage::run);
    }
    if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0)
      regs.rip = 0;
    raw_result r;
    r.exit_reason = run->exit_reason;
    r.rip = regs.rip;
    if (run->exit_reason != KVM_EXIT_HLT) {
      r.where = stage::exit;
      if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
        r.suberror = run->internal.suberror;
      return r;
    }
    std::uint64_t stored = 0;
    std::memcpy(&stored, bytes + cmpxchg_at, sizeof stored);
    r.where = stored == 1 ? stage::ok : stage::check;
    return r;
  }
}

std::string exit_name(std::uint32_t reason) {
  switch (reason) {
    case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
    case KVM_EXIT_IO: return "KVM_EXIT_IO";
    case KVM_EXIT_MMIO: return "KVM_EXIT_MMIO";
    case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN (triple fault)";
    case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
    case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
    default: return "exit reason " + std::to_string(reason);
  }
}

/// The child's result in words.
std::string describe(const raw_result& r) {
  auto sys = [&](const char* what) { return std::string{what} + " failed: " + std::strerror(r.err); };
  switch (r.where) {
    case stage::ok: return "ran a long-mode test guest (xsetbv, cmpxchg16b, xsave/xrstor, hlt)";
    case stage::open: return sys("open");
    case stage::api_version: return "unexpected KVM API version";
    case stage::create_vm: return sys("KVM_CREATE_VM");
    case stage::guest_memory: return sys("setting up guest memory");
    case stage::create_vcpu: return sys("KVM_CREATE_VCPU");
    case stage::vcpu_mmap: return sys("mapping the vCPU");
    case stage::cpuid: return sys("setting the guest CPUID");
    case stage::sregs: return sys("entering long mode (KVM_SET_SREGS)");
    case stage::regs: return sys("KVM_SET_REGS");
    case stage::run: return sys("KVM_RUN");
    case stage::exit: {
      std::string s = "the test guest stopped with " + exit_name(r.exit_reason);
      if (r.exit_reason == KVM_EXIT_INTERNAL_ERROR)
        s += r.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (emulation failure)"
                                                        : " (suberror " + std::to_string(r.suberror) + ")";
      return s + " at " + instruction_at(r.rip) + " instead of halting";
    }
    case stage::check: return "the test guest halted but cmpxchg16b stored nothing";
  }
  return "unknown probe result";
}

/// Runs the test guest in a child process, bounded by `timeout`. `ok` is true when the
/// guest halted correctly; `what` says what happened either way.
struct guest_outcome {
  bool ok = false;
  std::string what;
};

guest_outcome run_in_child(const std::string& device, std::chrono::milliseconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0)
    return {false, std::string{"pipe failed: "} + std::strerror(errno)};
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(fds[0]);
    close(fds[1]);
    return {false, std::string{"fork failed: "} + std::strerror(err)};
  }
  if (pid == 0) {
    close(fds[0]);
    raw_result r = run_test_guest(device.c_str());
    ssize_t n = write(fds[1], &r, sizeof r);
    _exit(n == static_cast<ssize_t>(sizeof r) ? 0 : 1);
  }
  close(fds[1]);
  raw_result r;
  bool got = false;
  pollfd p{fds[0], POLLIN, 0};
  int ready = 0;
  do {
    ready = poll(&p, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready > 0)
    got = read(fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
  close(fds[0]);
  if (ready == 0)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (ready == 0)
    return {false, "the test guest did not halt within " + std::to_string(timeout.count()) + " ms"};
  if (!got) {
    if (WIFSIGNALED(status))
      return {false, "the probe process died of signal " + std::to_string(WTERMSIG(status))};
    return {false, "the probe process gave no answer"};
  }
  return {r.where == stage::ok, describe(r)};
}

bool exists(const std::string& path) {
  struct stat st{};
  return stat(path.c_str(), &st) == 0;
}

} // namespace

kvm_probe_result probe_kvm(const kvm_probe_options& options) {
  const bool pvm = exists(options.sys_module_dir + "/kvm_pvm");
  const std::string& dev = options.device;
  if (!exists(dev)) {
    if (pvm)
      return {false, "no " + dev + " (the kvm_pvm module is loaded but no KVM device is present)"};
    return {false, "no " + dev};
  }
  if (access(dev.c_str(), R_OK | W_OK) != 0)
    return {false, "cannot open " + dev + ": " + std::strerror(errno)};

  guest_outcome guest = run_in_child(dev, options.timeout);
  if (pvm)
    return {false, dev + " is PVM (kvm_pvm): SeaBIOS runs, but a stock kernel fails with an emulation failure at "
                         "cmpxchg16b / xrstor, so guests must run under TCG (test guest: " +
                       guest.what + ")"};
  if (!guest.ok)
    return {false, "KVM not usable: " + guest.what};
  return {true, "KVM usable: " + guest.what};
}

} // namespace podvisor::virt
