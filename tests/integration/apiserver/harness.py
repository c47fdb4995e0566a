"""Shared test harness for the embedded API server's integration tests.

Starts the real `podvisor-apiserver` binary in a fresh data directory on a free port
(port 0), and gives tests the real clients: kubectl (the machine's /usr/bin/kubectl
dispatcher, in a fresh HOME so no discovery cache leaks between runs) and the Python
Kubernetes client, both configured from the admin kubeconfig the server writes.
Everything a test starts is stopped and removed in tearDown, also when it fails.
"""

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

BUILD_DIR = os.environ.get("PODVISOR_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../../build"))
SOURCE_DIR = os.path.abspath(os.environ.get("PODVISOR_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../../..")))
APISERVER = os.path.join(BUILD_DIR, "bin", "podvisor-apiserver")
KUBECTL = os.environ.get("KUBECTL", "/usr/bin/kubectl")
EXAMPLES = os.path.join(SOURCE_DIR, "examples")

START_TIMEOUT = 30


def wait_for(predicate, timeout=20.0, interval=0.05, what="condition"):
    """Polls `predicate` until it returns a truthy value; fails the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class LineReader:
    """Reads a pipe's lines on a thread, so a test can wait for a line with a timeout
    (a bare readline() would block the test forever if the line never comes)."""

    def __init__(self, pipe):
        self.lines = []
        self._queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(pipe,), daemon=True)
        self._thread.start()

    def _run(self, pipe):
        for line in pipe:
            self._queue.put(line.rstrip("\n"))

    def wait_until(self, predicate, timeout=30.0, what="line"):
        """Collects lines until predicate(lines) holds; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate(self.lines):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; saw {self.lines!r}")
            try:
                self.lines.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                pass
        return self.lines


class ApiServer:
    """One running podvisor-apiserver process."""

    def __init__(self, data_dir, port=0, extra_args=()):
        self.data_dir = data_dir
        self.log_path = os.path.join(data_dir, "apiserver.log")
        os.makedirs(data_dir, exist_ok=True)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [APISERVER, "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}", *extra_args],
            stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        self.url = None
        self._read_banner()

    def _read_banner(self):
        # The server prints "listening on https://127.0.0.1:PORT" once it serves.
        result = {}

        def reader():
            for raw in self.proc.stdout:
                line = raw.decode(errors="replace")
                m = re.search(r"listening on (https://\S+)", line)
                if m:
                    result["url"] = m.group(1)
                    break
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        t.join(START_TIMEOUT)
        if "url" not in result:
            self.kill()
            raise AssertionError("podvisor-apiserver did not start; log:\n" + self.read_log())
        self.url = result["url"]
        self.port = int(self.url.rsplit(":", 1)[1])
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    @property
    def kubeconfig(self):
        return os.path.join(self.data_dir, "admin.kubeconfig")

    @property
    def viewer_kubeconfig(self):
        return os.path.join(self.data_dir, "viewer.kubeconfig")

    @property
    def ca_file(self):
        return os.path.join(self.data_dir, "pki", "ca.crt")

    def admin_token(self):
        with open(os.path.join(self.data_dir, "tokens.csv")) as f:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) >= 2 and parts[1] == "podvisor-admin":
                    return parts[0]
        raise AssertionError("no admin token in tokens.csv")

    def read_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close_pipes()
        return self.proc.returncode

    def _close_pipes(self):
        # The stdout drain thread sees EOF once the process is gone; closing our end
        # afterwards avoids a ResourceWarning per server.
        if not self.log.closed:
            self.log.close()
        try:
            self.proc.stdout.close()
        except (OSError, ValueError):
            pass

    def kill(self):
        """kill -9: what a crash looks like."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_pipes()


class ApiServerTestCase(unittest.TestCase):
    """A test case with a fresh server, a fresh HOME for kubectl, and cleanup."""

    server_args = ()

    def setUp(self):
        if not os.access(APISERVER, os.X_OK):
            raise AssertionError(f"{APISERVER} is not built")
        self.tmp = tempfile.mkdtemp(prefix="podvisor-apiserver-test-")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.server = ApiServer(os.path.join(self.tmp, "data"), extra_args=self.server_args)
        self._procs = []

    def tearDown(self):
        for p in self._procs:
            if p.poll() is None:
                p.kill()
            p.wait()
            for pipe in (p.stdout, p.stderr):
                if pipe:
                    pipe.close()
        self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- kubectl ---
    def kubectl_env(self, kubeconfig=None):
        env = dict(os.environ)
        env["HOME"] = self.home
        env["KUBECONFIG"] = kubeconfig or self.server.kubeconfig
        return env

    def kubectl(self, *args, input=None, check=True, kubeconfig=None, timeout=60):
        """Runs kubectl; returns CompletedProcess (text). Fails the test on a non-zero
        exit when `check`, showing stderr and the server log."""
        p = subprocess.run([KUBECTL, *args], input=input, capture_output=True, text=True,
                           env=self.kubectl_env(kubeconfig), timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({p.returncode}):\n{p.stderr}\n"
                                 f"--- server log ---\n{self.server.read_log()}")
        return p

    def kubectl_json(self, *args):
        return json.loads(self.kubectl(*args, "-o", "json").stdout)

    def kubectl_background(self, *args):
        """Starts kubectl (e.g. get -w, wait) and returns the Popen; killed in tearDown."""
        p = subprocess.Popen([KUBECTL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=self.kubectl_env())
        self._procs.append(p)
        return p

    # --- Python client ---
    def python_client(self):
        from kubernetes import client, config
        return config.new_client_from_config(config_file=self.server.kubeconfig)
