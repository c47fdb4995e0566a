#!/usr/bin/python3
"""Cluster control under a burst (issue 7's benchmark): N VMIs created at once on the
embedded cluster (`podvisor up --nodes 2`, launcher pods running a stub), measured from
the VMI's create to its launcher pod Running, against a baseline measured in the same
run on the same cluster: N plain pods created at once, from create to Running (the
scheduler and the podlets without the controller). Each is split where the pod is seen
bound (scheduling, then the podlet's start), and the CPU time each component used during
the burst is printed beside it. Also the controller's and the scheduler's resident
memory per VMI.

  bench/cluster/cluster_bench.py [--quick] [--vmis N] [--out FILE]

Goals on this 2-core machine: VMI → pod Running p50 ≤ 300 ms and p95 ≤ 1 s; controller
memory ≤ 20 KB per VMI (KubeVirt's virt-controller grows ~173 KB per VMI). Figures are
printed next to their goals; nothing is asserted (the machine is shared and noisy)."""

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time

from kubernetes import client, config

from cluster_support import BUILD_DIR, HERE, Cluster, CpuMeter, create_all, percentile, rss_kib

STUB = os.path.join(HERE, "stub-launcher.sh")


class RunningWatcher:
    """Records when each pod (by a key from its labels or name) is first seen bound to a
    node and first seen Running. It reads the watch stream as raw JSON lines: the client's
    model objects cost milliseconds per event, enough to lag a burst of hundreds."""

    def __init__(self, core, key_of):
        self.core, self.key_of = core, key_of
        self.running, self.bound = {}, {}
        self.lock = threading.Lock()
        self.response = None
        self.opened = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        # The server answers a watch's headers once the watch is registered, so nothing
        # created after this is missed.
        if not self.opened.wait(30):
            raise SystemExit("the pod watch did not open within 30 s")

    def run(self):
        self.response = self.core.list_namespaced_pod("default", watch=True, timeout_seconds=3600,
                                                      _preload_content=False)
        self.opened.set()
        try:
            self.follow()
        except Exception:  # noqa: BLE001 - the stream ends when the cluster stops
            pass

    def follow(self):
        for line in self.response:
            if not line.strip():
                continue
            now = time.monotonic()
            pod = json.loads(line).get("object", {})
            key = self.key_of(pod)
            if not key:
                continue
            with self.lock:
                if pod.get("spec", {}).get("nodeName") and key not in self.bound:
                    self.bound[key] = now
                if pod.get("status", {}).get("phase") == "Running" and key not in self.running:
                    self.running[key] = now

    def wait_for(self, keys, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if all(k in self.running for k in keys):
                    return dict(self.running)
            time.sleep(0.05)
        with self.lock:
            missing = [k for k in keys if k not in self.running]
        raise SystemExit(f"{len(missing)} of {len(keys)} not Running after {timeout} s: {missing[:5]}")


def pod_key(pod):
    """A baseline pod by its name; a launcher pod by its VMI's name."""
    name = pod["metadata"]["name"]
    return name if name.startswith("plain-") else pod["metadata"].get("labels", {}).get("vm.kubevirt.io/name")


def latencies(since, until, keys=None):
    """ms from `since` to `until` for every key in both (of `keys`, when given)."""
    return [(until[n] - since[n]) * 1000 for n in (keys if keys is not None else since) if n in since and n in until]


def spread(values):
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "max": max(values)} if values else {}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vmis", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="10 VMIs (the smoke test)")
    ap.add_argument("--out", default=os.path.join(BUILD_DIR, "bench", "cluster_bench.json"))
    args = ap.parse_args()
    n = 10 if args.quick else args.vmis
    if os.geteuid() != 0:
        raise SystemExit("the cluster benchmark needs root (simulated nodes)")

    tmp = tempfile.mkdtemp(prefix="podvisor-cluster-bench-")
    cluster = None
    try:
        print("starting podvisor up --nodes 2 (stub launchers) ...", flush=True)
        cluster = Cluster(tmp, 2, "bn", "10.94.0.0/16", launcher=STUB)
        config.load_kube_config(cluster.kubeconfig)
        core = client.CoreV1Api()
        custom = client.CustomObjectsApi()

        # Baseline: plain pods, straight to the scheduler and the podlets.
        print(f"baseline: {n} pods created at once ...", flush=True)
        pods = [f"plain-{i}" for i in range(n)]
        # One watcher for both bursts, open until the cluster stops: closing a stream
        # another thread is reading blocks in the SSL layer.
        watcher = RunningWatcher(core, pod_key)
        pod_body = lambda name: {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                                 "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
                                          "containers": [{"name": "c", "image": "none", "command": [STUB],
                                                          "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}
        # Raw answers (_preload_content=False): the client's model parsing would sit between a
        # create's start, where latency is measured from, and the next create.
        # `podvisor up` serves the API itself; the rest of "everything else" is the shims,
        # the stub launchers and the kernel's work for them.
        meter = CpuMeter({**cluster.pids, "podvisor up (API server)": cluster.proc.pid,
                          "this client (creates, watch)": os.getpid()})
        meter.start()
        started = create_all(lambda name: core.create_namespaced_pod("default", pod_body(name),
                                                                     _preload_content=False), pods)
        running = watcher.wait_for(pods, 600)
        base_cpu = meter.stop()
        base = latencies(started, running)
        base_bound, base_start = latencies(started, watcher.bound), latencies(watcher.bound, running)
        core.delete_collection_namespaced_pod("default", grace_period_seconds=0)
        # Grace 0 removes the pods from the API at once; the podlets then tear down their
        # sandboxes. Wait for that too, or the VMI burst would queue behind it.
        nodes_dir = os.path.join(cluster.data, "nodes")
        def sandboxes():
            return [u for node in os.listdir(nodes_dir) if os.path.isdir(os.path.join(nodes_dir, node, "pods"))
                    for u in os.listdir(os.path.join(nodes_dir, node, "pods"))]
        deadline = time.monotonic() + 120
        while (core.list_namespaced_pod("default").items or sandboxes()) and time.monotonic() < deadline:
            time.sleep(0.2)

        rss_before = {c: rss_kib(cluster.pids[c]) for c in ("controller", "scheduler")}
        print(f"measured: {n} VMIs created at once ...", flush=True)
        vmis = [f"burst-{i}" for i in range(n)]
        vmi_body = lambda name: {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
                                 "metadata": {"name": name},
                                 "spec": {"domain": {"resources": {"requests": {"memory": "64Mi", "cpu": "10m"}},
                                                     "devices": {}},
                                          "terminationGracePeriodSeconds": 1}}
        meter.start()
        started = create_all(lambda name: custom.create_namespaced_custom_object(
            "kubevirt.io", "v1", "default", "virtualmachineinstances", vmi_body(name), _preload_content=False), vmis)
        running = watcher.wait_for(vmis, 600)
        vmi_cpu = meter.stop()
        vmi_ms = latencies(started, running)
        vmi_bound, vmi_start = latencies(started, watcher.bound), latencies(watcher.bound, running, vmis)
        rss_after = {c: rss_kib(cluster.pids[c]) for c in ("controller", "scheduler")}

        figures = {
            "vmis": n,
            "baseline_pod_running_ms": {"p50": percentile(base, 50), "p95": percentile(base, 95), "max": max(base)},
            "vmi_pod_running_ms": {"p50": percentile(vmi_ms, 50), "p95": percentile(vmi_ms, 95), "max": max(vmi_ms)},
            "baseline_cpu_seconds": base_cpu, "vmi_cpu_seconds": vmi_cpu,
            "baseline_created_to_bound_ms": spread(base_bound), "baseline_bound_to_running_ms": spread(base_start),
            "vmi_created_to_pod_bound_ms": spread(vmi_bound), "vmi_pod_bound_to_running_ms": spread(vmi_start),
            "controller_rss_kib": {"before": rss_before["controller"], "after": rss_after["controller"]},
            "scheduler_rss_kib": {"before": rss_before["scheduler"], "after": rss_after["scheduler"]},
            "controller_kib_per_vmi": (rss_after["controller"] - rss_before["controller"]) / n,
            "scheduler_kib_per_vmi": (rss_after["scheduler"] - rss_before["scheduler"]) / n,
        }
        b, v = figures["baseline_pod_running_ms"], figures["vmi_pod_running_ms"]
        print()
        print(f"{'figure':<44} {'p50':>9} {'p95':>9} {'max':>9}   goal")
        print(f"{'plain pod created → Running (baseline)':<44} {b['p50']:>7.0f}ms {b['p95']:>7.0f}ms {b['max']:>7.0f}ms")
        print(f"{'VMI created → launcher pod Running':<44} {v['p50']:>7.0f}ms {v['p95']:>7.0f}ms {v['max']:>7.0f}ms"
              f"   p50 ≤ 300 ms: {'met' if v['p50'] <= 300 else 'NOT met'}, p95 ≤ 1 s: {'met' if v['p95'] <= 1000 else 'NOT met'}")
        print(f"{'  of which the controller adds (p50)':<44} {v['p50'] - b['p50']:>7.0f}ms")
        for label, key in (("plain pod created → bound (scheduler)", "baseline_created_to_bound_ms"),
                           ("plain pod bound → Running (podlet)", "baseline_bound_to_running_ms"),
                           ("VMI created → pod bound", "vmi_created_to_pod_bound_ms"),
                           ("VMI's pod bound → Running (podlet)", "vmi_pod_bound_to_running_ms")):
            f = figures[key]
            if f:
                print(f"{label:<44} {f['p50']:>7.0f}ms {f['p95']:>7.0f}ms {f['max']:>7.0f}ms")
        for label, used in (("plain pods", base_cpu), ("VMIs", vmi_cpu)):
            parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(used.items(), key=lambda kv: -kv[1])
                              if k not in ("machine", "wall"))
            print(f"CPU seconds, burst of {n} {label} until all Running ({used['wall']:.1f} s wall, "
                  f"machine busy {used['machine']:.1f} s): {parts}")
        per = figures["controller_kib_per_vmi"]
        print(f"controller RSS {rss_before['controller']} → {rss_after['controller']} KiB: {per:.1f} KiB per VMI"
              f"   ≤ 20 KB: {'met' if per * 1.024 <= 20 else 'NOT met'}")
        print(f"scheduler RSS {rss_before['scheduler']} → {rss_after['scheduler']} KiB: "
              f"{figures['scheduler_kib_per_vmi']:.1f} KiB per VMI")
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(figures, f, indent=2)
        print(f"\nfigures written to {args.out}")
    finally:
        if cluster:
            print("stopping the cluster ...", flush=True)
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
