"""The node agent's heartbeat as the node controller reads it, end to end on the embedded
cluster (`podvisor up --nodes 2 --agents on`, real agents, controller and podlets): each
agent keeps its Node labelled podvisor.io/schedulable=true and its heartbeat annotation
moving; an agent that stops (SIGSTOP: alive but silent, the hardest case) gets its Node
marked schedulable=false with an AgentUnresponsive Event while the Node itself stays
Ready, new launcher pods go to the other node, and the label comes back when the agent
resumes. And `podvisor up` restarts an agent that dies, as a DaemonSet would: the node
keeps its heartbeat."""

import os
import signal
import unittest

from cluster_harness import Cluster, ClusterWaits, condition

GUEST_DIR = os.environ.get("PODVISOR_GUEST_DIR", os.path.join(os.environ.get("PODVISOR_BUILD_DIR", "build"), "guest"))
SCHEDULABLE = "podvisor.io/schedulable"
HEARTBEAT = "podvisor.io/agent-heartbeat"
# The podlets renew their node Leases every 10 s: the grace must stay above that, or the
# nodes themselves would flap. The agents beat every 2 s.
GRACE_SECONDS = 20
TIMEOUT = 120


def vmi(name):
    """A VMI whose image no node has: its launcher pod is scheduled and bound, and never
    starts a VM, which is all this test needs."""
    return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"domain": {"resources": {"requests": {"memory": "64Mi"}},
                                "firmware": {"kernelBoot": {"container": {
                                    "image": "podvisor/no-such-image:1", "kernelPath": "/vmlinuz"}}},
                                "devices": {}},
                     "terminationGracePeriodSeconds": 1}}


class AgentHeartbeatTest(ClusterWaits, unittest.TestCase):
    TIMEOUT = TIMEOUT

    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster("ah", "10.91.0.0/16", agents=True, guest=GUEST_DIR,
                              controller_flags=[f"--node-monitor-grace-period={GRACE_SECONDS}"],
                              agent_flags=["--heartbeat-interval=2"], restart_components=True)

    @classmethod
    def tearDownClass(cls):
        cls.cluster.shut_down()

    def node(self, name):
        return self.cluster.get("node", name)

    def labels(self, name):
        n = self.node(name)
        return (n or {}).get("metadata", {}).get("labels", {})

    def annotations(self, name):
        n = self.node(name)
        return (n or {}).get("metadata", {}).get("annotations", {})

    def test_a_silent_agent_makes_its_node_unschedulable_for_vms_until_it_beats_again(self):
        c = self.cluster
        for name in ("node-0", "node-1"):
            self.wait(lambda: self.labels(name).get(SCHEDULABLE) == "true", f"{name} schedulable")
            first = self.annotations(name)[HEARTBEAT]
            self.assertIn(self.annotations(name).get("podvisor.io/kvm"), ("true", "false"))
            self.wait(lambda: self.annotations(name).get(HEARTBEAT) not in (None, first), f"{name}'s heartbeat moving")

        agent = c.components["agent-node-0"]
        os.kill(agent, signal.SIGSTOP)
        try:
            self.wait(lambda: self.labels("node-0").get(SCHEDULABLE) == "false", "node-0 marked unschedulable",
                      timeout=GRACE_SECONDS + TIMEOUT)
            events = self.wait(lambda: c.events(reason="AgentUnresponsive", about="node-0"),
                               "an AgentUnresponsive Event on node-0")
            self.assertEqual(events[0]["involvedObject"]["kind"], "Node")
            # Only the agent is silent: the Node stays Ready, and the other node is untouched.
            self.assertEqual(condition(self.node("node-0"), "Ready")["status"], "True")
            self.assertEqual(self.labels("node-1").get(SCHEDULABLE), "true")

            # New VMs go where an agent is alive.
            for i in range(3):
                c.apply(vmi(f"placed-{i}"))
            for i in range(3):
                pod = self.wait(lambda: [p for p in c.list("pods", selector=f"vm.kubevirt.io/name=placed-{i}")
                                         if p.get("spec", {}).get("nodeName")], f"launcher pod of placed-{i} bound")
                self.assertEqual(pod[0]["spec"]["nodeName"], "node-1")
        finally:
            os.kill(agent, signal.SIGCONT)

        self.wait(lambda: self.labels("node-0").get(SCHEDULABLE) == "true", "node-0 schedulable again")
        c.kubectl("delete", "vmi", "placed-0", "placed-1", "placed-2")
        self.wait(lambda: not c.list("pods", selector="kubevirt.io=virt-launcher"), "the launcher pods gone")

    def test_an_agent_that_dies_is_restarted_and_its_node_keeps_beating(self):
        c = self.cluster
        dead = c.components["agent-node-1"]
        os.kill(dead, signal.SIGKILL)
        lines = c.reader.wait_until(lambda ls: any("restarted agent-node-1 pid" in l for l in ls), timeout=TIMEOUT,
                                    what="podvisor up restarting agent-node-1")
        line = next(l for l in lines if "restarted agent-node-1 pid" in l)
        pid = int(line.split(" pid ")[1].split()[0])
        self.assertNotEqual(pid, dead)
        self.assertTrue(os.path.exists(f"/proc/{pid}"), line)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            self.assertIn(b"node-1", f.read())
        beat = self.annotations("node-1")[HEARTBEAT]
        self.wait(lambda: self.annotations("node-1").get(HEARTBEAT) not in (None, beat),
                  "node-1's heartbeat moving again")
        self.assertEqual(self.labels("node-1").get(SCHEDULABLE), "true")
        c.components["agent-node-1"] = pid  # for anyone after us


if __name__ == "__main__":
    unittest.main()
