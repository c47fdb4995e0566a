#pragma once
// The launcher pod of a VMI (KubeVirt's virt-launcher pod, built by its template
// service): plain C++ over the VMI's JSON, deterministic, unit-tested as a table.
//
// The pod:
//   - name `virt-launcher-<vmi name>-<5 characters derived from the VMI's uid>`.
//     KubeVirt uses generateName (`virt-launcher-<vmi>-` + 5 random characters); a
//     deterministic name makes the create idempotent: a controller restarted after a
//     create whose answer it never saw creates the same name again and gets
//     AlreadyExists instead of a second pod. A new VMI with the same name has a new uid,
//     hence a new pod name. Names longer than 63 characters are cut (before the suffix);
//   - one `compute` container running podvisor-launcher. The launcher takes the VMI from
//     a file (`--vmi FILE`); the pod carries the VMI (metadata's identity, labels and
//     annotations, and the spec; no status) as JSON in the environment variable
//     PODVISOR_VMI_JSON, and the command is
//       /bin/sh -c 'printf %s "$PODVISOR_VMI_JSON" > "$PODVISOR_WORK_DIR/vmi.json" &&
//                   exec "$0" --vmi "$PODVISOR_WORK_DIR/vmi.json" --work-dir "$PODVISOR_WORK_DIR"
//                   --accel kvm|tcg' <launcher binary>
//     with PODVISOR_WORK_DIR=/var/run/kubevirt-private on an emptyDir volume `private`
//     (KubeVirt's path for the launcher's private files). No ConfigMap per VMI, nothing
//     to clean up; the VMI is small enough for the environment;
//   - requests: memory = guest memory + launcher overhead (memory_overhead below), cpu =
//     spec.domain.resources.requests.cpu, else vCPUs / 10 (KubeVirt's default
//     cpuAllocationRatio of 10: 100m per vCPU); the memory limit is set when the VMI
//     gives one (its limit + overhead);
//   - with KVM: `devices.kubevirt.io/kvm: 1` in requests and limits; without: no device,
//     a toleration of `devices.kubevirt.io/kvm` (NoSchedule, Exists) so that nodes that
//     keep their KVM capacity for KVM guests with that taint still take it, and the
//     annotation `podvisor.io/software-emulation: "true"`; the launcher gets --accel tcg;
//   - the VMI's nodeSelector, affinity, tolerations, schedulerName, priorityClassName,
//     hostname/subdomain, terminationGracePeriodSeconds; restartPolicy Never;
//   - with a node agent (config.agent_dir): a hostPath volume `agent` of
//     AGENT_DIR/<vmi uid> (DirectoryOrCreate) mounted at the same path, and the launcher
//     gets `--control-socket AGENT_DIR/<uid>/control.sock --await-start N`: it brings up
//     its libvirt daemon and command channel, and starts the VM when the agent, having
//     wired the pod's network, says `start`; and the nodeSelector also asks for
//     `podvisor.io/schedulable: "true"` (KubeVirt's kubevirt.io/schedulable), the label
//     the agent's heartbeat sets and the node controller turns "false" when that
//     heartbeat stops, so VMs land only where an agent is alive;
//   - with a node capabilities cache (config.capabilities_cache): a hostPath volume
//     `capabilities-cache` of that directory (DirectoryOrCreate) at the same path, and
//     `--capabilities-cache DIR`: the launcher seeds its private libvirt daemon's QEMU
//     capabilities from it and publishes a fresh probe back, so only the node's first VM
//     pays libvirt's QEMU probe (seconds of CPU; ten launchers probing at once on two
//     cores made every start seconds slower);
//   - firmware.kernelBoot.container: the image's directory under config.image_dir as a
//     read-only hostPath volume `kernel-boot` at the same path, and `--kernel`/`--initrd`
//     pointing into it (KubeVirt copies them out of the image with an init container;
//     nodes here have no image puller, images are unpacked directories). Extra launcher
//     arguments are passed to the shell as positional parameters ("$@"), never spliced
//     into the script, so no path needs quoting;
//   - the VMI's disk images, each as a pod volume `vol-<name>` and a launcher
//     `--volume NAME=PATH,FORMAT` (qcow2 by the .qcow2 extension, raw otherwise):
//     containerDisk → the image's directory under config.image_dir, read-only, at the same
//     path, PATH = that directory + containerDisk.path (default /disk/disk.img);
//     hostDisk (type Disk) → the file as a hostPath volume of type File at the same path;
//     persistentVolumeClaim / dataVolume → the claim mounted at WORK_DIR/vmi-disks/<name>,
//     PATH = .../disk.img (KubeVirt's layout for filesystem claims). Other kinds
//     (cloudInitNoCloud, configMap, secret…) need no pod volume or are refused by the
//     launcher's converter with the reason;
//   - labels kubevirt.io=virt-launcher, kubevirt.io/created-by=<vmi uid>,
//     vm.kubevirt.io/name=<vmi name>, plus the VMI's own labels; annotation
//     kubevirt.io/domain=<vmi name>; an owner reference to the VMI (controller: true,
//     blockOwnerDeletion: true).

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "kube/api/kubevirt/node_keys.hpp"

