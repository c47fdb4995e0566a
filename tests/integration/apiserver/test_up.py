"""`podvisor up --nodes 0` as a user runs it: it starts the embedded API server alone,
applies examples/, prints the kubeconfig, serves kubectl, and stops cleanly on Ctrl-C
keeping its data directory. (With nodes: tests/integration/cluster.)"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

from harness import BUILD_DIR, EXAMPLES, KUBECTL, LineReader

PODVISOR = os.path.join(BUILD_DIR, "bin", "podvisor")


class UpTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="podvisor-up-test-")
        self.data = os.path.join(self.tmp, "data")
        self.proc = subprocess.Popen(
            [PODVISOR, "up", "--nodes", "0", "--data-dir", self.data, "--listen", "127.0.0.1:0", "--examples", EXAMPLES],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def tearDown(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def kubectl(self, kubeconfig, *args):
        env = dict(os.environ, HOME=os.path.join(self.tmp, "home"), KUBECONFIG=kubeconfig)
        return subprocess.run([KUBECTL, *args], capture_output=True, text=True, env=env, timeout=60)

    def test_up_applies_examples_serves_kubectl_and_stops_on_ctrl_c(self):
        reader = LineReader(self.proc.stdout)
        lines = reader.wait_until(lambda ls: any("Ctrl-C stops" in l for l in ls), what="podvisor up banner")
        text = "\n".join(lines)
        kubeconfig = re.search(r"kubeconfig\s+(\S+)", text).group(1)
        self.assertEqual(kubeconfig, os.path.join(self.data, "admin.kubeconfig"))
        self.assertIn("VirtualMachineInstance/testvmi created", text)
        self.assertIn("VirtualMachine/testvm created", text)
        self.assertIn("no guest is started", text)  # it says what does not run yet

        got = self.kubectl(kubeconfig, "get", "vm,vmi", "-o", "name")
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertIn("virtualmachineinstance.kubevirt.io/testvmi", got.stdout)
        self.assertIn("virtualmachine.kubevirt.io/testvm", got.stdout)

        self.proc.send_signal(signal.SIGINT)
        self.assertEqual(self.proc.wait(30), 0)
        self.assertTrue(os.path.exists(os.path.join(self.data, "store.db")))


if __name__ == "__main__":
    unittest.main()
