"""The test guest (tools/guest) boots under plain QEMU TCG, takes a DHCP lease from QEMU's
user-mode network, serves its status over HTTP, powers off on the ACPI power button, and
runs the self-checking memory dirtier when the kernel command line asks for it.

The guest comes from PODVISOR_GUEST_DIR (set by ctest to ${PROJECT_BINARY_DIR}/guest), or
PODVISOR_BUILD_DIR/guest. Run with Debian's /usr/bin/python3.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

QEMU = shutil.which("qemu-system-x86_64") or "/usr/bin/qemu-system-x86_64"
MARK = "PODVISOR-GUEST: "


def guest_dir():
    d = os.environ.get("PODVISOR_GUEST_DIR")
    if not d:
        d = os.path.join(os.environ.get("PODVISOR_BUILD_DIR", "build"), "guest")
    return d


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    """One QEMU process running the test guest; always cleaned up by close()."""

    def __init__(self, extra_cmdline=""):
        self.tmp = tempfile.mkdtemp(prefix="podvisor-guest-test-")
        self.serial = os.path.join(self.tmp, "serial.log")
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        self.port = free_port()
        self.proc = None
        self.qmp = None
        d = guest_dir()
        self.cmd = [
            QEMU, "-accel", "tcg", "-machine", "q35", "-m", "128", "-smp", "1",
            "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", os.path.join(d, "vmlinuz"),
            "-initrd", os.path.join(d, "initrd.img"),
            "-append", f"console=ttyS0 quiet panic=-1 {extra_cmdline}".strip(),
            "-serial", f"file:{self.serial}",
            "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{self.port}-:80",
            "-device", "virtio-net-pci,netdev=n0,romfile=",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
        ]

    def start(self):
        self.log = open(os.path.join(self.tmp, "qemu.log"), "wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        return self

    def serial_text(self):
        try:
            with open(self.serial, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def qemu_log(self):
        try:
            with open(os.path.join(self.tmp, "qemu.log"), "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_for(self, pattern, timeout, count=1):
        """Polls the serial log until `pattern` (a regex on one line) matched `count` times;
        returns the last match. Fails with the log if QEMU exits or the deadline passes."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            matches = list(rx.finditer(self.serial_text()))
            if len(matches) >= count:
                return matches[count - 1]
            if self.proc.poll() is not None:
                raise AssertionError(f"QEMU exited ({self.proc.returncode}) before /{pattern}/\n"
                                     f"qemu: {self.qemu_log()}\nserial:\n{self.serial_text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no /{pattern}/ within {timeout}s\nserial:\n"
                                     f"{self.serial_text()}")
            time.sleep(0.1)

    def qmp_command(self, name, timeout=10):
        deadline = time.monotonic() + timeout
        if self.qmp is None:
            while True:
                try:
                    s = socket.socket(socket.AF_UNIX)
                    s.settimeout(timeout)
                    s.connect(self.qmp_path)
                    break
                except OSError:
                    s.close()
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            self.qmp_sock = s
            self.qmp = s.makefile("rw")
            json.loads(self.qmp.readline())  # greeting
            self.qmp_command("qmp_capabilities")
        self.qmp.write(json.dumps({"execute": name}) + "\n")
        self.qmp.flush()
        while True:  # skip asynchronous events
            reply = json.loads(self.qmp.readline())
            if "return" in reply or "error" in reply:
                if "error" in reply:
                    raise AssertionError(f"QMP {name}: {reply['error']}")
                return reply["return"]

    def close(self):
        try:
            if self.qmp is not None:
                self.qmp.close()
                self.qmp_sock.close()
        except OSError:
            pass
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class GuestBootTest(unittest.TestCase):
    BOOT_TIMEOUT = 120  # TCG on a loaded 2-core machine; a quiet run takes ~3 s

    @classmethod
    def setUpClass(cls):
        d = guest_dir()
        for f in ("vmlinuz", "initrd.img"):
            if not os.path.isfile(os.path.join(d, f)):
                raise unittest.SkipTest(f"{d}/{f} missing: build the 'guest' target")

    def boot(self, extra_cmdline=""):
        g = Guest(extra_cmdline)
        self.addCleanup(g.close)
        return g.start()

    def test_boot_lease_http_powerdown(self):
        g = self.boot()
        m = g.wait_for(MARK + r"booted boot_id=(\S+)", self.BOOT_TIMEOUT)
        boot_id = m.group(1)
        t_booted = time.monotonic() - g.started
        m = g.wait_for(MARK + r"lease ip=(\d+\.\d+\.\d+\.\d+/\d+) router=(\S+) dns=(\S+)",
                       self.BOOT_TIMEOUT)
        address, router, dns = m.groups()
        t_lease = time.monotonic() - g.started
        g.wait_for(MARK + r"http ready port=80", self.BOOT_TIMEOUT)
        t_http = time.monotonic() - g.started
        print(f"\nguest: booted {t_booted:.2f}s, lease {t_lease:.2f}s, http ready "
              f"{t_http:.2f}s after QEMU start (TCG)", flush=True)
        # QEMU's user network: 10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3.
        self.assertEqual(address, "10.0.2.15/24")
        self.assertEqual(router, "10.0.2.2")
        self.assertEqual(dns, "10.0.2.3")

        for path in ("/", "/cgi-bin/status"):
            with urllib.request.urlopen(f"http://127.0.0.1:{g.port}{path}", timeout=30) as r:
                self.assertEqual(r.status, 200)
                self.assertEqual(r.headers.get_content_type(), "application/json")
                status = json.loads(r.read())
            self.assertEqual(status["boot_id"], boot_id)
            self.assertEqual(status["address"], address)
            self.assertEqual(status["hostname"], "podvisor-guest")
            self.assertIsInstance(status["uptime_s"], (int, float))
            self.assertGreater(status["uptime_s"], 0)
            self.assertFalse(status["dirtier"])

        t0 = time.monotonic()
        g.qmp_command("system_powerdown")
        g.wait_for(MARK + r"shutting down", 60)
        try:
            rc = g.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.fail(f"QEMU still running 60s after system_powerdown\n{g.serial_text()}")
        print(f"guest: powered off {time.monotonic() - t0:.2f}s after system_powerdown",
              flush=True)
        self.assertEqual(rc, 0, g.qemu_log())
        self.assertNotIn("Kernel panic", g.serial_text())

    def test_dirtier(self):
        g = self.boot("podvisor.dirty_mib=16 podvisor.dirty_rate_mib=64")
        g.wait_for(MARK + r"booted boot_id=\S+", self.BOOT_TIMEOUT)
        g.wait_for(MARK + r"dirtier started mib=16 rate_mib=64", self.BOOT_TIMEOUT)
        g.wait_for(MARK + r"dirtier round=\d+ ok", self.BOOT_TIMEOUT, count=2)
        g.wait_for(MARK + r"http ready port=80", self.BOOT_TIMEOUT)
        with urllib.request.urlopen(f"http://127.0.0.1:{g.port}/", timeout=30) as r:
            self.assertTrue(json.loads(r.read())["dirtier"])
        # A few more rounds with the rest of the guest running alongside.
        n = len(re.findall(MARK + r"dirtier round=\d+ ok", g.serial_text()))
        g.wait_for(MARK + r"dirtier round=\d+ ok", 60, count=n + 2)
        text = g.serial_text()
        self.assertNotIn("CORRUPTION", text)
        self.assertNotIn("dirtier FAILED", text)
        rounds = [int(x) for x in re.findall(MARK + r"dirtier round=(\d+) ok", text)]
        self.assertEqual(rounds, sorted(rounds))
        self.assertEqual(rounds[:2], [1, 2])


if __name__ == "__main__":
    unittest.main()
