"""From `kubectl create` to a booted guest with its IP, end to end on the embedded cluster
(`podvisor up --nodes 2` with node agents and the real launcher booting the test guest
under TCG): the node agent wires the pod network, starts the launcher's VM and writes
the VMI Running with the address the guest took from the launcher's DHCP responder; a
pod on the other node reaches the guest through masquerade; deleting the VM leaves
nothing; an agent killed with -9 re-adopts running VMs; a launcher killed with -9 fails
its VMI and runStrategy Always brings a new one up."""

import json
import os
import signal
import subprocess
import time
import unittest
import urllib.request

from cluster_harness import Cluster, ClusterWaits, condition, pod_for_vmi

SOURCE_DIR = os.environ.get("PODVISOR_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GUEST_DIR = os.environ.get("PODVISOR_GUEST_DIR", os.path.join(os.environ.get("PODVISOR_BUILD_DIR", "build"), "guest"))
EXAMPLE_VM = os.path.join(SOURCE_DIR, "examples", "vm.yaml")
# A TCG boot on a loaded 2-core machine, plus the launcher's libvirt daemon.
BOOT_TIMEOUT = 300


def guest_vm(name, strategy="Always", binding="masquerade", image="podvisor/test-guest:latest"):
    """The example VM's shape with another name (tests must not share objects)."""
    return {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"runStrategy": strategy, "template": {"metadata": {"labels": {"test": name}}, "spec": {
            "domain": {
                "resources": {"requests": {"memory": "128Mi"}},
                "firmware": {"kernelBoot": {"kernelArgs": "console=ttyS0 quiet panic=-1", "container": {
                    "image": image, "kernelPath": "/vmlinuz", "initrdPath": "/initrd.img"}}},
                "devices": {"interfaces": [{"name": "default", binding: {}}]}},
            "networks": [{"name": "default", "pod": {}}],
            "terminationGracePeriodSeconds": 10}}},
    }


def processes():
    """pid → command line of every process."""
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    out[int(pid)] = f.read().split(b"\0")
            except OSError:
                pass
    return out


def launcher_pid(uid):
    """The podvisor-launcher process of the VMI with `uid` (its control socket names it)."""
    for pid, argv in processes().items():
        if argv and argv[0].endswith(b"podvisor-launcher") and any(uid.encode() in a for a in argv):
            return pid
    return None


def qemu_pids(name, namespace="default"):
    """QEMU processes of the VMI's libvirt domain (`<namespace>_<name>`, the launcher's
    naming; QEMU's `-name guest=...` carries it)."""
    marker = f"guest={namespace}_{name},".encode()
    return sorted(pid for pid, argv in processes().items()
                  if argv and b"qemu-system" in argv[0] and any(a.startswith(marker) for a in argv))


def guest_status(pod_ip, attempts=300):
    """The test guest's HTTP status (boot_id, uptime_s, address), fetched from the host
    through the pod network and masquerade; retries while its httpd comes up."""
    last = None
    for _ in range(attempts):
        try:
            return json.loads(urllib.request.urlopen(f"http://{pod_ip}:80/", timeout=3).read())
        except (OSError, ValueError) as e:
            last = e
            time.sleep(0.2)
    raise AssertionError(f"the guest at {pod_ip} did not answer: {last}")


