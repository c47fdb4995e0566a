#!/usr/bin/python3
"""From `create` to a booted guest with its IP (issue 8's benchmark): N VirtualMachines of
the test guest created at once on the embedded cluster (`podvisor up --nodes 2 --agents on
--kvm off`, real launchers, TCG), against the floor measured in the same run: the same
domains (the launcher's own conversion) started at once with `virsh create` on one plain
libvirtd (`bench_launcher --virsh-only`).

Per VM, from the client's create call (VMIs and pods followed with watches, so each time is
when the event arrived; the serial log is polled every 100 ms):
  → VMI phase Running, → status.interfaces[0].ipAddress present (written by the node agent
  from the lease the guest took), → launcher pod Running, → the guest's booted marker in
  its serial log (DATA/nodes/<node>/pods/<pod uid>/volumes/private/serial.log).
With --agents off the launchers start their VMs on their own, without pod network: only
pod Running and the booted marker can be measured.

Memory: each node agent's VmRSS when the cluster is fresh (before any VM) and with the N
VMs running, per supervisor = (RSS with N − fresh RSS) / N summed over the agents (an
agent keeps heap it grew for earlier, deleted VMs, so the idle RSS before a later burst
would understate it); `--nodes 1` puts every VM on one agent and measures "one agent
with 30 VMs" directly. Every podvisor-launcher's own VmRSS, private memory and PSS (its
private libvirtd and QEMU are other processes).

  bench/cluster/vm_boot_bench.py [--quick] [--counts 1,10,30] [--memory-mib 80]
                                 [--agents on|off] [--nodes 2] [--rounds 1] [--out FILE]

Rounds: this machine's speed drifts by more than the 1 s budget within minutes (the
floor's 10-VM p50 was seen anywhere between 1.2 and 2.2 s in one hour), so one floor
and one burst are a noisy pair. The cluster is started first; each round then measures
the floor and the burst back to back, for every count. The table shows the last round
in full; with --rounds > 1 each round's floor and VMI Running p50 follow, and the 10-VM
goal is judged on the median of the rounds' gaps.

Guest memory: the issue asks for 64 MiB, but the test guest (a Debian kernel, busybox
initramfs) runs out of memory unpacking its initramfs with 64 or 72 MiB; 80 MiB is the
smallest tried that boots, hence the default.

Goals on this 2-core machine: create → VMI Running p50 with 10 VMs ≤ the floor's create →
running p50 with 10 domains + 1 s; one agent with 30 VMs ≤ 32 MiB; a launcher ≤ 10 MiB.
Figures are printed next to their goals; nothing is asserted on time. The exit code is
non-zero only when something did not work (a VM did not come up, the cluster did not stop
cleanly, something was left behind)."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from kubernetes import client, config, watch

from cluster_support import (BUILD_DIR, Cluster, cpu_by_process, cpu_by_program, create_all, machine_cpu_seconds,
                             percentile, private_kib, processes, pss_kib, rss_kib, rss_without_kib,
                             libraries_only_needed_through, rss_without_paths_kib)
from vm_boot_report import report, report_rounds

GUEST_DIR = os.environ.get("PODVISOR_GUEST_DIR", os.path.join(BUILD_DIR, "guest"))
BENCH_LAUNCHER = os.path.join(BUILD_DIR, "bench", "bench_launcher")
BOOTED_MARKER = b"PODVISOR-GUEST: booted"
API = ("kubevirt.io", "v1", "default")


def vm_body(name, memory_mib, network=True):
    """The example VM's shape (examples/vm.yaml) with its own name and memory; without
    `network` no NIC (a launcher without node agent cannot wire the pod network)."""
    vm = {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"runStrategy": "Always", "template": {"metadata": {"labels": {"bench": "vm-boot"}}, "spec": {
            "domain": {
                "resources": {"requests": {"memory": f"{memory_mib}Mi"}},
                "firmware": {"kernelBoot": {"kernelArgs": "console=ttyS0 quiet panic=-1", "container": {
                    "image": "podvisor/test-guest:latest", "kernelPath": "/vmlinuz", "initrdPath": "/initrd.img"}}},
                "devices": {"interfaces": [{"name": "default", "masquerade": {}}], "rng": {}}},
            "networks": [{"name": "default", "pod": {}}],
            "terminationGracePeriodSeconds": 5}}},
    }
    if not network:
        spec = vm["spec"]["template"]["spec"]
        spec["domain"]["devices"] = {"autoattachPodInterface": False, "rng": {}}
        del spec["networks"]
    return vm


def measure_floor(count, memory_mib, tmp):
    """One floor run, with its progress line."""
    print(f"floor: {count} domain(s) with virsh create at once ...", flush=True)
    floor = run_floor(count, memory_mib, tmp)
    r, b = floor["create_to_running_ms"], floor["create_to_booted_ms"]
    print(f"  → running p50 {r['p50']:.0f} ms p95 {r['p95']:.0f} ms; → booted p50 {b['p50']:.0f} ms "
          f"p95 {b['p95']:.0f} ms", flush=True)
    return floor


def run_floor(count, memory_mib, tmp):
    """`bench_launcher --virsh-only`; its JSON. Interrupting us interrupts it (it cleans up)."""
    out = os.path.join(tmp, f"floor-{count}.json")
    log = os.path.join(tmp, f"floor-{count}.log")
    with open(log, "w") as f:
        proc = subprocess.Popen([BENCH_LAUNCHER, "--virsh-only", "--count", str(count), "--memory-mib",
                                 str(memory_mib), "--accel", "tcg", "--kernel", os.path.join(GUEST_DIR, "vmlinuz"),
                                 "--initrd", os.path.join(GUEST_DIR, "initrd.img"), "--out", out],
                                stdout=f, stderr=subprocess.STDOUT)
        try:
            code = proc.wait()
        except BaseException:
            proc.send_signal(signal.SIGINT)
            proc.wait(180)
            raise
    if code != 0:
        with open(log) as f:
            raise SystemExit(f"the floor (bench_launcher --virsh-only --count {count}) failed:\n{f.read()}")
    with open(out) as f:
        return json.load(f)


class Tracker:
    """Follows the benchmark's VMIs and launcher pods by watch, and their serial logs by
    polling every 100 ms; records when each VM first reached each step (monotonic)."""

    STEPS = ("vmi_running", "ip", "pod_running", "booted")

    def __init__(self, core, custom, data):
        self.core, self.custom, self.data = core, custom, data
        self.lock = threading.Lock()
        self.seen = {step: {} for step in self.STEPS}
        self.pods = {}      # VM name → (node, pod uid)
        self.pod_uids = set()
        self.failed = {}    # VM name → why
        self.watches = [watch.Watch(), watch.Watch()]
        self.stopping = False
        self.threads = [threading.Thread(target=self._vmis, daemon=True),
                        threading.Thread(target=self._pods, daemon=True),
                        threading.Thread(target=self._serial, daemon=True)]
        for t in self.threads:
            t.start()

    def _mark(self, step, name, at):
        with self.lock:
            self.seen[step].setdefault(name, at)

    def _vmis(self):
        while not self.stopping:
            try:
                for ev in self.watches[0].stream(self.custom.list_namespaced_custom_object, *API,
                                                 "virtualmachineinstances", timeout_seconds=3600):
                    now = time.monotonic()
                    vmi = ev["object"]
                    name = vmi.get("metadata", {}).get("name")
                    status = vmi.get("status", {})
                    if status.get("phase") == "Running":
                        self._mark("vmi_running", name, now)
                    ifaces = status.get("interfaces") or []
                    if ifaces and ifaces[0].get("ipAddress"):
                        self._mark("ip", name, now)
                    if status.get("phase") == "Failed":
                        with self.lock:
                            self.failed.setdefault(name, {})["vmi"] = json.dumps(
                                {k: status.get(k) for k in ("reason", "conditions")})[:1500]
            except Exception:  # noqa: BLE001 - a dropped watch is reopened (it lists first)
                time.sleep(0.2)

    def _pods(self):
        while not self.stopping:
            try:
                for ev in self.watches[1].stream(self.core.list_namespaced_pod, "default", timeout_seconds=3600):
                    now = time.monotonic()
                    pod = ev["object"]
                    name = (pod.metadata.labels or {}).get("vm.kubevirt.io/name")
                    if not name:
                        continue
                    with self.lock:
                        self.pod_uids.add(pod.metadata.uid)
                        if pod.spec.node_name and ev["type"] != "DELETED":
                            self.pods[name] = (pod.spec.node_name, pod.metadata.uid)
                    if pod.status and pod.status.phase == "Running":
                        self._mark("pod_running", name, now)
                    if pod.status and pod.status.phase == "Failed" and pod.spec.node_name:
                        with self.lock:
                            self.failed.setdefault(name, {})["pod"] = self._pod_log(pod)
            except Exception:  # noqa: BLE001 - as above
                time.sleep(0.2)

    def _pod_log(self, pod):
        """The tail of a launcher pod's container logs (the podlet keeps them in the pod dir)."""
        logs = os.path.join(self.data, "nodes", pod.spec.node_name, "pods", pod.metadata.uid, "logs")
        out = []
        for name in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
            with open(os.path.join(logs, name), errors="replace") as f:
                out.append(name + ": " + " | ".join(f.read().splitlines()[-6:]))
        return "; ".join(out) or "(no container log)"

    def _serial(self):
        while not self.stopping:
            with self.lock:
                todo = [(n, p) for n, p in self.pods.items() if n not in self.seen["booted"]]
            for name, (node, uid) in todo:
                path = os.path.join(self.data, "nodes", node, "pods", uid, "volumes", "private", "serial.log")
                try:
                    with open(path, "rb") as f:
                        if BOOTED_MARKER in f.read():
                            self._mark("booted", name, time.monotonic())
                except OSError:
                    pass
            time.sleep(0.1)

    def wait(self, names, required, timeout):
        """Until every VM in `names` reached every step in `required`; SystemExit on a failed
        VMI or the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                missing = [(n, s) for n in names for s in required if n not in self.seen[s]]
                failed = {n: why for n, why in self.failed.items() if n in names}
            if failed:
                time.sleep(2)  # the launcher pod's failure (with its log) follows the VMI's
                with self.lock:
                    failed = {n: why for n, why in self.failed.items() if n in names}
                raise SystemExit(f"VM(s) failed: {json.dumps(failed, indent=1)}")
            if not missing:
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"{len(missing)} step(s) not reached after {timeout} s, e.g. {missing[:6]}\n"
                                 + self.why_not())
            time.sleep(0.05)

    def why_not(self):
        """The VMIs' and launcher pods' phases and the last Warning events, for a timeout."""
        try:
            vmis = self.custom.list_namespaced_custom_object(*API, "virtualmachineinstances")["items"]
            pods = self.core.list_namespaced_pod("default").items
            events = [e for e in self.core.list_namespaced_event("default").items if e.type == "Warning"]
        except Exception as e:  # noqa: BLE001 - only for the message
            return f"(could not read the cluster: {e})"
        lines = [f"VMI {v['metadata']['name']}: {v.get('status', {}).get('phase')}" for v in vmis[:10]]
        lines += [f"pod {p.metadata.name}: {p.status.phase if p.status else None}" for p in pods[:10]]
        lines += [f"event {e.reason}: {e.message}" for e in events[-5:]]
        return "\n".join(lines)

    def latencies(self, started):
        """step → [ms from create] over the VMs that reached it."""
        with self.lock:
            return {s: [(self.seen[s][n] - t0) * 1000 for n, t0 in started.items() if n in self.seen[s]]
                    for s in self.STEPS}

    def stop(self):
        self.stopping = True
        for w in self.watches:
            w.stop()


def own_processes(data, binary):
    """pids of `binary` (podvisor-agent, podvisor-launcher) working for the cluster in `data`."""
    return [pid for pid, argv in processes().items()
            if argv and os.path.basename(argv[0]) == binary and data in " ".join(argv)]


def launcher_processes(data):
    """The launchers of this cluster: their command line names DATA (agent dir) or, with
    agents off, they are this build's podvisor-launcher."""
    ours = os.path.realpath(os.path.join(BUILD_DIR, "bin", "podvisor-launcher"))
    return [pid for pid, argv in processes().items()
            if argv and os.path.basename(argv[0]) == "podvisor-launcher"
            and (data in " ".join(argv) or os.path.realpath(argv[0]) == ours)]


