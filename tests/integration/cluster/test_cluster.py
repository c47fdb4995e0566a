"""Cluster control end to end on the embedded cluster (`podvisor up --nodes 2`): the VM
and VMI controllers, the scheduler and the podlets, each its own process talking only to
the API server, with kubectl as the client. Launcher pods run a stub (no guests)."""

import json
import os
import subprocess
import unittest
import urllib.request

from cluster_harness import PODVISOR, Cluster, ClusterWaits, condition, pod_for_vmi

TIMEOUT = 90


def vmi_spec(memory="64Mi", node=None):
    spec = {
        "domain": {"resources": {"requests": {"memory": memory}}, "devices": {}},
        "terminationGracePeriodSeconds": 5,
    }
    if node:
        spec["nodeSelector"] = {"kubernetes.io/hostname": node}
    return spec


def vm(name, strategy, node=None, annotations=None, memory="64Mi"):
    return {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"runStrategy": strategy,
                 "template": {"metadata": {"annotations": annotations or {}, "labels": {"test": name}},
                              "spec": vmi_spec(memory, node)}},
    }


def pod(name, node, command, memory_limit=None, restart="Never"):
    container = {"name": "main", "image": "none", "command": command}
    if memory_limit:
        container["resources"] = {"limits": {"memory": memory_limit}, "requests": {"memory": memory_limit}}
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeSelector": {"kubernetes.io/hostname": node}, "restartPolicy": restart,
                 "terminationGracePeriodSeconds": 5, "containers": [container]},
    }


