"""The guest gets the pod's network: phase 1 of a binding (podvisor-net, net/binding) wires
a pod namespace the test made, then podvisor-launcher — inside that namespace, like in a
pod — boots the test guest with --network-result. The guest's real udhcpc takes its
address from the launcher's DHCP responder, and a client in the "node" namespace reaches
the guest's HTTP endpoint at the pod IP (bridge: the guest has it; masquerade: DNAT to
10.0.2.2). The node agent's way too: the launcher awaits start, the network is wired
afterwards, start names its result, and the lease comes back as a watch event. Needs
root. Run with Debian's /usr/bin/python3.
"""

import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

from test_launcher import BOOT_TIMEOUT, Launcher, wait_until, setUpModule as launcher_setup, \
    tearDownModule as launcher_teardown

BUILD = os.environ.get("PODVISOR_BUILD_DIR", "build")
PODVISOR_NET = os.path.join(BUILD, "bin", "podvisor-net")
POD_IP, NODE_IP = "10.99.0.5", "10.99.0.1"


def setUpModule():
    launcher_setup()


def tearDownModule():
    launcher_teardown()


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=60, check=check)


class PodNetwork:
    """A node namespace and a pod namespace joined by a veth, as a simple CNI leaves them."""

    def __init__(self):
        tag = os.getpid()
        self.node, self.pod = f"pvn-node-{tag}", f"pvn-pod-{tag}"
        self.tmp = tempfile.mkdtemp(prefix="pvn-")
        self.resolv = os.path.join(self.tmp, "resolv.conf")
        self.state = os.path.join(self.tmp, "net.json")
        with open(self.resolv, "w") as f:
            f.write("nameserver 10.99.0.53\nsearch test.svc.cluster.local svc.cluster.local\n")
        sh("ip", "netns", "add", self.node)
        sh("ip", "netns", "add", self.pod)
        sh("ip", "-n", self.node, "link", "add", "vnode", "type", "veth", "peer", "name", "eth0", "netns", self.pod)
        sh("ip", "-n", self.node, "addr", "add", f"{NODE_IP}/24", "dev", "vnode")
        sh("ip", "-n", self.node, "link", "set", "vnode", "up")
        sh("ip", "-n", self.node, "link", "set", "lo", "up")
        sh("ip", "-n", self.pod, "addr", "add", f"{POD_IP}/24", "dev", "eth0")
        sh("ip", "-n", self.pod, "link", "set", "eth0", "up")
        sh("ip", "-n", self.pod, "link", "set", "lo", "up")
        sh("ip", "-n", self.pod, "route", "add", "default", "via", NODE_IP)

    def bind(self, kind, *extra):
        out = sh(PODVISOR_NET, "setup", "--netns", f"/run/netns/{self.pod}", "--binding", kind,
                 "--state", self.state, "--resolv-conf", self.resolv, *extra, check=False)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def http_from_node(self, ip):
        code = ("import json,sys,urllib.request;"
                f"print(urllib.request.urlopen('http://{ip}/', timeout=5).read().decode())")
        out = sh("ip", "netns", "exec", self.node, "/usr/bin/python3", "-c", code, check=False)
        return json.loads(out.stdout) if out.returncode == 0 else None

    def close(self):
        if os.path.exists(self.state):
            sh(PODVISOR_NET, "teardown", "--netns", f"/run/netns/{self.pod}", "--state", self.state, check=False)
        sh("ip", "netns", "del", self.pod, check=False)
        sh("ip", "netns", "del", self.node, check=False)
        subprocess.run(["rm", "-rf", self.tmp], check=False)


def masquerade_vmi_patch(vmi):
    iface = vmi["spec"]["domain"]["devices"]["interfaces"][0]
    iface.pop("bridge", None)
    iface["masquerade"] = {}
    iface["ports"] = [{"name": "http", "port": 80, "protocol": "TCP"}]
    return vmi