class VmBootTest(ClusterWaits, unittest.TestCase):
    """One cluster with agents; each test uses its own VM names."""

    TIMEOUT = BOOT_TIMEOUT

    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(os.path.join(GUEST_DIR, "vmlinuz")):
            raise AssertionError(f"no test guest in {GUEST_DIR} (cmake --build build --target guest)")
        cls.cluster = Cluster("vb", "10.93.0.0/16", agents=True, guest=GUEST_DIR)

    @classmethod
    def tearDownClass(cls):
        try:
            for proc in getattr(cls, "extra_agents", []):
                proc.kill()
                proc.wait()
        finally:
            cls.cluster.shut_down()

    def running(self, name):
        """Waits for the VMI `name` to be Running with the guest's address; returns it."""
        c = self.cluster

        def ready():
            v = c.get("vmi", name)
            if not v:
                return None
            status = v.get("status", {})
            if status.get("phase") in ("Failed", "Succeeded"):
                self.fail(f"VMI {name} ended {status.get('phase')}: {json.dumps(status)}" + c.logs())
            ifaces = status.get("interfaces") or []
            return v if status.get("phase") == "Running" and ifaces and ifaces[0].get("ipAddress") else None

        return self.wait(ready, f"VMI {name} Running with the guest's address", vmi=name)

    def fetch_from_pod(self, name, node, url):
        """Runs a client pod on `node` that GETs `url` (retrying while the guest's httpd
        comes up) and prints nothing; returns the pod's final phase."""
        c = self.cluster
        probe = ("import json, sys, time, urllib.request\n"
                 "for _ in range(300):\n"
                 "    try:\n"
                 f"        body = urllib.request.urlopen('{url}', timeout=3).read()\n"
                 "        json.loads(body); raise SystemExit(0)\n"
                 "    except (OSError, ValueError): time.sleep(0.2)\n"
                 "raise SystemExit(1)\n")
        c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                 "spec": {"nodeSelector": {"kubernetes.io/hostname": node}, "restartPolicy": "Never",
                          "terminationGracePeriodSeconds": 1,
                          "containers": [{"name": "main", "image": "none",
                                          "command": ["/usr/bin/python3", "-c", probe]}]}})
        pod = self.wait(lambda: (p := c.get("pod", name)) and p.get("status", {}).get("phase") in ("Succeeded", "Failed") and p,
                        f"client pod {name} finished", timeout=120)
        c.kubectl("delete", "pod", name, "--wait=false")
        return pod["status"]["phase"]

    def test_agents_warm_the_nodes_capabilities_cache_before_any_vm_and_leave_nothing(self):
        # Runs first (by name): no VM has been created, so only the agents can have
        # filled the cache.
        c = self.cluster

        def reported(node):
            try:
                with open(os.path.join(c.data, "logs", f"agent-{node}.log"), errors="replace") as f:
                    text = f.read()
            except FileNotFoundError:
                return None
            if "QEMU capabilities cache not warmed" in text:
                self.fail(f"{node}: the warm-up failed:\n{text[-3000:]}")
            return "QEMU capabilities cache warm after" in text

        for node in ("node-0", "node-1"):
            self.wait(lambda: reported(node), f"the agent of {node} to warm the capabilities cache", timeout=180)
        cache = os.path.join(c.data, "cache", "qemu-capabilities")
        self.assertTrue([f for f in os.listdir(cache) if f.endswith(".xml")], f"no capabilities entry in {cache}")
        self.assertEqual([f for f in os.listdir(os.path.join(c.data, "run", "vmis")) if f.startswith(".warmup")], [],
                         "the warm-up directories are removed")

        def warmup_processes():
            """The warm-up launchers, and daemons whose private mounts come from a warm-up
            directory (libvirtd's command line does not name it)."""
            left = []
            for pid, argv in processes().items():
                if any(a == b"--warm-capabilities" for a in argv):
                    left.append(b" ".join(argv))
                elif argv and argv[0].endswith(b"libvirtd"):
                    try:
                        with open(f"/proc/{pid}/mountinfo", "rb") as f:
                            if b".warmup-" in f.read():
                                left.append(b" ".join(argv))
                    except OSError:
                        pass
            return left

        self.wait(lambda: not warmup_processes(), "no warm-up launcher or daemon left", timeout=60)

    def test_example_vm_boots_with_its_address_is_reachable_and_deletion_leaves_nothing(self):
        c = self.cluster
        c.kubectl("create", "-f", EXAMPLE_VM)
        vmi = self.running("testvm")
        uid = vmi["metadata"]["uid"]
        iface = vmi["status"]["interfaces"][0]
        self.assertEqual(iface["name"], "default")
        # Masquerade: the guest sits on the VM network and leases its first address.
        self.assertEqual(iface["ipAddress"], "10.0.2.2", json.dumps(vmi["status"]))
        self.assertRegex(iface.get("mac", ""), r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
        self.assertEqual(condition(vmi, "Ready")["status"], "True")
        self.assertEqual(condition(vmi, "SoftwareEmulation")["status"], "True")
        self.assertTrue(any(t.get("phase") == "Running" for t in vmi["status"].get("phaseTransitionTimestamps", [])),
                        json.dumps(vmi["status"]))
        self.assertEqual(len(qemu_pids("testvm")), 1, "one QEMU process runs the guest")

        # A client on the other node reaches the guest's HTTP server at the pod IP.
        pod = pod_for_vmi(c, vmi)
        other = "node-1" if vmi["status"]["nodeName"] == "node-0" else "node-0"
        phase = self.fetch_from_pod("probe-testvm", other, f"http://{pod['status']['podIP']}:80/")
        self.assertEqual(phase, "Succeeded", "the guest's HTTP server answered through masquerade" + c.logs())

        c.kubectl("delete", "vm", "testvm")
        self.wait(lambda: c.get("vmi", "testvm") is None, "VMI testvm gone", timeout=120)
        self.wait(lambda: not c.list("pods", selector=f"kubevirt.io/created-by={uid}"), "its launcher pod gone", timeout=120)
        self.wait(lambda: not qemu_pids("testvm") and launcher_pid(uid) is None, "no QEMU or launcher left", timeout=60)
        self.wait(lambda: not os.path.exists(os.path.join(c.data, "run", "vmis", uid)),
                  "the VMI's agent directory removed", timeout=60)

    def test_agent_killed_and_restarted_re_adopts_the_running_vm(self):
        c = self.cluster
        c.apply(guest_vm("steady"))
        vmi = self.running("steady")
        uid = vmi["metadata"]["uid"]
        node = vmi["status"]["nodeName"]
        before = qemu_pids("steady")
        self.assertTrue(before)
        pod_ip = pod_for_vmi(c, vmi)["status"]["podIP"]
        guest_before = guest_status(pod_ip)
        agent = c.components[f"agent-{node}"]
        with open(f"/proc/{agent}/cmdline", "rb") as f:
            argv = [a.decode() for a in f.read().split(b"\0") if a]
        os.kill(agent, signal.SIGKILL)
        with open(os.path.join(c.data, "logs", f"agent-{node}-restarted.log"), "w") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        type(self).extra_agents = getattr(type(self), "extra_agents", []) + [proc]
        # The restarted agent finds the VM running: same QEMU, still Running with its address.
        after = self.running("steady")
        self.assertEqual(after["metadata"]["uid"], uid)
        self.assertEqual(qemu_pids("steady"), before, "the guest's QEMU process was not replaced")
        self.assertIsNone(proc.poll(), "the restarted agent keeps running")
        guest_after = guest_status(pod_ip)
        self.assertEqual(guest_after["boot_id"], guest_before["boot_id"], "the guest did not reboot")
        self.assertGreater(guest_after["uptime_s"], guest_before["uptime_s"])
        # And it still acts on the VM: deleting it shuts the guest down.
        c.kubectl("delete", "vm", "steady")
        self.wait(lambda: c.get("vmi", "steady") is None, "VMI steady gone", timeout=120)
        self.wait(lambda: not qemu_pids("steady"), "its QEMU gone", timeout=60)

    def test_launcher_killed_fails_the_vmi_and_always_brings_a_new_one_up(self):
        c = self.cluster
        c.apply(guest_vm("phoenix"))
        first = self.running("phoenix")
        uid = first["metadata"]["uid"]
        pid = launcher_pid(uid)
        self.assertIsNotNone(pid, "the launcher process of the VMI")
        os.kill(pid, signal.SIGKILL)
        second = self.running_new("phoenix", uid)
        self.assertNotEqual(second["metadata"]["uid"], uid)
        self.wait(lambda: c.events(about=uid), "an Event on the failed VMI")
        c.kubectl("delete", "vm", "phoenix")
        self.wait(lambda: c.get("vmi", "phoenix") is None, "VMI phoenix gone", timeout=120)

    def test_ten_vms_at_once_with_bridge_binding_run_with_distinct_pod_addresses(self):
        c = self.cluster
        names = [f"fleet-{i}" for i in range(10)]
        # One kubectl call creates all ten (a stream of JSON objects).
        c.kubectl("create", "-f", "-", input="\n".join(json.dumps(guest_vm(n, binding="bridge")) for n in names))
        vmis = {n: self.running(n) for n in names}
        addresses = {}
        for n, vmi in vmis.items():
            pod = pod_for_vmi(c, vmi)
            # Bridge binding: the guest takes the pod's own address.
            self.assertEqual(vmi["status"]["interfaces"][0]["ipAddress"], pod["status"]["podIP"], n)
            addresses[n] = pod["status"]["podIP"]
        self.assertEqual(len(set(addresses.values())), len(names), f"distinct addresses: {addresses}")
        self.assertEqual({v["status"]["nodeName"] for v in vmis.values()}, {"node-0", "node-1"},
                         "the ten VMs are spread over both nodes")
        # Each guest answers at its address and reports that address as its own.
        for n, ip in addresses.items():
            self.assertEqual(guest_status(ip)["address"].split("/")[0], ip, n)
        # And a pod on the other node reaches one directly, without NAT.
        first = vmis[names[0]]
        other = "node-1" if first["status"]["nodeName"] == "node-0" else "node-0"
        self.assertEqual(self.fetch_from_pod("probe-fleet", other, f"http://{addresses[names[0]]}:80/"), "Succeeded")
        c.kubectl("delete", "vm", *names, "--wait=false")
        self.wait(lambda: not [v for v in c.list("vmi") if v["metadata"]["name"].startswith("fleet-")],
                  "the ten VMIs gone", timeout=180)

    def test_a_vmi_whose_image_the_node_lacks_says_why_and_does_not_hang(self):
        c = self.cluster
        c.apply(guest_vm("imageless", strategy="Once", image="podvisor/no-such-image:1"))

        def stuck():
            v = c.get("vmi", "imageless")
            cond = v and condition(v, "Ready")
            return v if cond and cond["status"] == "False" and cond.get("reason") == "CreateContainerError" else None

        vmi = self.wait(stuck, "VMI imageless with the reason its pod cannot start", timeout=120)
        self.assertIn("no-such-image", condition(vmi, "Ready")["message"])
        self.assertIn(vmi["status"]["phase"], ("Scheduling", "Pending"))
        c.kubectl("delete", "vm", "imageless")
        self.wait(lambda: c.get("vmi", "imageless") is None, "VMI imageless gone", timeout=120)

    def running_new(self, name, old_uid):
        c = self.cluster

        def ready():
            v = c.get("vmi", name)
            if not v or v["metadata"]["uid"] == old_uid:
                return None
            status = v.get("status", {})
            ifaces = status.get("interfaces") or []
            return v if status.get("phase") == "Running" and ifaces and ifaces[0].get("ipAddress") else None

        return self.wait(ready, f"a new VMI {name} Running", vmi=name)

    def test_introspection_shows_the_timeline_wiring_and_lease_and_console_the_boot(self):
        import ssl
        import urllib.error
        from cluster_harness import PODVISOR
        c = self.cluster
        c.apply(guest_vm("inspected"))
        vmi = self.running("inspected")
        env = dict(os.environ, KUBECONFIG=c.kubeconfig)

        def podvisor(*args):
            return subprocess.run([PODVISOR, *args], env=env, capture_output=True, text=True, timeout=60)

        # The agent publishes the guest's address when the launcher reports the lease: the
        # VMI already has it, so the snapshot does too.
        out = podvisor("introspect", "vmi", "inspected", "-o", "json")
        self.assertEqual(out.returncode, 0, out.stderr + c.logs())
        snap = json.loads(out.stdout)
        self.assertEqual(snap["state"].lower(), "running", out.stdout)
        self.assertEqual(snap["node"], vmi["status"]["nodeName"])
        states = [e["state"] for e in snap["timeline"]]
        self.assertEqual(states[-1], snap["state"], out.stdout)
        self.assertIn("WiringNetwork", states, out.stdout)
        self.assertTrue(all(isinstance(e["durationMs"], int) and e["durationMs"] >= 0 for e in snap["timeline"]), out.stdout)
        self.assertGreater(snap["launcher"]["pid"], 0, out.stdout)
        self.assertEqual(snap["launcher"]["pid"], launcher_pid(vmi["metadata"]["uid"]), out.stdout)
        [net] = snap["network"]
        self.assertEqual((net["interface"], net["binding"]), ("default", "masquerade"), out.stdout)
        self.assertTrue(net["tap"] and net["bridge"] and net["nftTable"], out.stdout)
        self.assertTrue(net["guestAddress"].startswith(vmi["status"]["interfaces"][0]["ipAddress"] + "/"), out.stdout)
        [lease] = snap["lease"]
        self.assertEqual(lease["ip"], vmi["status"]["interfaces"][0]["ipAddress"], out.stdout)
        self.assertEqual(lease["mac"], vmi["status"]["interfaces"][0]["mac"], out.stdout)

        text = podvisor("introspect", "vmi", "inspected")
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("Timeline:", text.stdout)
        self.assertIn("WiringNetwork", text.stdout)

        # The console shows the guest's boot marker (it may still be on its way to the log).
        def booted():
            out = podvisor("console", "vmi", "inspected")
            return out.returncode == 0 and "PODVISOR-GUEST: booted" in out.stdout and out
        console = self.wait(booted, "the boot marker on podvisor console", timeout=120)
        self.assertNotIn("podvisor console:", console.stderr)

        # Without the token the agent answers 401, whatever the path.
        node = c.get("node", vmi["status"]["nodeName"])
        endpoint = node["metadata"]["annotations"]["podvisor.io/introspection-endpoint"]
        tls = ssl.create_default_context(cafile=os.path.join(c.data, "pki", "ca.crt"))
        for path in ("/healthz", "/v1/supervisors/default/inspected", "/v1/supervisors/default/inspected/console"):
            with self.assertRaises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(endpoint + path, context=tls, timeout=10)
            self.assertEqual(refused.exception.code, 401, path)

        # With it, /metrics carries libvirt's counters of the guest's NIC under the VMI
        # interface name (the supervisor refreshes them every few seconds while running).
        import re
        with open(os.path.join(c.data, "introspection.token")) as f:  # what podvisor up gave the agents
            token = f.read().strip()
        series = re.compile(r'^podvisor_vmi_network_receive_bytes_total\{namespace="default",name="inspected",'
                            r'interface="default"\} (\S+)$', re.M)

        def received():
            req = urllib.request.Request(endpoint + "/metrics", headers={"Authorization": "Bearer " + token})
            with urllib.request.urlopen(req, context=tls, timeout=10) as r:
                text = r.read().decode()
            m = series.search(text)
            return m and float(m.group(1)) > 0 and text
        metrics = self.wait(received, "podvisor_vmi_network_receive_bytes_total > 0 for inspected", timeout=60)
        self.assertIn("# TYPE podvisor_vmi_network_receive_bytes_total counter", metrics)
        c.kubectl("delete", "vm", "inspected")
        self.wait(lambda: c.get("vmi", "inspected") is None, "VMI inspected gone", timeout=120)


if __name__ == "__main__":
    unittest.main()
