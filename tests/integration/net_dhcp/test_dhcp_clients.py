"""The net/dhcp responder on a real device-bound socket against the real DHCP clients a
guest runs: busybox udhcpc and ISC dhclient (Debian packages), each in a "guest" network
namespace behind a veth that stands in for the VM's tap (see netns_env.py).

Each client must obtain 10.0.2.2/24 and apply what it was told — MTU, routes from option
121 (including the default route), DNS and search domains from 119 — which the test reads
back from the guest namespace and from the resolv.conf the client's script wrote. Then the
rest of the lease flow: renewal answered with ACK, INIT-REBOOT from a lease file, a wrong
remembered address NAKed, RELEASE recorded, and rebinding: with the client's unicast
renewals dropped in the guest namespace, it reaches T2 and broadcasts, and keeps its
address. Both clients also receive a VMI interface's dhcpOptions (NTP servers, TFTP
server, boot file, private options 224..254) and hand them to their scripts.
"""
import json
import os
import signal
import unittest

from netns_env import (DNS, GUEST_IP, HOSTNAME, MTU, ROUTE, SEARCH, SERVER_IP, Topology, sh, wait_for)

DEADLINE = 20  # seconds for any one condition; normal runs take milliseconds

# A VMI interface's dhcpOptions, as podvisor_dhcp_serve flags and as the clients report them.
NTP = ["192.0.2.123", "192.0.2.124"]
TFTP = "tftp.example.org"
BOOTFILE = "pxelinux.0"
PRIVATE = {"224": "podvisor private value", "250": "x=1"}
EXTRAS = ["--ntp", NTP[0], "--ntp", NTP[1], "--tftp-server", TFTP, "--bootfile", BOOTFILE,
          *[a for code, value in PRIVATE.items() for a in ("--private", "%s=%s" % (code, value))]]


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.net = Topology()
        self.addCleanup(self.net.close)
        self.net.start_server()

    def run(self, result=None):
        # On failure, print what the server, the clients and their scripts said.
        failures = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result and len(result.failures) + len(result.errors) > failures and hasattr(self, "last_diag"):
            print(self.last_diag)
        return out

    def tearDown(self):
        self.last_diag = self.net.diagnostics()

    def bound_event(self, reasons, count=1):
        events = [e for e in self.net.events() if e["reason"] in reasons]
        return events[count - 1] if len(events) >= count else None

    def assert_applied(self):
        """The lease as the guest namespace shows it, and as the client's script saw it."""
        mtu, addrs = self.net.guest_addr()
        self.assertEqual(addrs, [(GUEST_IP, 24)])
        self.assertEqual(mtu, MTU)
        routes = {r["dst"]: r.get("gateway") for r in self.net.guest_routes()}
        self.assertEqual(routes.get("default"), SERVER_IP, routes)
        self.assertEqual(routes.get(ROUTE[0]), ROUTE[1], routes)
        resolv = self.net.read("resolv.conf").splitlines()
        self.assertIn("nameserver " + DNS, resolv)
        self.assertIn("search " + " ".join(SEARCH), resolv)

    def assert_extras(self, event):
        """The dhcpOptions as the client's script received them."""
        self.assertEqual(event["ntp"], NTP)
        self.assertEqual(event["tftp"], TFTP)
        self.assertEqual(event["bootfile"], BOOTFILE)
        self.assertEqual(event["private"], PRIVATE)

    def stats_at_least(self, **want):
        def check():
            s = self.net.stats()
            return s if all(s.get(k, 0) >= v for k, v in want.items()) else None
        return wait_for(check, DEADLINE, "responder stats %s (now %s)" % (want, self.net.stats()))


