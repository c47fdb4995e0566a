"""podvisor-launcher with real libvirt and QEMU: the test guest (tools/guest) boots under
the launcher's private libvirt daemon; SIGTERM powers it off within the grace period; a
QEMU killed with -9 is reported and the launcher exits non-zero; two launchers side by
side keep to themselves; a prepared tap is attached; after every exit no daemon, QEMU or
mount is left behind.

Needs root (the daemon's mount namespace, taps). Acceleration is whatever the launcher
decides (TCG on machines without a usable KVM; the same test runs under KVM where it
works). Run with Debian's /usr/bin/python3.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

BUILD = os.environ.get("PODVISOR_BUILD_DIR", "build")
LAUNCHER = os.path.join(BUILD, "bin", "podvisor-launcher")
GUEST = os.environ.get("PODVISOR_GUEST_DIR", os.path.join(BUILD, "guest"))
MARK = "PODVISOR-GUEST: "
BOOT_TIMEOUT = 180  # TCG on a loaded 2-core machine
CACHE = None  # node-level capabilities cache shared by the launchers of this module


def setUpModule():
    global CACHE
    CACHE = tempfile.mkdtemp(prefix="pvl-caps-")


def tearDownModule():
    shutil.rmtree(CACHE, ignore_errors=True)


def vmi(name, grace=20, interface=False, memory="128Mi"):
    spec = {
        "terminationGracePeriodSeconds": grace,
        "domain": {
            "resources": {"requests": {"memory": memory}},
            "firmware": {"kernelBoot": {
                "kernelArgs": "console=ttyS0 panic=-1",
                "container": {"image": "localhost/podvisor-guest:1",
                              "kernelPath": "/boot/vmlinuz", "initrdPath": "/boot/initrd.img"}}},
            "devices": {},
        },
    }
    if interface:
        spec["domain"]["devices"]["interfaces"] = [{"name": "default", "bridge": {}}]
        spec["networks"] = [{"name": "default", "pod": {}}]
    else:
        spec["domain"]["devices"]["autoattachPodInterface"] = False
    return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
            "metadata": {"name": name, "namespace": "test"}, "spec": spec}


def wait_until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def processes_mentioning(text):
    """PIDs whose command line contains `text` (leftover daemons or QEMUs)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd:
            found.append(int(pid))
    return found


