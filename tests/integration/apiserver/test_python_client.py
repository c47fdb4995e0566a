"""The Python Kubernetes client (Debian's python3-kubernetes) against podvisor-apiserver:
CustomObjectsApi on kubevirt.io/v1 VirtualMachineInstances (CRUD, merge patch, the status
subresource, watches with bookmarks and resumption) and CoreV1Api on namespaces and pods
(field selectors, the pods/binding subresource, pod status patches)."""

import copy
import queue
import threading
import unittest

from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from harness import ApiServerTestCase, wait_for

GROUP, VERSION, PLURAL = "kubevirt.io", "v1", "virtualmachineinstances"
NS = "default"

VMI = {
    "apiVersion": "kubevirt.io/v1",
    "kind": "VirtualMachineInstance",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"domain": {"resources": {"requests": {"memory": "128Mi"}}, "devices": {}}},
}

# How long a watch in these tests may run at most. The server sends a BOOKMARK after
# 5 s without events, so a watch that should see one needs more than that.
WATCH_TIMEOUT = 10


def vmi(name, **labels):
    obj = copy.deepcopy(VMI)
    obj["metadata"]["name"] = name
    obj["metadata"]["labels"].update(labels)
    return obj


def pod(name, node=None, namespace=None):
    spec = {"containers": [{"name": "main", "image": "registry.example/app:1"}]}
    if node:
        spec["nodeName"] = node
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def rv_of(obj):
    return int(obj["metadata"]["resourceVersion"])