class UdhcpcTest(ClientTest):
    def start_udhcpc(self):
        # -O asks for 119 and 121 (udhcpc does not by default); -R releases on exit.
        return self.net.start(["udhcpc", "-f", "-i", "eth0", "-s", self.net.script, "-t", "5", "-T", "1",
                               "-O", "search", "-O", "staticroutes", "-R"], "udhcpc.log")

    def test_obtains_and_applies_the_lease(self):
        self.start_udhcpc()
        event = wait_for(lambda: self.bound_event(("bound",)), DEADLINE, "udhcpc bound")
        self.assertEqual(event["ip"], GUEST_IP)
        self.assertEqual(event["prefix"], 24)
        self.assertEqual(event["routers"], [SERVER_IP])
        self.assertEqual(event["hostname"], HOSTNAME)
        self.assertEqual(event["search"], SEARCH)
        self.assertIn(("0.0.0.0/0", SERVER_IP), [tuple(r) for r in event["routes"]])
        self.assert_applied()
        s = self.stats_at_least(offers=1, acks=1)
        self.assertEqual(s["phase"], "bound")
        self.assertEqual(sum(s["dropped"].values()), 0, s)

    def test_renewal_is_acked(self):
        proc = self.start_udhcpc()
        wait_for(lambda: self.bound_event(("bound",)), DEADLINE, "udhcpc bound")
        acks = self.stats_at_least(acks=1)["acks"]

        # SIGUSR1 makes udhcpc renew: a unicast REQUEST with ciaddr. Right after "bound"
        # udhcpc can miss the unicast ACK and fall back to rebinding later, so the signal
        # is repeated until a renew event shows up (each wait has its own deadline).
        def renewed():
            if self.bound_event(("renew",)):
                return True
            proc.send_signal(signal.SIGUSR1)
            try:
                wait_for(lambda: self.bound_event(("renew",)), 1.5, "renew")
                return True
            except AssertionError:
                return False
        wait_for(renewed, DEADLINE, "udhcpc renew event")
        s = self.stats_at_least(acks=acks + 1)
        self.assertEqual(s["naks"], 0)
        self.assertEqual(self.bound_event(("renew",))["ip"], GUEST_IP)
        self.assert_applied()

    def test_renews_by_itself(self):
        # A short lease: udhcpc renews on its own (it raises leases below 30 s to 30 s and
        # renews at half) with a unicast REQUEST, and must take the first ACK — no
        # fallback to rebinding ("broadcasting renew") or DISCOVER.
        self.net.restart_server("--lease-seconds", "4")
        self.start_udhcpc()
        event = wait_for(lambda: self.bound_event(("bound",)), DEADLINE, "udhcpc bound")
        self.assertEqual(event["lease"], "4")
        wait_for(lambda: self.bound_event(("renew",)), 40, "renewal at half the lease")
        s = self.stats_at_least(acks=2)
        self.assertEqual((s["offers"], s["naks"], s["received"]), (1, 0, 3), s)
        self.assertNotIn("broadcasting renew", self.net.read("udhcpc.log"))
        self.assert_applied()

    def test_receives_the_dhcp_options(self):
        # udhcpc requests 42 by default; 66, 67 and the private options come unasked and
        # it exports them all (the private ones as optNNN=<hex>).
        self.net.restart_server(*EXTRAS)
        self.start_udhcpc()
        event = wait_for(lambda: self.bound_event(("bound",)), DEADLINE, "udhcpc bound")
        self.assert_extras(event)
        self.assert_applied()

    def test_release_is_recorded(self):
        proc = self.start_udhcpc()
        wait_for(lambda: self.bound_event(("bound",)), DEADLINE, "udhcpc bound")
        self.stats_at_least(acks=1)
        proc.send_signal(signal.SIGUSR2)  # release and deconfigure
        s = self.stats_at_least(releases=1)
        self.assertEqual(s["phase"], "released")
        wait_for(lambda: self.net.guest_addr()[1] == [], DEADLINE, "address removed after release")