class ClusterControlTest(ClusterWaits, unittest.TestCase):
    """Shares one cluster; each test uses its own object names."""

    TIMEOUT = TIMEOUT
    WAIT_INTERVAL = 0.2

    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster("ct", "10.97.0.0/16")

    @classmethod
    def tearDownClass(cls):
        cls.cluster.shut_down()

    def fail_with_logs(self, message):
        self.fail(message + self.cluster.logs())

    def test_nodes_register_ready_with_pod_cidrs(self):
        c = self.cluster
        nodes = {n["metadata"]["name"]: n for n in json.loads(c.kubectl("get", "nodes", "-o", "json").stdout)["items"]}
        self.assertEqual(sorted(nodes), ["node-0", "node-1"])
        for name, (ip, cidr) in c.nodes.items():
            self.assertEqual(nodes[name]["spec"]["podCIDR"], cidr)
            self.assertEqual(condition(nodes[name], "Ready")["status"], "True")
            self.assertIn(ip, [a["address"] for a in nodes[name]["status"]["addresses"]])

    def test_vm_becomes_scheduled_vmi_with_running_pod_and_deletion_removes_everything(self):
        c = self.cluster
        c.apply(vm("placed", "Always", node="node-1"))
        vmi = self.wait(lambda: (v := c.get("vmi", "placed")) and v.get("status", {}).get("phase") == "Scheduled" and v,
                        "VMI placed Scheduled")
        self.assertEqual(vmi["status"]["nodeName"], "node-1")
        self.assertEqual(vmi["metadata"]["ownerReferences"][0]["kind"], "VirtualMachine")
        p = pod_for_vmi(c, vmi)
        self.assertIsNotNone(p, "exactly one launcher pod")
        self.assertEqual(p["spec"]["nodeName"], "node-1")
        self.assertEqual(p["status"]["phase"], "Running")
        cidr = c.nodes["node-1"][1]
        self.assertTrue(p["status"]["podIP"].startswith(cidr.rsplit(".", 2)[0] + "."), p["status"]["podIP"])
        # memory request = guest memory + launcher overhead
        req = p["spec"]["containers"][0]["resources"]["requests"]["memory"]
        self.assertNotEqual(req, "64Mi", "the request includes the launcher's overhead")
        uid = p["metadata"]["uid"]
        pod_state = os.path.join(c.data, "nodes", "node-1")

        c.kubectl("delete", "vm", "placed", "--wait=false")
        self.wait(lambda: c.get("vmi", "placed") is None, "VMI placed gone")
        self.wait(lambda: not c.list("pods", selector=f"kubevirt.io/created-by={vmi['metadata']['uid']}"), "pod gone")
        self.wait(lambda: not any(uid in root for root, _, _ in os.walk(pod_state)), "the pod's sandbox state gone")
        with open("/proc/self/mountinfo") as f:
            self.assertFalse([l for l in f if uid in l], "no mount of the pod left")

    def test_pod_ip_reachable_from_a_pod_on_the_other_node_and_from_the_host(self):
        c = self.cluster
        c.apply(pod("web", "node-0", ["/usr/bin/python3", "-m", "http.server", "--bind", "0.0.0.0", "8080",
                                      "--directory", "/"]))
        server = self.wait(lambda: (p := c.get("pod", "web")) and p.get("status", {}).get("phase") == "Running"
                           and p["status"].get("podIP") and p, "web pod Running")
        ip = server["status"]["podIP"]
        probe = ("import time, urllib.request\n"
                 "for _ in range(100):\n"
                 "    try:\n"
                 f"        urllib.request.urlopen('http://{ip}:8080/', timeout=2); raise SystemExit(0)\n"
                 "    except OSError: time.sleep(0.1)\n"
                 "raise SystemExit(1)\n")
        c.apply(pod("client", "node-1", ["/usr/bin/python3", "-c", probe]))
        client = self.wait(lambda: (p := c.get("pod", "client")) and p.get("status", {}).get("phase") in ("Succeeded", "Failed") and p,
                           "client pod finished")
        self.assertEqual(client["status"]["phase"], "Succeeded", json.dumps(client["status"]))
        self.assertEqual(client["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 0)
        self.assertEqual(urllib.request.urlopen(f"http://{ip}:8080/", timeout=10).status, 200)
        c.kubectl("delete", "pod", "web", "client")

    def test_vmi_that_fits_nowhere_stays_scheduling_with_the_reason(self):
        c = self.cluster
        c.apply({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
                 "metadata": {"name": "huge", "namespace": "default"}, "spec": vmi_spec(memory="64Gi")})
        vmi = self.wait(lambda: (v := c.get("vmi", "huge")) and (cond := condition(v, "PodScheduled"))
                        and cond["status"] == "False" and v, "VMI huge PodScheduled=False")
        self.assertEqual(vmi["status"]["phase"], "Scheduling")
        self.assertIn("Insufficient memory", condition(vmi, "PodScheduled")["message"])
        failed = self.wait(lambda: [e for e in c.events(reason="FailedScheduling")
                                    if "Insufficient memory" in e.get("message", "")],
                           "a FailedScheduling Event naming the memory shortage")
        self.assertEqual(failed[0]["involvedObject"]["kind"], "Pod")
        c.kubectl("delete", "vmi", "huge")

    def test_pod_over_its_memory_limit_is_oom_killed(self):
        c = self.cluster
        c.apply(pod("hog", "node-0", ["/usr/bin/python3", "-c", "x = bytearray(512 << 20); x[::4096] = b'1' * len(x[::4096])"],
                    memory_limit="64Mi"))
        p = self.wait(lambda: (p := c.get("pod", "hog")) and p.get("status", {}).get("phase") == "Failed" and p,
                      "hog pod Failed")
        term = p["status"]["containerStatuses"][0]["state"]["terminated"]
        self.assertEqual(term["reason"], "OOMKilled", json.dumps(term))
        c.kubectl("delete", "pod", "hog")

    def test_run_strategy_always_recreates_a_failed_vmi(self):
        c = self.cluster
        c.apply(vm("phoenix", "Always", annotations={"podvisor.io/stub-exit-code": "1",
                                                       "podvisor.io/stub-run-seconds": "1"}))
        first = self.wait(lambda: (v := c.get("vmi", "phoenix")) and v["metadata"]["uid"], "first VMI of phoenix")
        self.wait(lambda: (v := c.get("vmi", "phoenix")) and v["metadata"]["uid"] != first, "a new VMI after the failure")
        c.kubectl("delete", "vm", "phoenix")

    def test_run_strategy_once_never_recreates(self):
        c = self.cluster
        c.apply(vm("once", "Once", annotations={"podvisor.io/stub-exit-code": "1",
                                                 "podvisor.io/stub-run-seconds": "1"}))
        failed = self.wait(lambda: (v := c.get("vmi", "once")) and v.get("status", {}).get("phase") == "Failed" and v,
                           "VMI once Failed")
        # The VM controller has seen the failure once its status says so; only then is
        # "not recreated" a fact rather than a race.
        self.wait(lambda: (m := c.get("vm", "once")) and m.get("status", {}).get("printableStatus") not in
                  (None, "Provisioning", "Starting", "Running"), "VM once status reflects the end")
        self.assertEqual(c.get("vmi", "once")["metadata"]["uid"], failed["metadata"]["uid"])
        c.kubectl("delete", "vm", "once")


    def test_podvisor_stop_start_and_restart_a_vm(self):
        c = self.cluster
        c.apply(vm("switch", "Always"))
        first = self.wait(lambda: (v := c.get("vmi", "switch")) and v.get("status", {}).get("phase") == "Scheduled" and v,
                          "VMI switch Scheduled")

        def podvisor(*args):
            got = subprocess.run([PODVISOR, *args, "--kubeconfig", c.kubeconfig], capture_output=True, text=True, timeout=60)
            self.assertEqual(got.returncode, 0, got.stdout + got.stderr)
            return got.stdout

        podvisor("stop", "vm", "switch")
        self.assertEqual(c.get("vm", "switch")["spec"]["runStrategy"], "Halted")
        self.wait(lambda: c.get("vmi", "switch") is None, "VMI switch gone after stop")
        self.wait(lambda: c.get("vm", "switch").get("status", {}).get("printableStatus") == "Stopped", "VM Stopped")

        podvisor("start", "vm", "switch")
        second = self.wait(lambda: (v := c.get("vmi", "switch")) and v.get("status", {}).get("phase") == "Scheduled" and v,
                           "VMI switch Scheduled after start")
        self.assertNotEqual(second["metadata"]["uid"], first["metadata"]["uid"])

        podvisor("restart", "vm", "switch")
        self.wait(lambda: (v := c.get("vmi", "switch")) and v["metadata"]["uid"] != second["metadata"]["uid"]
                  and v.get("status", {}).get("phase") == "Scheduled", "a new VMI after restart")
        c.kubectl("delete", "vm", "switch")


class NodeFailureTest(ClusterWaits, unittest.TestCase):
    """A node whose podlet dies: the node controller marks it not ready once its
    heartbeat stands still, its VMIs fail with NodeUnresponsive, and a VM with
    runStrategy Always comes back on the other node. Its own cluster, since it breaks a
    node."""

    TIMEOUT = TIMEOUT
    WAIT_INTERVAL = 0.2

    def setUp(self):
        self.cluster = Cluster("nf", "10.95.0.0/16", controller_flags=["--node-monitor-grace-period=10"])

    def tearDown(self):
        self.cluster.shut_down()

    def test_vm_comes_back_on_the_other_node_when_its_node_stops(self):
        c = self.cluster
        c.apply(vm("survivor", "Always"))
        first = self.wait(lambda: (v := c.get("vmi", "survivor")) and v.get("status", {}).get("phase") == "Scheduled" and v,
                          "VMI survivor Scheduled")
        lost_node = first["status"]["nodeName"]
        other_node = "node-1" if lost_node == "node-0" else "node-0"
        os.kill(c.components[f"podlet-{lost_node}"], 9)

        node = self.wait(lambda: (n := c.get("node", lost_node, namespace="default")) and
                         condition(n, "Ready")["status"] == "Unknown" and n, f"{lost_node} not ready")
        self.assertEqual(condition(node, "Ready")["reason"], "NodeStatusUnknown")
        second = self.wait(lambda: (v := c.get("vmi", "survivor")) and v["metadata"]["uid"] != first["metadata"]["uid"]
                           and v.get("status", {}).get("phase") == "Scheduled" and v,
                           "a new VMI of survivor Scheduled")
        self.assertEqual(second["status"]["nodeName"], other_node)
        self.wait(lambda: c.events(reason="NodeUnresponsive", about=first["metadata"]["uid"]),
                  "a NodeUnresponsive Event on the lost VMI")
        c.kubectl("delete", "vm", "survivor", "--wait=false")


if __name__ == "__main__":
    unittest.main()