class Channel:
    """A client of the launcher's command channel (protocols/launcher_channel.hpp)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.f = self.sock.makefile("rw")
        self.hello = self.call({"op": "hello", "versions": [1]})
        assert self.hello["ok"] and self.hello["version"] == 1, self.hello

    def next_line(self, timeout):
        """The next line of a watch stream as JSON."""
        self.sock.settimeout(timeout)
        line = self.f.readline()
        if not line:
            raise ConnectionError("launcher closed the channel")
        return json.loads(line)

    def call(self, req):
        self.f.write(json.dumps(req) + "\n")
        self.f.flush()
        line = self.f.readline()
        if not line:
            raise ConnectionError("launcher closed the channel")
        return json.loads(line)

    def close(self):
        self.sock.close()


class Launcher:
    """One podvisor-launcher process; close() always leaves nothing running."""

    def __init__(self, name, grace=20, interface=None, netns=None, network_result=None, patch=None,
                 await_start=None, with_interface=False):
        # Short: the daemon's socket path lives under it (108-byte limit).
        self.tmp = tempfile.mkdtemp(prefix="pvl-")
        self.work = os.path.join(self.tmp, "w")
        self.log_path = os.path.join(self.tmp, "launcher.log")
        self.serial = os.path.join(self.work, "serial.log")
        spec = vmi(name, grace, interface is not None or network_result is not None or with_interface)
        if patch:
            spec = patch(spec)
        with open(os.path.join(self.tmp, "vmi.json"), "w") as f:
            json.dump(spec, f)
        cmd = [LAUNCHER, "--vmi", os.path.join(self.tmp, "vmi.json"), "--work-dir", self.work,
               "--kernel", os.path.join(GUEST, "vmlinuz"), "--initrd", os.path.join(GUEST, "initrd.img"),
               "--capabilities-cache", CACHE]
        if interface:
            cmd += ["--interface", interface]
        if network_result:
            cmd += ["--network-result", network_result]
        if await_start:
            cmd += ["--await-start", str(await_start)]
        if netns:
            cmd = ["ip", "netns", "exec", netns] + cmd
        self.cmd = cmd
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def serial_text(self):
        try:
            with open(self.serial, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_marker(self, marker, timeout=BOOT_TIMEOUT):
        def seen():
            if self.proc.poll() is not None:
                raise AssertionError(f"launcher exited ({self.proc.returncode}) before '{marker}'")
            return MARK + marker in self.serial_text()
        try:
            wait_until(seen, timeout, f"guest marker '{marker}'")
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- launcher ---\n{self.log_text()}\n--- serial ---\n"
                                 f"{self.serial_text()[-2000:]}") from None

    def channel(self):
        path = os.path.join(self.work, "control.sock")
        wait_until(lambda: os.path.exists(path) or self.proc.poll() is not None, 60, "the control socket")
        return Channel(path)

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"launcher still running after {timeout} s:\n{self.log_text()}") from None

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # A launcher killed hard leaves its daemon's QEMU behind (libvirt lets domains
        # outlive the daemon): a failed test must not leak it into the next one.
        for pid in processes_mentioning(self.work):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if hasattr(self, "log"):
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class LauncherTest(unittest.TestCase):
    def setUp(self):
        self.launchers = []
        self.run_libvirt_existed = os.path.exists("/run/libvirt")

    def tearDown(self):
        for l in self.launchers:
            l.close()

    def launcher(self, name, **kw):
        l = Launcher(name, **kw)
        self.launchers.append(l)
        return l.start()

    def assert_nothing_left(self, l):
        self.assertEqual(processes_mentioning(l.work), [], "a daemon or QEMU outlived the launcher")
        with open("/proc/self/mountinfo") as f:
            self.assertNotIn(l.tmp, f.read(), "a mount of the daemon's namespace leaked to the host")
        self.assertEqual(os.path.exists("/run/libvirt"), self.run_libvirt_existed,
                         "the launcher wrote outside its directories")
        self.assertFalse(os.path.exists(os.path.join(l.work, "control.sock")))
        self.assertFalse(os.path.exists(os.path.join(l.work, "libvirt", "run")))

    def test_boots_then_sigterm_powers_off_gracefully(self):
        l = self.launcher("boot")
        l.wait_marker("booted")
        l.wait_marker("acpi ready")
        ch = l.channel()
        st = ch.call({"op": "status"})
        self.assertTrue(st["ok"], st)
        self.assertEqual(st["phase"], "running")
        self.assertTrue(st["domainState"].startswith("running"), st)
        qemu = st["stats"]["qemuPid"]
        self.assertGreater(qemu, 0)
        # QEMU stays in the launcher's cgroup (the pod's): the daemon manages none.
        with open(f"/proc/{qemu}/cgroup") as a, open(f"/proc/{l.proc.pid}/cgroup") as b:
            self.assertEqual(a.read(), b.read())
        ch.close()
        self.assertIn("acceleration:", l.log_text())
        # The guest is up: powering it off now must go through the power button.

        t0 = time.monotonic()
        l.proc.send_signal(signal.SIGTERM)
        code = l.wait_exit(20 + 30)
        elapsed = time.monotonic() - t0
        self.assertEqual(code, 0, l.log_text())
        self.assertTrue(MARK + "shutting down" in l.serial_text(), l.serial_text()[-2000:])
        self.assertIn("guest powered off after the shutdown request", l.log_text())
        self.assertLess(elapsed, 20 + 30, "shutdown took longer than grace period plus teardown")
        self.assert_nothing_left(l)

    def test_grace_period_over_destroys_and_still_exits_zero(self):
        l = self.launcher("grace")
        l.wait_marker("booted")
        ch = l.channel()
        watch = l.channel()
        self.assertTrue(watch.call({"op": "watch"})["ok"])
        # No time to react: the power button is pressed and the grace period is over at once.
        self.assertTrue(ch.call({"op": "shutdown", "graceSeconds": 0})["ok"])
        phases = []
        while True:
            line = watch.f.readline()
            if not line:
                break
            ev = json.loads(line)
            phases.append(ev["phase"])
            if ev["phase"] in ("succeeded", "failed"):
                break
        self.assertEqual(phases[-1], "succeeded", phases)
        self.assertIn("shutting_down", phases)
        self.assertEqual(l.wait_exit(60), 0, l.log_text())
        self.assertIn("destroyed after the grace period", l.log_text())
        ch.close()
        watch.close()
        self.assert_nothing_left(l)

    def test_qemu_killed_is_reported_and_exit_is_nonzero(self):
        l = self.launcher("crash")
        l.wait_marker("booted")
        ch = l.channel()
        qemu = ch.call({"op": "status"})["stats"]["qemuPid"]
        self.assertGreater(qemu, 0)
        ch.close()
        os.kill(qemu, signal.SIGKILL)
        code = l.wait_exit(60)
        self.assertEqual(code, 1, l.log_text())
        self.assertRegex(l.log_text(), r"VM failed: QEMU stopped unexpectedly \((failed|crashed|shutdown)")
        self.assert_nothing_left(l)

    def test_two_launchers_side_by_side_keep_to_themselves(self):
        a = self.launcher("alpha")
        b = self.launcher("beta")
        a.wait_marker("acpi ready")
        b.wait_marker("acpi ready")
        uuid = re.compile(r"host UUID ([0-9a-f-]{36})")
        ua = uuid.search(a.log_text()).group(1)
        ub = uuid.search(b.log_text()).group(1)
        self.assertNotEqual(ua, ub)
        ca, cb = a.channel(), b.channel()
        qa = ca.call({"op": "status"})["stats"]["qemuPid"]
        qb = cb.call({"op": "status"})["stats"]["qemuPid"]
        self.assertNotEqual(qa, qb)
        # Each daemon knows only its own domain.
        for l, mine, other in ((a, "test_alpha", "test_beta"), (b, "test_beta", "test_alpha")):
            sock = os.path.join(l.work, "libvirt", "run", "libvirt", "libvirt-sock")
            out = subprocess.run(["virsh", "-c", f"qemu+unix:///system?socket={sock}", "list", "--all", "--name"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn(mine, out.stdout)
            self.assertNotIn(other, out.stdout)
        ca.close()
        a.proc.send_signal(signal.SIGTERM)
        self.assertEqual(a.wait_exit(60), 0, a.log_text())
        self.assert_nothing_left(a)
        # Stopping one never touches the other.
        st = cb.call({"op": "status"})
        self.assertEqual(st["phase"], "running", st)
        os.kill(qb, 0)
        cb.close()
        b.proc.send_signal(signal.SIGTERM)
        self.assertEqual(b.wait_exit(60), 0, b.log_text())
        self.assert_nothing_left(b)

    def test_prepared_tap_is_attached_with_the_given_mac(self):
        ns = f"pvl-{os.getpid()}"
        subprocess.run(["ip", "netns", "add", ns], check=True)
        try:
            subprocess.run(["ip", "-n", ns, "tuntap", "add", "dev", "tap0", "mode", "tap"], check=True)
            subprocess.run(["ip", "-n", ns, "link", "set", "tap0", "up"], check=True)
            l = self.launcher("net", interface="default=tap0,02:00:00:aa:bb:01", netns=ns)
            l.wait_marker("acpi ready")
            sock = os.path.join(l.work, "libvirt", "run", "libvirt", "libvirt-sock")
            xml = subprocess.run(["virsh", "-c", f"qemu+unix:///system?socket={sock}", "dumpxml", "test_net"],
                                 capture_output=True, text=True, timeout=60, check=True).stdout
            self.assertIn("<mac address='02:00:00:aa:bb:01'/>", xml)
            self.assertIn("<target dev='tap0' managed='no'/>", xml)

            def carrier():
                out = subprocess.run(["ip", "-n", ns, "-j", "link", "show", "tap0"], capture_output=True,
                                     text=True, check=True).stdout
                return "LOWER_UP" in json.loads(out)[0]["flags"]
            # QEMU holding the tap open is what gives it a carrier.
            wait_until(carrier, 30, "carrier on tap0")
            l.proc.send_signal(signal.SIGTERM)
            self.assertEqual(l.wait_exit(60), 0, l.log_text())
            self.assertFalse(carrier(), "tap0 still has a carrier after QEMU went away")
            self.assert_nothing_left(l)
        finally:
            for l in self.launchers:
                l.close()
            subprocess.run(["ip", "netns", "del", ns], check=False)

    def test_efi_guest_boots_with_debians_ovmf(self):
        def efi(spec):
            spec["spec"]["domain"]["firmware"]["bootloader"] = {"efi": {"secureBoot": False}}
            # OVMF itself needs more than 128 MiB: with 128 it faults before the kernel.
            spec["spec"]["domain"]["resources"]["requests"]["memory"] = "256Mi"
            return spec
        l = Launcher("efi", patch=efi)
        self.launchers.append(l)
        l.start()
        l.wait_marker("acpi ready", timeout=BOOT_TIMEOUT + 60)
        sock = os.path.join(l.work, "libvirt", "run", "libvirt", "libvirt-sock")
        xml = subprocess.run(["virsh", "-c", f"qemu+unix:///system?socket={sock}", "dumpxml", "test_efi"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        self.assertRegex(xml, r"<loader readonly='yes'[^>]*type='pflash'[^>]*>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>")
        # The variable store is the VM's own copy, inside the launcher's directory.
        self.assertIn("<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'", xml)
        l.proc.send_signal(signal.SIGTERM)
        self.assertEqual(l.wait_exit(60), 0, l.log_text())
        self.assert_nothing_left(l)

    def test_invalid_vmi_is_refused_before_anything_starts(self):
        tmp = tempfile.mkdtemp(prefix="pvl-")
        try:
            bad = vmi("bad")
            bad["spec"]["domain"]["resources"]["requests"]["memory"] = "lots"
            path = os.path.join(tmp, "vmi.json")
            with open(path, "w") as f:
                json.dump(bad, f)
            out = subprocess.run([LAUNCHER, "--vmi", path, "--work-dir", os.path.join(tmp, "w"), "--accel", "tcg"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 2, out.stderr)
            self.assertIn("memory", out.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "w")), "a work dir was created for a refused VMI")
            out = subprocess.run([LAUNCHER, "--vmi", path], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 2)
            self.assertIn("--work-dir is required", out.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_await_start_without_a_start_exits_1_with_the_reason(self):
        l = self.launcher("waiting", await_start=6, with_interface=True)
        ch = l.channel()
        self.assertTrue(ch.hello["awaitingStart"], ch.hello)
        self.assertEqual(ch.hello["pid"], l.proc.pid)
        status = ch.call({"op": "status"})
        self.assertEqual((status["phase"], status["leases"]), ("idle", []), status)
        # A start naming a result file that is not there is refused; the launcher still
        # awaits (the agent may retry) and no domain was defined.
        missing = os.path.join(l.tmp, "missing.json")
        bad = ch.call({"op": "start", "networks": {"default": missing}})
        self.assertEqual(bad["error"]["code"], "invalid_argument", bad)
        self.assertIn("is not a regular file", bad["error"]["message"])
        self.assertEqual(ch.call({"op": "start", "networks": {"default": "net.json"}})["error"]["code"],
                         "invalid_argument")
        self.assertEqual(ch.call({"op": "status"})["phase"], "idle")
        self.assertEqual(l.wait_exit(60), 1, l.log_text())
        self.assertIn("the node agent did not start the VM within 6 s", l.log_text())
        ch.close()
        self.assert_nothing_left(l)


if __name__ == "__main__":
    unittest.main()