namespace podvisor::actors::controller {

/// Labels and annotations linking pod and VMI (KubeVirt's names).
inline constexpr const char* app_label = "kubevirt.io";
inline constexpr const char* app_label_launcher = "virt-launcher";
inline constexpr const char* created_by_label = "kubevirt.io/created-by";
inline constexpr const char* vm_name_label = "vm.kubevirt.io/name";
inline constexpr const char* domain_annotation = "kubevirt.io/domain";
inline constexpr const char* software_emulation_annotation = "podvisor.io/software-emulation";
inline constexpr const char* kvm_resource = "devices.kubevirt.io/kvm";
/// The node label a live node agent keeps "true" (KubeVirt's kubevirt.io/schedulable).
inline constexpr const char* schedulable_label = podvisor::kube::api::node_schedulable_label;
inline constexpr const char* compute_container = "compute";
inline constexpr const char* launcher_work_dir = "/var/run/kubevirt-private";
inline constexpr const char* default_agent_dir = "/var/run/podvisor/vmis";
inline constexpr const char* default_capabilities_cache = "/var/cache/podvisor/qemu-capabilities";
/// Where a containerDisk image holds its disk when containerDisk.path is not given.
/// KubeVirt takes the one file under /disk/; nodes here have no image tooling to look
/// inside, so the image directory must name it disk.img.
inline constexpr const char* default_container_disk_path = "/disk/disk.img";

/// What the controller knows that the VMI does not.
struct launcher_pod_config {
  /// Path of podvisor-launcher on the nodes.
  std::string launcher_binary = "podvisor-launcher";
  /// Where the pod's private emptyDir is mounted and the launcher keeps its state
  /// (KubeVirt's path by default). The mount point must exist on the node: simulated
  /// nodes share the host's root file system, so `podvisor up` passes a directory it owns.
  std::string work_dir = launcher_work_dir;
  /// KVM usable on the nodes: the pod asks for the kvm device and the launcher for kvm;
  /// otherwise software emulation (TCG).
  bool kvm = true;
  /// The node agent's per-VMI directories on the nodes (AGENT_DIR/<vmi uid>/ holds the
  /// launcher's command socket and the agent's network results). Empty: no node agent
  /// runs, and the launcher starts the VM on its own.
  std::string agent_dir = default_agent_dir;
  /// The node's QEMU capabilities cache, shared by the launchers on a node
  /// (virt/daemon/capabilities_cache.hpp). Empty: every launcher's daemon probes QEMU.
  std::string capabilities_cache = default_capabilities_cache;
  /// With an agent: how long the launcher waits for the agent's `start`.
  std::int64_t await_start_seconds = 300;
  /// Where container images (kernelBoot.container, containerDisk) are unpacked on the
  /// nodes, one directory per image reference (IMAGE_DIR/<registry/name:tag>/). Empty:
  /// this cluster cannot resolve container images, and a VMI that needs one is refused.
  std::string image_dir;
};

/// The launcher's memory overhead in bytes, what the pod requests beyond the guest's
/// memory. Podvisor's formula (KubeVirt's GetMemoryOverhead has the same shape and
/// budgets ~240 MiB fixed for virt-launcher, its monitor, virtlogd, virtqemud and QEMU):
///   150 MiB fixed  (podvisor-launcher ~20 MiB, its private libvirtd ~40 MiB,
///                   QEMU's own baseline ~90 MiB)
/// +   8 MiB per vCPU (vCPU threads and their stacks, per-vCPU QEMU state)
/// + guest memory / 512 (guest page tables, as KubeVirt counts them)
/// + 128 MiB under software emulation (TCG's translated-code cache and its bookkeeping).
std::int64_t memory_overhead(std::int64_t guest_memory_bytes, std::int64_t vcpus, bool kvm);

/// The VMI's guest memory in bytes: spec.domain.memory.guest, else
/// spec.domain.resources.requests.memory; an error when neither is a valid quantity.
expected<std::int64_t> guest_memory(const nlohmann::json& vmi);

/// vCPUs: sockets × cores × threads (each defaulting to 1).
std::int64_t vcpu_count(const nlohmann::json& vmi);

/// The directory of container image `image` under `image_dir`, or invalid_argument for a
/// reference that is not a plain image name (empty, absolute, `..`, odd characters).
expected<std::string> image_directory(const std::string& image_dir, const std::string& image);

/// `virt-launcher-<name>-<5 characters from the uid>`.
std::string launcher_pod_name(const nlohmann::json& vmi);

/// The launcher pod for `vmi`, or invalid_argument when the VMI lacks what a pod needs
/// (name, namespace, uid, a guest memory size).
expected<nlohmann::json> build_launcher_pod(const nlohmann::json& vmi, const launcher_pod_config& config);

} // namespace podvisor::actors::controller
