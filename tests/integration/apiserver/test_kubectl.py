"""The real kubectl (the machine's /usr/bin/kubectl dispatcher) against podvisor-apiserver
over HTTPS with the admin token, in a fresh HOME per test."""

import json
import os
import time
import unittest

from harness import EXAMPLES, ApiServerTestCase, LineReader, wait_for

VMI = {
    "apiVersion": "kubevirt.io/v1",
    "kind": "VirtualMachineInstance",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {
        "domain": {"resources": {"requests": {"memory": "128Mi"}}, "devices": {}},
    },
}


def vmi(name="web", **labels):
    obj = json.loads(json.dumps(VMI))
    obj["metadata"]["name"] = name
    obj["metadata"]["labels"].update(labels)
    return json.dumps(obj)


class KubectlTest(ApiServerTestCase):
    def test_api_resources_lists_kubevirt_kinds_with_short_names(self):
        out = self.kubectl("api-resources").stdout
        for line in ("virtualmachineinstances", "virtualmachines", "virtualmachineinstancemigrations", "pods", "leases"):
            self.assertIn(line, out)
        row = next(l for l in out.splitlines() if l.startswith("virtualmachineinstances "))
        self.assertIn("vmi,vmis", row)
        self.assertIn("kubevirt.io/v1", row)

    def test_explain_walks_generated_schemas(self):
        out = self.kubectl("explain", "vmi.spec.domain").stdout
        self.assertIn("devices", out)
        self.assertIn("resources", out)
        out = self.kubectl("explain", "pod.spec.containers").stdout
        self.assertIn("image", out)

    def test_create_examples_get_table_wide_yaml_jsonpath(self):
        out = self.kubectl("create", "-f", EXAMPLES).stdout
        self.assertIn("created", out)
        table = self.kubectl("get", "vmis").stdout
        self.assertRegex(table.splitlines()[0], r"NAME\s+AGE\s+PHASE")
        wide = self.kubectl("get", "vmis", "-o", "wide").stdout
        self.assertIn("LIVE-MIGRATABLE", wide.splitlines()[0])
        vms = self.kubectl("get", "vms").stdout
        self.assertIn("testvm", vms)
        yaml_out = self.kubectl("get", "vmi", "testvmi", "-o", "yaml").stdout
        self.assertIn("kind: VirtualMachineInstance", yaml_out)
        # Defaults were applied before storage (q35 machine, 1 vCPU core).
        machine = self.kubectl("get", "vmi", "testvmi", "-o", "jsonpath={.spec.domain.machine.type}").stdout
        self.assertEqual(machine, "q35")
        uid = self.kubectl("get", "vmi", "testvmi", "-o", "jsonpath={.metadata.uid}").stdout
        self.assertRegex(uid, r"^[0-9a-f-]{36}$")

    def test_invalid_vmi_gets_422_with_every_field_path(self):
        bad = json.loads(vmi("bad"))
        bad["spec"]["domain"]["devices"]["disks"] = [{"name": "d0", "disk": {"bus": "ide"}}]
        p = self.kubectl("create", "-f", "-", input=json.dumps(bad), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("is invalid", p.stderr)
        self.assertIn('spec.domain.devices.disks[0].disk.bus: Unsupported value: "ide"', p.stderr)
        self.assertIn("spec.domain.devices.disks[0].name", p.stderr)
        p = self.kubectl("get", "vmi", "bad", check=False)
        self.assertIn("NotFound", p.stderr)

    def test_apply_twice_creates_then_patches(self):
        out = self.kubectl("apply", "-f", "-", input=vmi("applied")).stdout
        self.assertIn("created", out)
        out = self.kubectl("apply", "-f", "-", input=vmi("applied", tier="front")).stdout
        self.assertIn("configured", out)
        labels = self.kubectl_json("get", "vmi", "applied")["metadata"]["labels"]
        self.assertEqual(labels.get("tier"), "front")
        out = self.kubectl("apply", "-f", "-", input=vmi("applied", tier="front")).stdout
        self.assertIn("unchanged", out)

    def test_patch_merge_json_label_annotate(self):
        self.kubectl("create", "-f", "-", input=vmi("p"))
        self.kubectl("patch", "vmi", "p", "--type=merge", "-p", '{"metadata":{"labels":{"m":"1"}}}')
        self.kubectl("patch", "vmi", "p", "--type=json", "-p", '[{"op":"add","path":"/metadata/labels/j","value":"2"}]')
        self.kubectl("label", "vmi", "p", "l=3")
        self.kubectl("annotate", "vmi", "p", "a=4")
        obj = self.kubectl_json("get", "vmi", "p")
        self.assertEqual(obj["metadata"]["labels"]["m"], "1")
        self.assertEqual(obj["metadata"]["labels"]["j"], "2")
        self.assertEqual(obj["metadata"]["labels"]["l"], "3")
        self.assertEqual(obj["metadata"]["annotations"]["a"], "4")
        # Strategic merge is for built-in kinds only. kubectl already refuses it from the
        # media types the server advertises; the server's own 415 is tested with raw HTTP.
        p = self.kubectl("patch", "vmi", "p", "--type=strategic", "-p", '{"metadata":{"labels":{"s":"5"}}}', check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("application/strategic-merge-patch+json is not supported", p.stderr)

    def test_label_selector_and_field_selector(self):
        self.kubectl("create", "-f", "-", input=vmi("a", tier="front"))
        self.kubectl("create", "-f", "-", input=vmi("b", tier="back"))
        names = self.kubectl("get", "vmis", "-l", "tier=front", "-o", "name").stdout.split()
        self.assertEqual(names, ["virtualmachineinstance.kubevirt.io/a"])
        names = self.kubectl("get", "vmis", "--field-selector", "metadata.name=b", "-o", "name").stdout.split()
        self.assertEqual(names, ["virtualmachineinstance.kubevirt.io/b"])

    def test_delete_with_and_without_finalizers(self):
        self.kubectl("create", "-f", "-", input=vmi("plain"))
        self.kubectl("delete", "vmi", "plain", "--wait=true", "--timeout=30s")
        self.assertIn("NotFound", self.kubectl("get", "vmi", "plain", check=False).stderr)

        held = json.loads(vmi("held"))
        held["metadata"]["finalizers"] = ["example.com/hold"]
        self.kubectl("create", "-f", "-", input=json.dumps(held))
        self.kubectl("delete", "vmi", "held", "--wait=false")
        obj = self.kubectl_json("get", "vmi", "held")
        self.assertIn("deletionTimestamp", obj["metadata"])
        self.kubectl("patch", "vmi", "held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
        wait_for(lambda: "NotFound" in self.kubectl("get", "vmi", "held", check=False).stderr, what="held VMI gone")

    def test_watch_sees_added_modified_deleted(self):
        self.kubectl("create", "-f", "-", input=vmi("w"))
        watcher = self.kubectl_background("get", "vmis", "-w", "--output-watch-events",
                                          "-o", "jsonpath={.type} {.object.metadata.name}{\"\\n\"}")
        reader = LineReader(watcher.stdout)
        # The watch is established once kubectl has listed (and printed) the existing VMI.
        reader.wait_until(lambda ls: "ADDED w" in ls, what="ADDED from kubectl get -w")
        self.kubectl("label", "vmi", "w", "x=y")
        self.kubectl("delete", "vmi", "w")
        lines = reader.wait_until(lambda ls: "DELETED w" in ls, what="DELETED from kubectl get -w")
        self.assertEqual(lines, ["ADDED w", "MODIFIED w", "DELETED w"])

    def test_wait_for_phase_after_status_patch(self):
        self.kubectl("create", "-f", "-", input=vmi("waiter"))
        waiter = self.kubectl_background("wait", "--for=jsonpath={.status.phase}=Running", "vmi/waiter", "--timeout=60s")
        self.kubectl("patch", "vmi", "waiter", "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Running"}}')
        self.assertEqual(waiter.wait(90), 0, waiter.stderr.read())
        # A status write does not bump generation; the main resource ignores status.
        obj = self.kubectl_json("get", "vmi", "waiter")
        self.assertEqual(obj["metadata"]["generation"], 1)
        self.kubectl("patch", "vmi", "waiter", "--type=merge", "-p", '{"status":{"phase":"Failed"}}')
        self.assertEqual(self.kubectl_json("get", "vmi", "waiter")["status"]["phase"], "Running")

    def test_describe_shows_events(self):
        self.kubectl("create", "-f", "-", input=vmi("described"))
        uid = self.kubectl_json("get", "vmi", "described")["metadata"]["uid"]
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "described.1", "namespace": "default"},
            "involvedObject": {"kind": "VirtualMachineInstance", "name": "described", "namespace": "default",
                               "uid": uid, "apiVersion": "kubevirt.io/v1"},
            "reason": "Created", "message": "VMI defined", "type": "Normal",
            "source": {"component": "podvisor-test"}, "count": 1,
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z",
        }
        self.kubectl("create", "-f", "-", input=json.dumps(event))
        out = self.kubectl("describe", "vmi", "described").stdout
        self.assertIn("VMI defined", out)
        self.assertIn("Created", out)

    def test_stale_update_conflicts(self):
        self.kubectl("create", "-f", "-", input=vmi("c"))
        stale = self.kubectl_json("get", "vmi", "c")
        self.kubectl("label", "vmi", "c", "bump=1")
        stale["metadata"]["labels"]["stale"] = "yes"
        p = self.kubectl("replace", "-f", "-", input=json.dumps(stale), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Conflict", p.stderr)

    def test_viewer_is_read_only_and_anonymous_is_refused(self):
        self.kubectl("create", "-f", "-", input=vmi("ro"))
        self.kubectl("get", "vmis", kubeconfig=self.server.viewer_kubeconfig)
        p = self.kubectl("delete", "vmi", "ro", kubeconfig=self.server.viewer_kubeconfig, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Forbidden", p.stderr)
        p = self.kubectl("get", "vmis", "--token=not-a-token", check=False)
        self.assertNotEqual(p.returncode, 0)


if __name__ == "__main__":
    unittest.main()