def delete_all(core, custom, data, names, timeout=300):
    """Deletes the VMs and waits until their VMIs, pods and launchers are gone."""
    for n in names:
        try:
            custom.delete_namespaced_custom_object(*API, "virtualmachines", n)
        except client.ApiException as e:
            if e.status != 404:
                raise
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        vmis = custom.list_namespaced_custom_object(*API, "virtualmachineinstances")["items"]
        pods = [p for p in core.list_namespaced_pod("default").items
                if "vm.kubevirt.io/name" in (p.metadata.labels or {})]
        if not vmis and not pods and not launcher_processes(data):
            return
        time.sleep(0.5)
    raise SystemExit(f"VMs not gone {timeout} s after deletion")


def supervisor_steps(cluster, names):
    """How long each VM's supervisor spent in each state before Running, from its timeline
    (`podvisor introspect vmi NAME -o json`): state → durations in ms. Where the time
    between "VMI Scheduled" and "VMI Running" goes."""
    steps = {}
    env = dict(os.environ, KUBECONFIG=cluster.kubeconfig)
    for n in names:  # a VM's VMI has its name
        got = subprocess.run([os.path.join(BUILD_DIR, "bin", "podvisor"), "introspect", "vmi", n, "-o", "json"],
                             capture_output=True, text=True, env=env, timeout=30)
        if got.returncode != 0:
            continue
        timeline = json.loads(got.stdout).get("timeline", [])
        for entry in timeline[:-1]:  # the last state is the current one (Running)
            steps.setdefault(entry["state"], []).append(entry["durationMs"])
    return steps