class PythonClientTest(ApiServerTestCase):
    def setUp(self):
        super().setUp()
        self.api_client = self.python_client()
        self.addCleanup(self.api_client.close)
        self.addCleanup(self.api_client.rest_client.pool_manager.clear)  # its kept-alive connections
        self.custom = client.CustomObjectsApi(self.api_client)
        self.core = client.CoreV1Api(self.api_client)

    # --- helpers ---
    def create_vmi(self, name, **labels):
        return self.custom.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, vmi(name, **labels))

    def list_rv(self):
        return self.custom.list_namespaced_custom_object(GROUP, VERSION, NS, PLURAL)["metadata"]["resourceVersion"]

    def watch_in_background(self, resource_version, **kwargs):
        """Runs a kubernetes.watch.Watch over the VMI list on a thread; events (and a final
        ("END", exception-or-None)) arrive on the returned queue. The Watch is stopped in
        cleanup."""
        events = queue.Queue()
        w = watch.Watch()

        def run():
            error = None
            try:
                for e in w.stream(self.custom.list_namespaced_custom_object, GROUP, VERSION, NS, PLURAL,
                                  resource_version=resource_version, timeout_seconds=WATCH_TIMEOUT,
                                  _request_timeout=WATCH_TIMEOUT + 20, **kwargs):
                    events.put(e)
            except Exception as exc:  # reported to the test through the queue
                error = exc
            events.put(("END", error))

        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.addCleanup(t.join, WATCH_TIMEOUT + 30)
        self.addCleanup(w.stop)
        return w, events

    def next_event(self, events, timeout=WATCH_TIMEOUT + 5):
        try:
            e = events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no watch event within {timeout}s")
        if isinstance(e, tuple):
            raise AssertionError(f"watch ended early: {e[1]!r}")
        return e

    # --- CustomObjectsApi ---
    def test_custom_objects_create_get_list_patch_status_delete(self):
        created = self.create_vmi("web")
        self.assertEqual(created["kind"], "VirtualMachineInstance")
        self.assertRegex(created["metadata"]["uid"], r"^[0-9a-f-]{36}$")
        self.assertEqual(created["metadata"]["generation"], 1)
        # Defaults were applied on admission.
        self.assertEqual(created["spec"]["domain"]["machine"]["type"], "q35")

        got = self.custom.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "web")
        self.assertEqual(got["metadata"]["uid"], created["metadata"]["uid"])
        self.assertEqual(got["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"])

        self.create_vmi("db", app="db")
        listed = self.custom.list_namespaced_custom_object(GROUP, VERSION, NS, PLURAL)
        self.assertEqual(listed["kind"], "VirtualMachineInstanceList")
        self.assertEqual(sorted(i["metadata"]["name"] for i in listed["items"]), ["db", "web"])
        self.assertGreaterEqual(int(listed["metadata"]["resourceVersion"]), rv_of(got))
        only_db = self.custom.list_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, label_selector="app=db")
        self.assertEqual([i["metadata"]["name"] for i in only_db["items"]], ["db"])

        # patch_namespaced_custom_object sends application/merge-patch+json.
        patched = self.custom.patch_namespaced_custom_object(
            GROUP, VERSION, NS, PLURAL, "web", {"metadata": {"labels": {"tier": "front", "app": None}}})
        self.assertEqual(patched["metadata"]["labels"], {"tier": "front"})
        self.assertGreater(rv_of(patched), rv_of(got))
        self.assertEqual(patched["metadata"]["generation"], 1)  # metadata only

        status = self.custom.patch_namespaced_custom_object_status(
            GROUP, VERSION, NS, PLURAL, "web", {"status": {"phase": "Running", "nodeName": "node-a"}})
        self.assertEqual(status["status"]["phase"], "Running")
        self.assertEqual(status["metadata"]["generation"], 1)
        got = self.custom.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "web")
        self.assertEqual(got["status"]["phase"], "Running")
        self.assertEqual(got["status"]["nodeName"], "node-a")
        self.assertEqual(got["metadata"]["labels"], {"tier": "front"})

        deleted = self.custom.delete_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "web")
        self.assertEqual(deleted["metadata"]["name"], "web")
        with self.assertRaises(ApiException) as cm:
            self.custom.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "web")
        self.assertEqual(cm.exception.status, 404)
        names = [i["metadata"]["name"] for i in self.custom.list_namespaced_custom_object(
            GROUP, VERSION, NS, PLURAL)["items"]]
        self.assertEqual(names, ["db"])

    def test_create_existing_name_is_409_already_exists(self):
        self.create_vmi("dup")
        with self.assertRaises(ApiException) as cm:
            self.create_vmi("dup")
        self.assertEqual(cm.exception.status, 409)
        self.assertIn("AlreadyExists", cm.exception.body)

    def test_watch_sees_added_modified_deleted_then_bookmark(self):
        start = self.list_rv()
        w, events = self.watch_in_background(start, allow_watch_bookmarks=True)
        a = self.create_vmi("w")
        m = self.custom.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "w", {"metadata": {"labels": {"x": "y"}}})
        d = self.custom.delete_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "w")

        seen = [self.next_event(events) for _ in range(3)]
        self.assertEqual([e["type"] for e in seen], ["ADDED", "MODIFIED", "DELETED"])
        self.assertEqual([rv_of(e["raw_object"]) for e in seen], [rv_of(a), rv_of(m), rv_of(d)])
        self.assertEqual(seen[1]["raw_object"]["metadata"]["labels"]["x"], "y")
        self.assertTrue(all(e["raw_object"]["metadata"]["name"] == "w" for e in seen))

        # Nothing else happens: the next thing on the stream is a BOOKMARK (after the
        # server's 5 s interval), carrying an RV at least that of the last event.
        bookmark = self.next_event(events)
        self.assertEqual(bookmark["type"], "BOOKMARK")
        self.assertEqual(bookmark["raw_object"]["kind"], "VirtualMachineInstance")
        self.assertEqual(bookmark["raw_object"]["apiVersion"], "kubevirt.io/v1")
        self.assertGreaterEqual(rv_of(bookmark["raw_object"]), rv_of(d))
        w.stop()

    def test_watch_without_bookmarks_gets_none(self):
        # allow_watch_bookmarks unset: the stream ends at timeout_seconds with no BOOKMARK.
        w = watch.Watch()
        seen = [e["type"] for e in w.stream(self.custom.list_namespaced_custom_object, GROUP, VERSION, NS, PLURAL,
                                            resource_version=self.list_rv(), timeout_seconds=6,
                                            _request_timeout=30)]
        self.assertEqual(seen, [])

    def test_watch_resumes_from_last_seen_resource_version(self):
        start = self.list_rv()
        w, events = self.watch_in_background(start)
        self.create_vmi("r1")
        self.create_vmi("r2")
        first = [self.next_event(events) for _ in range(2)]
        self.assertEqual([(e["type"], e["raw_object"]["metadata"]["name"]) for e in first],
                         [("ADDED", "r1"), ("ADDED", "r2")])
        last_rv = first[-1]["raw_object"]["metadata"]["resourceVersion"]
        self.assertEqual(w.resource_version, last_rv)  # what the client itself would resume from
        w.stop()
        # The watch thread ends (stop() takes effect at the next event or at the timeout);
        # the changes below happen while nobody watches.

        m = self.custom.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "r1", {"metadata": {"labels": {"v": "2"}}})
        d = self.custom.delete_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "r2")
        c = self.create_vmi("r3")
        missed = [("MODIFIED", "r1", rv_of(m)), ("DELETED", "r2", rv_of(d)), ("ADDED", "r3", rv_of(c))]

        _, resumed = self.watch_in_background(last_rv)
        got = [self.next_event(resumed) for _ in range(3)]
        self.assertEqual([(e["type"], e["raw_object"]["metadata"]["name"], rv_of(e["raw_object"])) for e in got], missed)
        # No duplicates after them: the next event is the sentinel written now.
        s = self.create_vmi("sentinel")
        after = self.next_event(resumed)
        self.assertEqual((after["type"], after["raw_object"]["metadata"]["name"], rv_of(after["raw_object"])),
                         ("ADDED", "sentinel", rv_of(s)))

    def test_watch_from_current_rv_zero_lists_existing_objects_first(self):
        # resourceVersion "0"/unset: synthetic ADDED for what exists, then live changes.
        self.create_vmi("pre1")
        self.create_vmi("pre2")
        _, events = self.watch_in_background("0")
        got = [self.next_event(events) for _ in range(2)]
        self.assertEqual(sorted((e["type"], e["raw_object"]["metadata"]["name"]) for e in got),
                         [("ADDED", "pre1"), ("ADDED", "pre2")])
        self.create_vmi("live")
        live = self.next_event(events)
        self.assertEqual((live["type"], live["raw_object"]["metadata"]["name"]), ("ADDED", "live"))

    # --- CoreV1Api ---
    def create_namespace(self, name):
        ns = self.core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        self.assertEqual(ns.metadata.name, name)
        self.assertEqual(ns.status.phase, "Active")
        return ns

    def test_namespace_and_pods_filtered_by_node_name(self):
        self.create_namespace("team")
        names = [n.metadata.name for n in self.core.list_namespace().items]
        self.assertIn("team", names)
        self.assertIn("default", names)

        for name, node in (("a1", "node-a"), ("a2", "node-a"), ("b1", "node-b")):
            created = self.core.create_namespaced_pod("team", pod(name, node))
            self.assertEqual(created.spec.node_name, node)
            self.assertEqual(created.status.phase, "Pending")
        self.core.create_namespaced_pod(NS, pod("a-default", "node-a"))
        self.core.create_namespaced_pod(NS, pod("unbound"))

        on_a = self.core.list_namespaced_pod("team", field_selector="spec.nodeName=node-a")
        self.assertEqual(sorted(p.metadata.name for p in on_a.items), ["a1", "a2"])
        self.assertTrue(all(p.spec.node_name == "node-a" for p in on_a.items))
        not_a = self.core.list_namespaced_pod("team", field_selector="spec.nodeName!=node-a")
        self.assertEqual([p.metadata.name for p in not_a.items], ["b1"])

        everywhere = self.core.list_pod_for_all_namespaces(field_selector="spec.nodeName=node-a")
        self.assertEqual(sorted((p.metadata.namespace, p.metadata.name) for p in everywhere.items),
                         [("default", "a-default"), ("team", "a1"), ("team", "a2")])
        # What the scheduler asks for: unassigned pods.
        unassigned = self.core.list_pod_for_all_namespaces(field_selector="spec.nodeName=")
        self.assertEqual([p.metadata.name for p in unassigned.items], ["unbound"])
        both = self.core.list_pod_for_all_namespaces(field_selector="spec.nodeName=node-b,metadata.namespace=team")
        self.assertEqual([p.metadata.name for p in both.items], ["b1"])

        with self.assertRaises(ApiException) as cm:
            self.core.list_namespaced_pod("team", field_selector="spec.image=x")
        self.assertEqual(cm.exception.status, 400)

    def test_pod_binding_subresource_assigns_node_once(self):
        self.core.create_namespaced_pod(NS, pod("sched"))
        binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "sched"},
                   "target": {"apiVersion": "v1", "kind": "Node", "name": "node-b"}}
        # POST pods/sched/binding answers with a Status (as kube-apiserver does), which
        # this client cannot deserialize into V1Binding; read the raw response instead.
        resp = self.core.create_namespaced_pod_binding("sched", NS, binding, _preload_content=False)
        self.assertEqual(resp.status, 201)
        self.assertEqual(self.core.read_namespaced_pod("sched", NS).spec.node_name, "node-b")
        on_b = self.core.list_namespaced_pod(NS, field_selector="spec.nodeName=node-b")
        self.assertEqual([p.metadata.name for p in on_b.items], ["sched"])

        # A bound pod cannot be bound again.
        binding["target"]["name"] = "node-c"
        with self.assertRaises(ApiException) as cm:
            self.core.create_namespaced_pod_binding("sched", NS, binding, _preload_content=False)
        self.assertEqual(cm.exception.status, 409)
        self.assertEqual(self.core.read_namespaced_pod("sched", NS).spec.node_name, "node-b")

        with self.assertRaises(ApiException) as cm:
            self.core.create_namespaced_pod_binding("missing", NS, binding, _preload_content=False)
        self.assertEqual(cm.exception.status, 404)

    def test_patch_namespaced_pod_status(self):
        created = self.core.create_namespaced_pod(NS, pod("runner", "node-a"))
        # A dict body goes out as a strategic merge patch on pods/status.
        patched = self.core.patch_namespaced_pod_status("runner", NS, {
            "status": {"phase": "Running", "podIP": "10.0.0.7",
                       "conditions": [{"type": "Ready", "status": "True"}]}})
        self.assertEqual(patched.status.phase, "Running")
        self.assertEqual(patched.status.pod_ip, "10.0.0.7")
        self.assertEqual([(c.type, c.status) for c in patched.status.conditions], [("Ready", "True")])
        self.assertEqual(patched.metadata.generation, created.metadata.generation)

        # Conditions merge by type.
        patched = self.core.patch_namespaced_pod_status("runner", NS, {
            "status": {"conditions": [{"type": "Initialized", "status": "True"}]}})
        self.assertEqual(sorted((c.type, c.status) for c in patched.status.conditions),
                         [("Initialized", "True"), ("Ready", "True")])

        # The status subresource ignores changes to spec.
        patched = self.core.patch_namespaced_pod_status("runner", NS, {
            "spec": {"nodeName": "node-z"}, "status": {"phase": "Succeeded"}})
        self.assertEqual(patched.status.phase, "Succeeded")
        self.assertEqual(patched.spec.node_name, "node-a")

        read = self.core.read_namespaced_pod_status("runner", NS)
        self.assertEqual(read.status.phase, "Succeeded")
        done = self.core.list_namespaced_pod(NS, field_selector="status.phase=Succeeded")
        self.assertEqual([p.metadata.name for p in done.items], ["runner"])


if __name__ == "__main__":
    unittest.main()
