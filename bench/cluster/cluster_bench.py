#!/usr/bin/python3
"""Cluster control under a burst (issue 7's benchmark): N VMIs created at once on the
embedded cluster (`podvisor up --nodes 2`, launcher pods running a stub), measured from
the VMI's create to its launcher pod Running, against a baseline measured in the same
run on the same cluster: N plain pods created at once, from create to Running (the
scheduler and the podlets without the controller). Also the controller's and the
scheduler's resident memory per VMI.

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

from kubernetes import client, config, watch

from cluster_support import BUILD_DIR, HERE, Cluster, create_all, percentile, rss_kib

STUB = os.path.join(HERE, "stub-launcher.sh")


class RunningWatcher:
    """Records when each pod (by a key from its labels or name) is first seen Running."""

    def __init__(self, core, key_of):
        self.core, self.key_of = core, key_of
        self.running = {}
        self.lock = threading.Lock()
        self.w = watch.Watch()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        for ev in self.w.stream(self.core.list_namespaced_pod, "default", timeout_seconds=600):
            pod = ev["object"]
            if pod.status and pod.status.phase == "Running":
                key = self.key_of(pod)
                with self.lock:
                    if key and key not in self.running:
                        self.running[key] = time.monotonic()

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

    def stop(self):
        self.w.stop()


def latencies(started, running):
    return [(running[n] - started[n]) * 1000 for n in started]


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
        watcher = RunningWatcher(core, lambda p: p.metadata.name if p.metadata.name.startswith("plain-") else None)
        time.sleep(0.5)  # let the watch open before the burst (it lists first, so nothing is missed)
        pod_body = lambda name: {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                                 "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
                                          "containers": [{"name": "c", "image": "none", "command": [STUB],
                                                          "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}
        started = create_all(lambda name: core.create_namespaced_pod("default", pod_body(name)), pods)
        running = watcher.wait_for(pods, 600)
        watcher.stop()
        base = latencies(started, running)
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
        watcher = RunningWatcher(core, lambda p: (p.metadata.labels or {}).get("vm.kubevirt.io/name"))
        time.sleep(0.5)
        vmi_body = lambda name: {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
                                 "metadata": {"name": name},
                                 "spec": {"domain": {"resources": {"requests": {"memory": "64Mi", "cpu": "10m"}},
                                                     "devices": {}},
                                          "terminationGracePeriodSeconds": 1}}
        started = create_all(lambda name: custom.create_namespaced_custom_object(
            "kubevirt.io", "v1", "default", "virtualmachineinstances", vmi_body(name)), vmis)
        running = watcher.wait_for(vmis, 600)
        watcher.stop()
        vmi_ms = latencies(started, running)
        rss_after = {c: rss_kib(cluster.pids[c]) for c in ("controller", "scheduler")}

        figures = {
            "vmis": n,
            "baseline_pod_running_ms": {"p50": percentile(base, 50), "p95": percentile(base, 95), "max": max(base)},
            "vmi_pod_running_ms": {"p50": percentile(vmi_ms, 50), "p95": percentile(vmi_ms, 95), "max": max(vmi_ms)},
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