def summary(values):
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "max": max(values), "n": len(values)} \
        if values else {"n": 0}


def measure(cluster, core, custom, tracker, count, memory_mib, agents, batch, fresh):
    names = [f"bench-{batch}-{i}" for i in range(count)]
    agent_pids = own_processes(cluster.data, "podvisor-agent")
    idle = {pid: fresh.get(pid, rss_kib(pid)) for pid in agent_pids}
    print(f"  {count} VM(s) created at once ...", flush=True)
    cpu0, machine0 = cpu_by_process(), machine_cpu_seconds()
    t = time.monotonic()
    started = create_all(lambda n: custom.create_namespaced_custom_object(*API, "virtualmachines",
                                                                          vm_body(n, memory_mib, agents)), names)
    # Where the CPU went until the last one was running (processes that ended before are
    # only in the machine's figure).
    tracker.wait(names, ("vmi_running",) if agents else ("pod_running",), timeout=300 + 30 * count)
    cpu = {"wall": round(time.monotonic() - t, 2), "machine": round(machine_cpu_seconds() - machine0, 2),
           "by_program": cpu_by_program(cpu0, cpu_by_process())}
    required = ("vmi_running", "ip") if agents else ("pod_running", "booted")
    tracker.wait(names, required, timeout=300 + 30 * count)
    if agents:  # the booted marker too, when the serial log is where it is expected (info)
        try:
            tracker.wait(names, ("booted",), timeout=60)
        except SystemExit as e:
            print(f"  (booted marker: {e})")
    elapsed = time.monotonic() - t
    busy = {pid: rss_kib(pid) for pid in agent_pids}
    launcher_pids = launcher_processes(cluster.data)
    launchers = [rss_kib(pid) for pid in launcher_pids]
    launchers_private = [private_kib(pid) for pid in launcher_pids]
    launchers_pss = [pss_kib(pid) for pid in launcher_pids]
    launchers_no_libvirt = [rss_without_kib(pid, "libvirt") for pid in launcher_pids]
    libvirt_chain = libraries_only_needed_through(os.path.join(BUILD_DIR, "bin", "podvisor-launcher"), "libvirt.so")
    launchers_no_chain = [rss_without_paths_kib(pid, libvirt_chain) for pid in launcher_pids] if libvirt_chain else []
    steps = supervisor_steps(cluster, names) if agents else {}
    lat = tracker.latencies(started)
    with tracker.lock:
        per_node = {}
        for n in names:
            if n in tracker.pods:
                per_node[tracker.pods[n][0]] = per_node.get(tracker.pods[n][0], 0) + 1
    run = {step: summary(lat[step]) for step in Tracker.STEPS}
    run.update({
        "vms": count, "seconds_until_all_up": round(elapsed, 1), "vms_per_node": per_node,
        "agent_rss_kib": {"fresh": sorted(idle.values()), "with_vms": sorted(busy.values())},
        "agent_kib_per_supervisor": (sum(busy.values()) - sum(idle.values())) / count if agent_pids else None,
        "launcher_rss_kib": summary(launchers),
        "launcher_private_kib": summary(launchers_private),
        "launcher_pss_kib": summary(launchers_pss),
        "launcher_rss_without_libvirt_kib": summary(launchers_no_libvirt),
        "launcher_rss_without_libvirt_chain_kib": summary(launchers_no_chain),
        "libvirt_chain_libraries": len(libvirt_chain or ()),
        "supervisor_state_ms": {state: summary(ms) for state, ms in steps.items()},
        "cpu_until_running_s": cpu,
    })
    print(f"  up in {elapsed:.0f} s; deleting ...", flush=True)
    return run, names


