"""Runs the real embedded cluster (`podvisor up --nodes N`: API server, simulated nodes
with their podlets, scheduler, controller) for end-to-end tests, and checks that its
teardown leaves nothing behind: no host interface of its network, no mount under its
data directory, no process started from it, no pod cgroup.

Launcher pods run tests/integration/cluster/stub_launcher.py instead of the real
launcher, so these tests exercise cluster control without booting guests."""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "apiserver"))
from harness import BUILD_DIR, KUBECTL, LineReader, wait_for  # noqa: E402

PODVISOR = os.path.join(BUILD_DIR, "bin", "podvisor")
STUB_LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stub_launcher.py")


class Cluster:
    """One `podvisor up` process and the clients to talk to it."""

    def __init__(self, network_id, cluster_cidr, nodes=2, controller_flags=(), agents=False, guest=None,
                 examples=None, agent_flags=(), restart_components=False):
        self.tmp = tempfile.mkdtemp(prefix="podvisor-cluster-test-")
        self.data = os.path.join(self.tmp, "data")
        self.network_id = network_id
        if examples is None:
            examples = os.path.join(self.tmp, "no-examples")
            os.makedirs(examples)
        args = [PODVISOR, "up", "--nodes", str(nodes), "--data-dir", self.data, "--listen", ":0",
                "--examples", examples, "--network-id", network_id, "--cluster-cidr", cluster_cidr,
                "--kvm", "off", "--log-level", "debug", "--agents", "on" if agents else "off"]
        # Without agents, launcher pods run a stub (the cluster's control path alone);
        # with them, the real launcher boots the test guest.
        if not agents:
            args += ["--launcher", STUB_LAUNCHER]
        if guest:
            args += ["--guest", guest]
        for flag in controller_flags:
            args += ["--controller-flag", flag]
        for flag in agent_flags:
            args += ["--agent-flag", flag]
        # Tests kill components on purpose and mean them to stay down, unless they test
        # the restart itself.
        args += ["--restart-components", "on" if restart_components else "off"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.reader = LineReader(self.proc.stdout)
        try:
            lines = self.reader.wait_until(lambda ls: any("Ctrl-C stops" in l for l in ls) or self.proc.poll() is not None,
                                           timeout=180, what="podvisor up to start")
            if self.proc.poll() is not None:
                raise AssertionError("podvisor up exited: " + "\n".join(self.reader.lines) + self.logs())
        except BaseException:
            self.kill()
            raise
        text = "\n".join(lines)
        self.kubeconfig = re.search(r"kubeconfig\s+(\S+)", text).group(1)
        self.components = {m.group(1): int(m.group(2)) for m in re.finditer(r"component\s+(\S+)\s+pid (\d+)", text)}
        self.nodes = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(r"node\s+(\S+)\s+(\S+)\s+pods (\S+)", text)}

    def kubectl(self, *args, input=None, check=True, timeout=60):
        env = dict(os.environ, HOME=os.path.join(self.tmp, "home"), KUBECONFIG=self.kubeconfig)
        got = subprocess.run([KUBECTL, *args], capture_output=True, text=True, env=env, timeout=timeout, input=input)
        if check and got.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {got.stderr}")
        return got

    def apply(self, obj):
        self.kubectl("apply", "-f", "-", input=json.dumps(obj))

    def get(self, kind, name, namespace="default"):
        got = self.kubectl("get", kind, name, "-n", namespace, "-o", "json", check=False)
        return json.loads(got.stdout) if got.returncode == 0 else None

    def list(self, kind, namespace="default", selector=None):
        args = ["get", kind, "-n", namespace, "-o", "json"]
        if selector:
            args += ["-l", selector]
        return json.loads(self.kubectl(*args).stdout)["items"]

    def shut_down(self):
        """Ctrl-C, then asserts that podvisor up exited 0 and left nothing behind; the
        temporary directory goes either way."""
        try:
            code = self.stop()
            left = self.leftovers()
        finally:
            self.cleanup()
        assert code == 0, f"podvisor up exited with {code}"
        assert not left, f"left behind after Ctrl-C: {left}"

    def events(self, reason=None, about=None, namespace="default"):
        """The namespace's Events, optionally only those with `reason` whose involvedObject's
        name or uid is `about`. Events are written asynchronously after the change they
        report, so tests wait for them rather than expect them at once."""
        items = self.list("events", namespace=namespace)
        return [e for e in items
                if (reason is None or e.get("reason") == reason) and
                (about is None or about in (e.get("involvedObject", {}).get("name"),
                                            e.get("involvedObject", {}).get("uid")))]

    def logs(self):
        out = []
        logs = os.path.join(self.data, "logs")
        if os.path.isdir(logs):
            for name in sorted(os.listdir(logs)):
                with open(os.path.join(logs, name), errors="replace") as f:
                    tail = f.readlines()[-30:]
                out.append(f"\n--- {name} (last lines) ---\n" + "".join(tail))
        return "".join(out)

    def vmi_story(self, name, namespace="default"):
        """What a failed wait on the VMI `name` needs to be understood: the end of its
        launcher pod's log, of its serial console, and its supervisor's introspection."""
        out = []
        for pod in self.list("pods", namespace=namespace, selector=f"vm.kubevirt.io/name={name}") or []:
            # The podlet keeps a container's log in its pod directory (no pods/log here).
            for path in sorted(glob.glob(os.path.join(self.data, "**", "pods", pod["metadata"]["uid"], "logs", "*.log"),
                                         recursive=True)):
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-60:]
                out.append(f"\n--- launcher pod {pod['metadata']['name']} on {pod['spec'].get('nodeName')}: "
                           f"{os.path.basename(path)} (last lines) ---\n" + "".join(tail))
        for what in (["console", "vmi", name, "-n", namespace],
                     ["introspect", "vmi", name, "-n", namespace, "-o", "json"]):
            try:
                got = subprocess.run([PODVISOR, *what], env=dict(os.environ, KUBECONFIG=self.kubeconfig),
                                     capture_output=True, text=True, timeout=30)
                text = "\n".join((got.stdout + got.stderr).splitlines()[-40:])
            except subprocess.TimeoutExpired:
                text = "(timed out)"
            out.append(f"\n--- podvisor {' '.join(what)} (last lines) ---\n{text}\n")
        return "".join(out)

    def stop(self):
        """Ctrl-C, as a user would; returns podvisor up's exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(180)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def leftovers(self):
        """What the cluster left on the machine; empty when teardown was complete."""
        found = []
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        prefix = "pv" + self.network_id
        found += [f"link {l.split(':')[1].strip()}" for l in links.splitlines()
                  if l.split(":")[1].strip().split("@")[0].startswith(prefix)]
        with open("/proc/self/mountinfo") as f:
            found += [f"mount {l.split()[4]}" for l in f if self.data in l.split()[4]]
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if self.data in cmdline or STUB_LAUNCHER in cmdline:
                found.append(f"process {pid}: {cmdline[:120]}")
        for hierarchy in ("memory", "cpu"):
            root = f"/sys/fs/cgroup/{hierarchy}"
            if os.path.isdir(root):
                for dirpath, dirnames, _ in os.walk(root):
                    found += [f"cgroup {os.path.join(dirpath, d)}" for d in dirnames if d.startswith("podvisor-node-")]
        return found

    def cleanup(self):
        self.kill()
        self.proc.stdout.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def pod_for_vmi(cluster, vmi):
    pods = cluster.list("pods", selector=f"kubevirt.io/created-by={vmi['metadata']['uid']}")
    return pods[0] if len(pods) == 1 else None


def condition(obj, ctype):
    for c in obj.get("status", {}).get("conditions", []):
        if c.get("type") == ctype:
            return c
    return None


class ClusterWaits:
    """For test cases with a `cluster`: wait() polls a condition until it holds (its value
    is returned) or TIMEOUT passes; a failure carries the end of every component's log."""

    TIMEOUT = 120
    WAIT_INTERVAL = 0.3

    def wait(self, predicate, what, timeout=None, vmi=None):
        """`vmi`: the name of the VMI the wait is about; a failure then also carries its
        launcher's log, its serial console and its supervisor's introspection."""
        try:
            return wait_for(predicate, timeout=timeout or self.TIMEOUT, interval=self.WAIT_INTERVAL, what=what)
        except AssertionError as e:
            self.fail(str(e) + (self.cluster.vmi_story(vmi) if vmi else "") + self.cluster.logs())


__all__ = ["PODVISOR", "Cluster", "ClusterWaits", "wait_for", "pod_for_vmi", "condition", "time"]