class DhclientTest(ClientTest):
    def dhclient(self, *extra, conf="/etc/dhcp/dhclient.conf"):
        d = self.net.dir
        return ["dhclient", "-4", "-d", "-v", "-cf", conf, "-sf", self.net.script,
                "-lf", os.path.join(d, "dhclient.leases"), "-pf", os.path.join(d, "dhclient.pid"), *extra, "eth0"]

    def write_conf(self, extra):
        """Debian's dhclient.conf followed by `extra`; returns the path."""
        with open("/etc/dhcp/dhclient.conf") as f:
            debian = f.read()
        path = os.path.join(self.net.dir, "dhclient.conf")
        with open(path, "w") as f:
            f.write(debian + "\n" + extra)
        return path

    def nft_drop_count(self):
        out = json.loads(self.net.guest_run("nft", "-j", "list", "table", "ip", "pvtest").stdout)
        return sum(item["rule"]["expr"][i]["counter"]["packets"]
                   for item in out["nftables"] if "rule" in item
                   for i, e in enumerate(item["rule"]["expr"]) if "counter" in e)

    def write_lease(self, address):
        with open(os.path.join(self.net.dir, "dhclient.leases"), "w") as f:
            f.write('lease {\n  interface "eth0";\n  fixed-address %s;\n  option subnet-mask 255.255.255.0;\n'
                    '  option dhcp-lease-time 4294967295;\n  renew never;\n  rebind never;\n  expire never;\n}\n'
                    % address)

    def test_obtains_and_applies_the_lease(self):
        self.net.start(self.dhclient(), "dhclient.log")
        event = wait_for(lambda: self.bound_event(("BOUND",)), DEADLINE, "dhclient BOUND")
        self.assertEqual(event["ip"], GUEST_IP)
        self.assertEqual(event["prefix"], 24)
        self.assertEqual(event["hostname"], HOSTNAME)
        self.assertEqual(event["search"], SEARCH)
        self.assertEqual(event["mtu"], str(MTU))
        self.assertEqual(sorted(tuple(r) for r in event["routes"]), sorted([ROUTE, ("0.0.0.0/0", SERVER_IP)]))
        self.assert_applied()
        s = self.stats_at_least(offers=1, acks=1)
        self.assertEqual(s["phase"], "bound")
        self.assertEqual(sum(s["dropped"].values()), 0, s)

    def test_receives_the_dhcp_options(self):
        # dhclient exports only options it has names for: the private codes are declared
        # in its configuration; 224 and the boot file are requested, 250 comes unasked.
        self.net.restart_server(*EXTRAS)
        conf = self.write_conf("option podvisor-opt-224 code 224 = text;\n"
                               "option podvisor-opt-250 code 250 = text;\n"
                               "also request podvisor-opt-224, bootfile-name;\n")
        self.net.start(self.dhclient(conf=conf), "dhclient.log")
        event = wait_for(lambda: self.bound_event(("BOUND",)), DEADLINE, "dhclient BOUND")
        self.assert_extras(event)
        self.assert_applied()

    def test_rebinds_by_broadcast_when_renewals_are_lost(self):
        # A 20 s lease: T1 = 10 s (dhclient renews at a random point in its last quarter),
        # T2 = 17 s, expiry 20 s. Retransmissions every 1-2 s (initial-interval 1,
        # backoff-cutoff 2) so that one falls between T2 and expiry.
        self.net.restart_server("--lease-seconds", "20")
        conf = self.write_conf("initial-interval 1;\nbackoff-cutoff 2;\n")
        self.net.start(self.dhclient(conf=conf), "dhclient.log")
        event = wait_for(lambda: self.bound_event(("BOUND",)), DEADLINE, "dhclient BOUND")
        self.assertEqual(event["lease"], "20")
        # The unicast renewals to the server die in the guest namespace; dhclient sends
        # its broadcasts through a packet socket, which nftables does not see.
        self.net.guest_run("nft", "add table ip pvtest; "
                           "add chain ip pvtest out { type filter hook output priority 0; policy accept; }; "
                           "add rule ip pvtest out ip daddr %s udp dport 67 counter drop" % SERVER_IP)
        seen = len(self.net.events())
        # The responder tells REBINDING from RENEWING by the request's destination: a
        # REQUEST with ciaddr that arrived by broadcast (see dhcp_serve.cpp).
        wait_for(lambda: self.net.stats().get("acks_by_state", {}).get("rebinding"), 40,
                     "an ACK to a REQUEST in REBINDING state")
        s = self.net.stats()
        self.assertEqual(s["acks_by_state"].get("renewing", 0), 0, s)
        self.assertEqual((s["offers"], s["naks"]), (1, 0), s)
        self.assertGreater(self.nft_drop_count(), 0, "no unicast renewal was attempted (and dropped)")
        # dhclient applies the extended lease; its script calls that RENEW even after it
        # switched to broadcasting, so the reason alone does not show the rebinding.
        extended = wait_for(lambda: [e for e in self.net.events()[seen:] if e["reason"] in ("RENEW", "REBIND")],
                            DEADLINE, "the rebound lease applied")
        self.assertEqual(extended[0]["ip"], GUEST_IP)
        log = self.net.read("dhclient.log")
        unicast = log.find("DHCPREQUEST for %s on eth0 to %s port 67" % (GUEST_IP, SERVER_IP))
        self.assertGreaterEqual(unicast, 0, log)
        self.assertIn("DHCPREQUEST for %s on eth0 to 255.255.255.255 port 67" % GUEST_IP, log[unicast:])
        self.assertNotIn("EXPIRE", [e["reason"] for e in self.net.events()])
        self.assert_applied()

    def test_init_reboot_from_lease_file_is_acked(self):
        # A client that remembers its lease asks for it directly (REQUEST with 50, no
        # server identifier, no DISCOVER) and must get an ACK.
        self.write_lease(GUEST_IP)
        self.net.start(self.dhclient(), "dhclient.log")
        event = wait_for(lambda: self.bound_event(("REBOOT", "BOUND")), DEADLINE, "dhclient REBOOT")
        self.assertEqual(event["reason"], "REBOOT")
        s = self.stats_at_least(acks=1)
        self.assertEqual((s["offers"], s["naks"]), (0, 0), s)
        self.assert_applied()

    def test_wrong_remembered_address_is_naked(self):
        # INIT-REBOOT for an address that is not the guest's: NAK, then the client starts
        # over with DISCOVER and gets the right one.
        self.write_lease("10.0.2.99")
        self.net.start(self.dhclient(), "dhclient.log")
        event = wait_for(lambda: self.bound_event(("BOUND",)), DEADLINE, "dhclient BOUND after NAK")
        self.assertEqual(event["ip"], GUEST_IP)
        s = self.stats_at_least(naks=1, offers=1, acks=1)
        self.assertEqual(s["phase"], "bound")
        self.assert_applied()

    def test_release_is_recorded(self):
        proc = self.net.start(self.dhclient(), "dhclient.log")
        wait_for(lambda: self.bound_event(("BOUND",)), DEADLINE, "dhclient BOUND")
        # dhclient runs its BOUND hook before it writes the lease file, and `dhclient -r`
        # releases only what that file holds: wait for the lease there first.
        leases = os.path.join(self.net.dir, "dhclient.leases")

        def lease_written():
            try:
                with open(leases) as f:
                    return f"fixed-address {GUEST_IP};" in f.read()
            except FileNotFoundError:
                return False

        wait_for(lease_written, DEADLINE, "dhclient's lease file with the lease")
        # dhclient -r stops the running client (pid file) and sends a RELEASE.
        self.net.guest_run(*self.dhclient("-r")[:3], *self.dhclient("-r")[4:])
        proc.wait(timeout=DEADLINE)
        s = self.stats_at_least(releases=1)
        self.assertEqual(s["phase"], "released")


if __name__ == "__main__":
    unittest.main()