def interrupt(*_):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1,10,30", help="VMs created at once, one burst per count")
    ap.add_argument("--quick", action="store_true", help="counts 1,3 (the smoke test)")
    ap.add_argument("--memory-mib", type=int, default=80, help="guest memory (64 and 72 do not boot the test guest)")
    ap.add_argument("--agents", choices=("on", "off"), default="on")
    ap.add_argument("--nodes", type=int, default=2, help="simulated nodes (1: every VM on one agent)")
    ap.add_argument("--rounds", type=int, default=1, help="floor + burst pairs per count (the goal: median gap)")
    ap.add_argument("--out", default=os.path.join(BUILD_DIR, "bench", "vm_boot_bench.json"))
    args = ap.parse_args()
    if args.rounds < 1:
        raise SystemExit("--rounds: at least 1")
    try:
        counts = [1, 3] if args.quick else [int(c) for c in args.counts.split(",")]
    except ValueError:
        raise SystemExit(f"--counts: {args.counts!r} is not a comma-separated list of numbers")
    if not counts or min(counts) < 1 or max(counts) > 100:
        raise SystemExit("--counts: between 1 and 100 VMs per burst")
    agents = args.agents == "on"
    if args.nodes < 1:
        raise SystemExit("--nodes: at least 1")
    if os.geteuid() != 0:
        raise SystemExit("the VM boot benchmark needs root (simulated nodes, libvirt)")
    for path in (os.path.join(GUEST_DIR, "vmlinuz"), BENCH_LAUNCHER, os.path.join(BUILD_DIR, "bin", "podvisor")):
        if not os.path.exists(path):
            raise SystemExit(f"{path} missing (build the guest, bench_launcher and podvisor targets)")
    # SIGTERM (ctest's timeout, kill) cleans up like Ctrl-C.
    signal.signal(signal.SIGTERM, interrupt)

    t_start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="podvisor-vm-boot-bench-")
    cluster = tracker = None
    problems = []
    pod_uids = set()
    try:
        floors, rounds = {}, {}
        print(f"starting podvisor up --nodes {args.nodes} --agents {args.agents} ...", flush=True)
        total_mib = max(counts) * (args.memory_mib + 400)  # guest + launcher pod overhead, generously
        cluster = Cluster(tmp, args.nodes, "bv", "10.92.0.0/16", agents=agents, guest=GUEST_DIR,
                          node_memory=f"{max(16, total_mib // 1024 + 1)}Gi",
                          log_level="warn,capabilities_warmup=info")
        if agents:
            # As the floor's daemon, the nodes have QEMU's capabilities before anything is timed.
            for node, line in sorted(cluster.wait_for_warm_capabilities(args.nodes).items()):
                print(f"  {node}: {line.split('] ', 1)[-1]}", flush=True)
        config.load_kube_config(cluster.kubeconfig)
        core, custom = client.CoreV1Api(), client.CustomObjectsApi()
        tracker = Tracker(core, custom, cluster.data)
        time.sleep(1)  # let the watches open (they list first, so nothing is missed)
        fresh = {pid: rss_kib(pid) for pid in own_processes(cluster.data, "podvisor-agent")}
        runs = {}
        failed = False
        for rnd in range(args.rounds):
            if args.rounds > 1:
                print(f"round {rnd + 1} of {args.rounds}:", flush=True)
            for i, n in enumerate(counts):
                floor = measure_floor(n, args.memory_mib, tmp)
                # A burst that fails, or VMs that do not go away, end the run; what was
                # measured before is still reported (and the exit code says it did not all work).
                try:
                    runs[n], names = measure(cluster, core, custom, tracker, n, args.memory_mib, agents,
                                             rnd * len(counts) + i, fresh)
                    floors[n] = floor  # paired with this burst in the table
                    rounds.setdefault(n, []).append({"floor_p50_ms": floor["create_to_running_ms"].get("p50"),
                                                     "vmi_running_p50_ms": runs[n]["vmi_running"].get("p50")})
                    delete_all(core, custom, cluster.data, names)
                except SystemExit as e:
                    problems += [f"{n} VMs: {e}", cluster.logs(lines=8)]
                    failed = True
                    break
            if failed:
                break
        measured = [n for n in counts if n in runs]
        if not measured:
            raise SystemExit("nothing measured")
        goals = report(measured, floors, runs, agents, args.memory_mib)
        if args.rounds > 1 and agents:
            goals.update(report_rounds(measured, rounds))
        figures = {"counts": measured, "memory_mib": args.memory_mib, "agents": agents, "accel": "tcg",
                   "floor": {str(n): floors[n] for n in measured}, "podvisor": {str(n): runs[n] for n in measured},
                   "rounds": {str(n): rounds.get(n, []) for n in measured},
                   "goals": goals, "seconds": round(time.monotonic() - t_start), "problems": [p for p in problems if not p.startswith("\n---")]}
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(figures, f, indent=2)
        print(f"\nfigures written to {args.out}")
    except SystemExit as e:
        problems.append(str(e))
        if cluster and str(e) != "nothing measured":
            problems.append(cluster.logs(lines=8))
    except KeyboardInterrupt:
        problems.append("interrupted")
    finally:
        if tracker:
            tracker.stop()
            pod_uids = set(tracker.pod_uids)
        if cluster:
            print("stopping the cluster (Ctrl-C) ...", flush=True)
            code = cluster.stop()
            if code != 0:
                problems.append(f"podvisor up exited with {code}")
            left = cluster.leftovers(also=("guest=test_floor-",), pod_uids=pod_uids)
            if left:
                problems.append(f"left behind after Ctrl-C: {left}")
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"took {time.monotonic() - t_start:.0f} s")
    if problems:
        print("vm_boot_bench: " + "\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
