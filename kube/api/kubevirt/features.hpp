#pragma once
// kubevirt.io/v1 Features: ACPI, APIC, SMM, KVM hiding, paravirtual spinlocks and the
// Hyper-V enlightenments for Windows guests.

#include <cstdint>
#include <optional>
#include <string>

#include "kube/api/codec.hpp"
#include "kube/api/kubevirt/common.hpp"

namespace podvisor::kube::api {

/// FeatureAPIC.
struct feature_apic {
  std::optional<bool> enabled;
  bool end_of_interrupt = false;
  unknown_fields unknown;
  bool operator==(const feature_apic&) const = default;
};

template <class F>
void describe(F& f, feature_apic& x) {
  f("enabled", x.enabled, {.doc = "Whether the APIC is on; defaults to true once listed."});
  f("endOfInterrupt", x.end_of_interrupt, {.doc = "Enable end-of-interrupt notification in the guest."});
}

/// FeatureSpinlocks: Hyper-V spinlock retry count.
struct feature_spinlocks {
  std::optional<bool> enabled;
  std::optional<std::uint32_t> spinlocks;
  unknown_fields unknown;
  bool operator==(const feature_spinlocks&) const = default;
};

template <class F>
void describe(F& f, feature_spinlocks& x) {
  f("enabled", x.enabled, {.doc = "Whether the feature is on; defaults to true once listed."});
  f("spinlocks", x.spinlocks, {.doc = "Retries before a spinlock is reported, at least 4096; defaults to 4096."});
}

/// FeatureVendorID: the hypervisor vendor id the guest sees.
struct feature_vendor_id {
  std::optional<bool> enabled;
  std::string vendorid;
  unknown_fields unknown;
  bool operator==(const feature_vendor_id&) const = default;
};

template <class F>
void describe(F& f, feature_vendor_id& x) {
  f("enabled", x.enabled, {.doc = "Whether the feature is on; defaults to true once listed."});
  f("vendorid", x.vendorid, {.doc = "Vendor id, up to 12 characters."});
}

/// SyNICTimer: synthetic interrupt controller timers.
struct feature_synic_timer {
  std::optional<bool> enabled;
  std::optional<feature_state> direct;
  unknown_fields unknown;
  bool operator==(const feature_synic_timer&) const = default;
};

template <class F>
void describe(F& f, feature_synic_timer& x) {
  f("enabled", x.enabled, {.doc = "Whether the feature is on; defaults to true once listed."});
  f("direct", x.direct, {.doc = "Deliver timer expirations directly."});
}

/// TLBFlush: paravirtual TLB flushes.
struct feature_tlb_flush {
  std::optional<bool> enabled;
  std::optional<feature_state> direct;
  std::optional<feature_state> extended;
  unknown_fields unknown;
  bool operator==(const feature_tlb_flush&) const = default;
};

template <class F>
void describe(F& f, feature_tlb_flush& x) {
  f("enabled", x.enabled, {.doc = "Whether the feature is on; defaults to true once listed."});
  f("direct", x.direct, {.doc = "Send flushes directly to the hypervisor (nested virtualization)."});
  f("extended", x.extended, {.doc = "Allow partial flushes."});
}

/// FeatureHyperv: Hyper-V enlightenments. Each listed feature defaults to enabled, and
/// defaulting also switches on what an enabled feature depends on.
struct feature_hyperv {
  std::optional<feature_state> relaxed;
  std::optional<feature_state> vapic;
  std::optional<feature_spinlocks> spinlocks;
  std::optional<feature_state> vpindex;
  std::optional<feature_state> runtime;
  std::optional<feature_state> synic;
  std::optional<feature_synic_timer> synictimer;
  std::optional<feature_state> reset;
  std::optional<feature_vendor_id> vendorid;
  std::optional<feature_state> frequencies;
  std::optional<feature_state> reenlightenment;
  std::optional<feature_tlb_flush> tlbflush;
  std::optional<feature_state> ipi;
  std::optional<feature_state> evmcs;
  unknown_fields unknown;
  bool operator==(const feature_hyperv&) const = default;
};

template <class F>
void describe(F& f, feature_hyperv& x) {
  f("relaxed", x.relaxed, {.doc = "Tell the guest to relax watchdog timeouts."});
  f("vapic", x.vapic, {.doc = "Paravirtual interrupt handling."});
  f("spinlocks", x.spinlocks, {.doc = "Spinlock retry count."});
  f("vpindex", x.vpindex, {.doc = "Virtual processor index."});
  f("runtime", x.runtime, {.doc = "Better time accounting for guest scheduling."});
  f("synic", x.synic, {.doc = "Synthetic interrupt controller; needs vpindex."});
  f("synictimer", x.synictimer, {.doc = "Synthetic timers; need synic."});
  f("reset", x.reset, {.doc = "Hyper-V reset."});
  f("vendorid", x.vendorid, {.doc = "Hypervisor vendor id."});
  f("frequencies", x.frequencies, {.doc = "TSC and APIC frequencies for the guest."});
  f("reenlightenment", x.reenlightenment, {.doc = "Notify the guest of TSC frequency changes."});
  f("tlbflush", x.tlbflush, {.doc = "Paravirtual TLB flushes; need vpindex."});
  f("ipi", x.ipi, {.doc = "Paravirtual inter-processor interrupts; need vpindex."});
  f("evmcs", x.evmcs, {.doc = "Enlightened VMCS for nested guests; needs vapic."});
}

/// FeatureKVM.
struct feature_kvm {
  bool hidden = false;
  unknown_fields unknown;
  bool operator==(const feature_kvm&) const = default;
};

template <class F>
void describe(F& f, feature_kvm& x) {
  f("hidden", x.hidden, {.doc = "Hide KVM from MSR-based discovery."});
}

/// HyperVPassthrough.
struct feature_hyperv_passthrough {
  std::optional<bool> enabled;
  unknown_fields unknown;
  bool operator==(const feature_hyperv_passthrough&) const = default;
};

template <class F>
void describe(F& f, feature_hyperv_passthrough& x) {
  f("enabled", x.enabled, {.doc = "Enable every Hyper-V feature the host supports (the VM is then not migratable)."});
}

/// Features.
struct domain_features {
  feature_state acpi; ///< not a pointer in KubeVirt: omitted only when empty
  std::optional<feature_apic> apic;
  std::optional<feature_hyperv_passthrough> hyperv_passthrough;
  std::optional<feature_hyperv> hyperv;
  std::optional<feature_state> smm;
  std::optional<feature_kvm> kvm;
  std::optional<feature_state> pvspinlock;
  unknown_fields unknown;
  bool operator==(const domain_features&) const = default;
};

template <class F>
void describe(F& f, domain_features& x) {
  f("acpi", x.acpi, {.doc = "ACPI in the guest; enabled by default."});
  f("apic", x.apic, {.doc = "APIC; defaults to the machine type's setting."});
  f("hypervPassthrough", x.hyperv_passthrough, {.doc = "Enable all Hyper-V features the host supports."});
  f("hyperv", x.hyperv, {.doc = "Hyper-V enlightenments."});
  f("smm", x.smm, {.doc = "System Management Mode (needed by EFI secure boot)."});
  f("kvm", x.kvm, {.doc = "How KVM shows itself to the guest."});
  f("pvspinlock", x.pvspinlock, {.doc = "Paravirtual spinlocks."});
}

} // namespace podvisor::kube::api