class GuestNetworkTest(unittest.TestCase):
    def setUp(self):
        self.net = PodNetwork()
        self.launchers = []

    def tearDown(self):
        for l in self.launchers:
            l.close()
        self.net.close()

    def run_guest(self, name, patch=None):
        l = Launcher(name, interface=None, netns=self.net.pod, network_result=f"default={self.net.state}", patch=patch)
        self.launchers.append(l)
        return l.start()

    def stop(self, l):
        l.proc.send_signal(signal.SIGTERM)
        self.assertEqual(l.wait_exit(60), 0, l.log_text())

    def test_bridge_binding_guest_takes_the_pod_ip_by_dhcp(self):
        self.net.bind("bridge")
        l = self.run_guest("bridged")
        l.wait_marker(f"lease ip={POD_IP}/24 router={NODE_IP} dns=10.99.0.53")
        l.wait_marker("http ready")
        self.assertIn(f"DHCP gave {POD_IP}/24", l.log_text())
        status = wait_until(lambda: self.net.http_from_node(POD_IP), 60, "the guest's HTTP endpoint at the pod IP")
        self.assertEqual(status["address"].split("/")[0], POD_IP, status)
        self.stop(l)

    def test_masquerade_binding_guest_behind_nat_reachable_at_the_pod_ip(self):
        self.net.bind("masquerade", "--port", "tcp:80")
        l = self.run_guest("masq", patch=masquerade_vmi_patch)
        l.wait_marker("lease ip=10.0.2.2/24 router=10.0.2.1")
        l.wait_marker("http ready")
        status = wait_until(lambda: self.net.http_from_node(POD_IP), 60, "the guest's HTTP endpoint through DNAT")
        self.assertEqual(status["address"].split("/")[0], "10.0.2.2", status)
        self.stop(l)

    def test_await_start_then_start_with_the_network_result_gives_a_lease_event(self):
        l = Launcher("agented", netns=self.net.pod, await_start=300, with_interface=True)
        self.launchers.append(l)
        l.start()
        ch = l.channel()
        self.assertTrue(ch.hello["awaitingStart"], ch.hello)
        self.assertEqual(ch.hello["pid"], l.proc.pid)  # `ip netns exec` execs the launcher
        # What the agent does: phase 1 in the pod's namespace after the launcher is up,
        # then start with the cached result.
        self.net.bind("bridge")
        watch = l.channel()
        self.assertEqual(watch.call({"op": "watch"}), {"ok": True})
        ch.sock.settimeout(BOOT_TIMEOUT)
        started = ch.call({"op": "start", "networks": {"default": self.net.state}})
        self.assertEqual(started, {"ok": True}, l.log_text())
        self.assertEqual(ch.call({"op": "status"})["phase"], "running")
        again = ch.call({"op": "start"})
        self.assertEqual(again["error"]["code"], "conflict", again)
        deadline = time.monotonic() + BOOT_TIMEOUT
        lease = None
        while lease is None and time.monotonic() < deadline:
            ev = watch.next_line(BOOT_TIMEOUT)
            if ev["event"] == "lease":
                lease = ev
        self.assertIsNotNone(lease, l.log_text())
        self.assertEqual((lease["interface"], lease["ip"]), ("default", POD_IP), lease)
        self.assertRegex(lease["mac"], r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
        l.wait_marker(f"lease ip={POD_IP}/24 router={NODE_IP} dns=10.99.0.53")
        status = ch.call({"op": "status"})
        self.assertEqual(status["leases"], [{"interface": "default", "mac": lease["mac"], "ip": POD_IP}], status)
        # libvirt's counters of the guest's NIC, named by the VMI interface (alias
        # ua-default), not the tap: the DHCP exchange moved bytes both ways. The test VMI
        # has no disk (kernel boot, no storage yet), so there are no block counters.
        stats = status["stats"]
        self.assertEqual([i["name"] for i in stats["interfaces"]], ["default"], status)
        nic = stats["interfaces"][0]
        self.assertGreater(nic["rxBytes"], 0, status)
        self.assertGreater(nic["txBytes"], 0, status)
        self.assertGreater(nic["rxPackets"], 0, status)
        self.assertGreater(nic["txPackets"], 0, status)
        self.assertEqual(stats["blocks"], [], status)
        ch.close()
        watch.close()
        self.stop(l)


class PodvisorNetCliTest(unittest.TestCase):
    """podvisor-net refuses bad input with a clear message and never touches a namespace."""

    def run_net(self, *args):
        return subprocess.run([PODVISOR_NET, *args], capture_output=True, text=True, timeout=60)

    def test_bad_input_is_refused_with_a_clear_error(self):
        cases = [
            ((), 2, "Usage:"),
            (("frob", "--netns", "a", "--state", "b"), 2, 'unknown command "frob"'),
            (("setup", "--netns"), 2, "--netns needs a value"),
            (("setup", "--netns", "/run/netns/x", "--state", "/tmp/x.json"), 2, "--binding must be bridge or masquerade"),
            (("setup", "--netns", "/run/netns/x", "--binding", "masquerade", "--state", "/tmp/x.json",
              "--port", "tcp:99999"), 2, '"tcp:99999" is not PROTO:PORT'),
            (("setup", "--netns", "/run/netns/x", "--binding", "bridge", "--state", "/tmp/x.json", "--mac", "zz"),
             2, '"zz" is not a MAC address'),
            (("setup", "--netns", "/run/netns/pv-no-such-ns", "--binding", "bridge", "--state", "/tmp/pv-x.json"),
             1, "open netns /run/netns/pv-no-such-ns"),
            (("teardown", "--netns", "/run/netns/pv-no-such-ns", "--state", "/tmp/pv-x.json"),
             1, "open netns /run/netns/pv-no-such-ns"),
        ]
        for args, code, message in cases:
            with self.subTest(args=args):
                out = self.run_net(*args)
                self.assertEqual(out.returncode, code, out.stderr)
                self.assertIn(message, out.stderr)
        self.assertFalse(os.path.exists("/tmp/pv-x.json"))


if __name__ == "__main__":
    unittest.main()
