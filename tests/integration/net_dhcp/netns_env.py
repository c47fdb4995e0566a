"""Network namespaces for the DHCP tests: a "pod" namespace with a bridge holding the
server address and a veth port (standing in for the VM's tap), a "guest" namespace with
the veth peer carrying the guest MAC, and the responder (podvisor_dhcp_serve) on the
bridge. Everything is created with a per-run prefix and always removed in close().
"""
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

BUILD_DIR = os.environ.get("PODVISOR_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../../build"))
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "client_script.py")

GUEST_MAC = "52:54:00:12:34:56"
GUEST_IP = "10.0.2.2"
SERVER_IP = "10.0.2.1"
DNS = "10.96.0.10"
SEARCH = ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"]
ROUTE = ("10.100.0.0/16", "10.0.2.1")
MTU = 1450
HOSTNAME = "web-1"

_counter = itertools.count()


def wait_for(cond, timeout, what):
    """Polls cond() until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(0.02)


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


class Topology:
    def __init__(self):
        n = next(_counter)
        tag = "pvd%d%d" % (os.getpid() % 100000, n)
        self.pod = tag + "p"
        self.guest = tag + "g"
        self.dir = tempfile.mkdtemp(prefix="podvisor-dhcp-")
        self.procs = []
        self.server = None
        self.stats_path = os.path.join(self.dir, "stats.json")
        try:
            self._create()
        except BaseException:
            self.close()
            raise

    def _create(self):
        sh("ip", "netns", "add", self.pod)
        sh("ip", "netns", "add", self.guest)
        p = ["ip", "-n", self.pod]
        sh(*p, "link", "set", "lo", "up")
        sh(*p, "link", "add", "k6t-eth0", "type", "bridge")
        sh(*p, "addr", "add", SERVER_IP + "/24", "dev", "k6t-eth0")
        sh(*p, "link", "add", "tap0", "type", "veth", "peer", "name", "eth0", "netns", self.guest)
        sh(*p, "link", "set", "tap0", "master", "k6t-eth0")
        sh(*p, "link", "set", "tap0", "up")
        sh(*p, "link", "set", "k6t-eth0", "up")
        g = ["ip", "-n", self.guest]
        sh(*g, "link", "set", "lo", "up")
        sh(*g, "link", "set", "eth0", "address", GUEST_MAC)
        sh(*g, "link", "set", "eth0", "up")
        # The sh wrapper bakes in the output directory: dhclient gives its script a fresh
        # environment.
        self.script = os.path.join(self.dir, "client-script")
        with open(self.script, "w") as f:
            f.write('#!/bin/sh\nexec /usr/bin/python3 %s %s "$@"\n' % (SCRIPT, self.dir))
        os.chmod(self.script, 0o755)

    def start_server(self, *extra):
        args = ["ip", "netns", "exec", self.pod, os.path.join(BUILD_DIR, "tests", "podvisor_dhcp_serve"),
                "--interface", "k6t-eth0", "--mac", GUEST_MAC, "--address", GUEST_IP + "/24",
                "--server", SERVER_IP, "--gateway", SERVER_IP, "--dns", DNS,
                "--route", "%s,%s" % ROUTE, "--mtu", str(MTU), "--hostname", HOSTNAME,
                "--domain", "cluster.local", "--stats", self.stats_path, *extra]
        for s in SEARCH:
            args += ["--search", s]
        self.server_log = open(os.path.join(self.dir, "server.log"), "w")
        self.server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.server_log, text=True)
        line = self.server.stdout.readline()  # "ready", or EOF when it failed
        if line.strip() != "ready":
            raise AssertionError("responder did not start: " + self.read("server.log"))

    def restart_server(self, *extra):
        """Replaces the running responder with one started with `extra` flags."""
        self._stop(self.server)
        self.server.stdout.close()
        self.server_log.close()
        self.start_server(*extra)

    def start(self, args, log_name):
        with open(os.path.join(self.dir, log_name), "w") as log:  # the child keeps its own descriptor
            proc = subprocess.Popen(["ip", "netns", "exec", self.guest, *args], stdout=log,
                                    stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def guest_run(self, *args, check=True):
        return sh("ip", "netns", "exec", self.guest, *args, check=check)

    def read(self, name):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stats(self):
        try:
            with open(self.stats_path) as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return {}

    def events(self):
        return [json.loads(line) for line in self.read("events.jsonl").splitlines() if line.strip()]

    def guest_addr(self):
        out = json.loads(sh("ip", "-n", self.guest, "-j", "addr", "show", "dev", "eth0").stdout)[0]
        addrs = [(a["local"], a["prefixlen"]) for a in out.get("addr_info", []) if a["family"] == "inet"]
        return out["mtu"], addrs

    def guest_routes(self):
        return json.loads(sh("ip", "-n", self.guest, "-j", "route", "show").stdout)

    def diagnostics(self):
        parts = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".log") or name in ("events.jsonl", "stats.json"):
                parts.append("--- %s\n%s" % (name, self.read(name)))
        return "\n".join(parts)

    @staticmethod
    def _stop(proc, sig=signal.SIGTERM):
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self):
        for proc in self.procs:
            self._stop(proc)
        if self.server is not None:
            self._stop(self.server)
            self.server.stdout.close()
            self.server_log.close()
        for ns in (self.pod, self.guest):
            sh("ip", "netns", "del", ns, check=False)
        if os.environ.get("PODVISOR_KEEP_TMP"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
