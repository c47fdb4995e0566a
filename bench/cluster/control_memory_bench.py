#!/usr/bin/python3
"""The controller's and the scheduler's memory per VMI, without simulated nodes: the real
podvisor-apiserver, podvisor-controller (--no-agent) and podvisor-scheduler, two Node
objects, and this script playing the podlets (a bound launcher pod's status is set to
Running as kubelet would write it). N VMIs of cluster_bench's shape are created at once;
the figure is each process's resident memory growth from before the burst until every
VMI is Scheduled, per VMI. Needs no root and takes about half a minute, so a change to
what the controller or scheduler keeps can be measured before the full cluster_bench.

  bench/cluster/control_memory_bench.py [--vmis N] [--out FILE]

Goal (issue 7): controller memory <= 20 KB per VMI. Nothing is asserted."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from kubernetes import client, config, watch

from cluster_support import BUILD_DIR, create_all, rss_kib

NOW = "2026-01-01T00:00:00Z"


def wait_for(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)  # polling interval
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


def reachable(core):
    try:
        core.list_namespace()
        return True
    except Exception:  # noqa: BLE001 - not up yet
        return False


def add_node(core, name):
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "status": {"capacity": {"cpu": "64", "memory": "256Gi", "pods": "500"},
                       "allocatable": {"cpu": "64", "memory": "256Gi", "pods": "500"},
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "message": "ready", "lastHeartbeatTime": NOW,
                                       "lastTransitionTime": NOW}]}}
    created = core.create_node(node)
    node["metadata"]["resourceVersion"] = created.metadata.resource_version
    core.replace_node_status(name, node)


def play_podlets(core, stop):
    """Sets every bound, not yet Running pod Running, with kubelet's status fields."""
    try:
        for ev in watch.Watch().stream(core.list_namespaced_pod, "default", timeout_seconds=600):
            if stop.is_set():
                return
            set_running(core, ev)
    except Exception:  # noqa: BLE001 - the API server goes away at the end
        if not stop.is_set():
            raise


def set_running(core, ev):
    pod = ev["object"]
    if ev["type"] == "DELETED" or not pod.spec.node_name or (pod.status and pod.status.phase == "Running"):
        return
    status = {"phase": "Running", "hostIP": "10.0.0.1", "hostIPs": [{"ip": "10.0.0.1"}],
              "podIP": "10.1.0.5", "podIPs": [{"ip": "10.1.0.5"}], "startTime": NOW, "qosClass": "Burstable",
              "conditions": [{"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": NOW}
                             for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")],
              "containerStatuses": [{"name": "compute", "state": {"running": {"startedAt": NOW}},
                                     "lastState": {}, "ready": True, "restartCount": 0,
                                     "image": "podvisor-launcher", "imageID": "",
                                     "containerID": "podvisor://" + pod.metadata.uid, "started": True}]}
    core.patch_namespaced_pod_status(pod.metadata.name, "default", {"status": status})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vmis", type=int, default=100)
    ap.add_argument("--out", default=os.path.join(BUILD_DIR, "bench", "control_memory_bench.json"))
    args = ap.parse_args()
    binary = lambda name: os.path.join(BUILD_DIR, "bin", name)  # noqa: E731
    tmp = tempfile.mkdtemp(prefix="podvisor-control-memory-")
    data = os.path.join(tmp, "data")
    procs = []
    try:
        def start(argv, log):
            p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, log), "w"))
            procs.append(p)
            return p

        start([binary("podvisor-apiserver"), "--data-dir", data, "--listen", "127.0.0.1:0", "--log-level", "warn"],
              "apiserver.log")
        kubeconfig = lambda who: os.path.join(data, f"{who}.kubeconfig")  # noqa: E731
        wait_for("the API server's kubeconfigs", lambda: all(os.path.exists(kubeconfig(w))
                                                              for w in ("admin", "controller", "scheduler")), 30)
        config.load_kube_config(kubeconfig("admin"))
        core, custom = client.CoreV1Api(), client.CustomObjectsApi()
        wait_for("the API server", lambda: reachable(core), 30)
        for name in ("node-1", "node-2"):
            add_node(core, name)
        controller = start([binary("podvisor-controller"), "--kubeconfig", kubeconfig("controller"), "--no-agent",
                            "--leader-elect=false", "--kvm", "off", "--launcher-binary", "/bin/true",
                            "--log-level", "warn"], "controller.log")
        scheduler = start([binary("podvisor-scheduler"), "--kubeconfig", kubeconfig("scheduler"),
                           "--log-level", "warn"], "scheduler.log")
        time.sleep(3)  # both up, informers synced: the "before" figure is their idle size
        before = {"controller": rss_kib(controller.pid), "scheduler": rss_kib(scheduler.pid)}

        stop = threading.Event()
        threading.Thread(target=play_podlets, args=(core, stop), daemon=True).start()
        time.sleep(0.5)  # the watch lists first, so nothing is missed; this only lets it open
        vmi_body = lambda name: {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",  # noqa: E731
                                 "metadata": {"name": name},
                                 "spec": {"domain": {"resources": {"requests": {"memory": "64Mi", "cpu": "10m"}},
                                                     "devices": {}},
                                          "terminationGracePeriodSeconds": 1}}
        names = [f"burst-{i}" for i in range(args.vmis)]
        print(f"{args.vmis} VMIs created at once ...", flush=True)
        create_all(lambda name: custom.create_namespaced_custom_object(
            "kubevirt.io", "v1", "default", "virtualmachineinstances", vmi_body(name)), names)

        def all_scheduled():
            items = custom.list_namespaced_custom_object("kubevirt.io", "v1", "default",
                                                         "virtualmachineinstances")["items"]
            return sum(1 for v in items if v.get("status", {}).get("phase") == "Scheduled") == args.vmis
        wait_for("every VMI Scheduled", all_scheduled, 300)
        after = {"controller": rss_kib(controller.pid), "scheduler": rss_kib(scheduler.pid)}
        stop.set()

        figures = {"vmis": args.vmis}
        for who in ("controller", "scheduler"):
            per = (after[who] - before[who]) / args.vmis
            figures[f"{who}_rss_kib"] = {"before": before[who], "after": after[who]}
            figures[f"{who}_kib_per_vmi"] = per
            goal = f"   <= 20 KB: {'met' if per * 1.024 <= 20 else 'NOT met'}" if who == "controller" else ""
            print(f"{who} RSS {before[who]} -> {after[who]} KiB: {per:.1f} KiB per VMI{goal}")
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(figures, f, indent=2)
        print(f"\nfigures written to {args.out}")
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
