"""API semantics of podvisor-apiserver over raw HTTPS (requests, with the server's CA and
the admin bearer token), plus the Python client where it is what users call: optimistic
concurrency, expired watches, many concurrent watchers, garbage collection through
ownerReferences, finalizers, generateName, generation, the status subresource, patch
media types and server-side apply."""

import copy
import json
import queue
import threading
import unittest

import requests
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from harness import ApiServerTestCase, wait_for

VMIS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances"
PODS = "/api/v1/namespaces/default/pods"

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"

VMI = {
    "apiVersion": "kubevirt.io/v1",
    "kind": "VirtualMachineInstance",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"domain": {"resources": {"requests": {"memory": "128Mi"}}, "devices": {}}},
}


def vmi(name, **labels):
    obj = copy.deepcopy(VMI)
    obj["metadata"]["name"] = name
    obj["metadata"]["labels"].update(labels)
    return obj


def pod(name, node=None, owner=None, containers=None):
    spec = {"containers": containers or [{"name": "compute", "image": "registry.example/launcher:1"}]}
    if node:
        spec["nodeName"] = node
    meta = {"name": name}
    if owner is not None:
        meta["ownerReferences"] = [{"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                                    "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
                                    "controller": True, "blockOwnerDeletion": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def rv_of(obj):
    return int(obj["metadata"]["resourceVersion"])


class HttpTestCase(ApiServerTestCase):
    """Adds a requests session with the server's CA and the admin token."""

    def setUp(self):
        super().setUp()
        self.http = self.session()

    def session(self):
        s = requests.Session()
        # The environment may point REQUESTS_CA_BUNDLE at the system store, which would
        # override `verify`; this test trusts exactly the server's CA.
        s.trust_env = False
        s.verify = self.server.ca_file
        s.headers["Authorization"] = "Bearer " + self.server.admin_token()
        self.addCleanup(s.close)
        return s

    def request(self, method, path, expect=None, **kwargs):
        kwargs.setdefault("timeout", 30)
        r = self.http.request(method, self.server.url + path, **kwargs)
        if expect is not None and r.status_code != expect:
            raise AssertionError(f"{method} {path}: expected {expect}, got {r.status_code}: {r.text}\n"
                                 f"--- server log ---\n{self.server.read_log()}")
        return r

    def get(self, path, expect=200, **kw):
        return self.request("GET", path, expect, **kw)

    def post(self, path, body, expect=201, **kw):
        return self.request("POST", path, expect, json=body, **kw)

    def put(self, path, body, expect=200, **kw):
        return self.request("PUT", path, expect, json=body, **kw)

    def patch(self, path, body, content_type=MERGE, expect=200, **kw):
        data = body if isinstance(body, str) else json.dumps(body)
        return self.request("PATCH", path, expect, data=data, headers={"Content-Type": content_type}, **kw)

    def delete(self, path, expect=200, **kw):
        return self.request("DELETE", path, expect, **kw)

    def exists(self, path):
        r = self.request("GET", path)
        if r.status_code not in (200, 404):
            raise AssertionError(f"GET {path}: {r.status_code} {r.text}")
        return r.status_code == 200

    def create_vmi(self, name, **labels):
        return self.post(VMIS, vmi(name, **labels)).json()

    def list_rv(self, path=VMIS):
        return self.get(path).json()["metadata"]["resourceVersion"]

    def watch_lines(self, path, params, session=None):
        """Opens a raw watch; returns (response, iterator over decoded events)."""
        s = session or self.http
        r = s.get(self.server.url + path, params={"watch": "1", **params}, stream=True, timeout=(10, 60))
        self.addCleanup(r.close)
        self.assertEqual(r.status_code, 200, r.text if r.status_code != 200 else "")

        def events():
            buf = b""
            for chunk in r.iter_content(chunk_size=None):
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip():
                        yield json.loads(line)
            if buf.strip():
                yield json.loads(buf)
        return r, events()

    def watch_in_background(self, path, params):
        """A raw watch on a thread; events arrive on the returned queue, then ("END", error)."""
        events = queue.Queue()
        r, it = self.watch_lines(path, params, session=self.session())

        def run():
            error = None
            try:
                for e in it:
                    events.put(e)
            except Exception as exc:  # reported through the queue; a closed stream lands here
                error = exc
            events.put(("END", error))
        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.addCleanup(t.join, 30)
        self.addCleanup(r.close)
        return events

    def next_event(self, events, timeout=20):
        try:
            e = events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no watch event within {timeout}s")
        if isinstance(e, tuple):
            raise AssertionError(f"watch ended early: {e[1]!r}")
        return e


class OptimisticConcurrencyTest(HttpTestCase):
    def test_stale_update_is_409_conflict_status(self):
        original = self.create_vmi("c")
        fresh = self.patch(VMIS + "/c", {"metadata": {"labels": {"bump": "1"}}}).json()
        self.assertGreater(rv_of(fresh), rv_of(original))

        stale = copy.deepcopy(original)
        stale["metadata"]["labels"]["stale"] = "yes"
        r = self.put(VMIS + "/c", stale, expect=409)
        status = r.json()
        self.assertEqual(status["kind"], "Status")
        self.assertEqual(status["status"], "Failure")
        self.assertEqual(status["reason"], "Conflict")
        self.assertEqual(status["code"], 409)
        self.assertEqual(status["details"]["name"], "c")
        self.assertIn("the object has been modified", status["message"])
        # Nothing of the stale write landed.
        now = self.get(VMIS + "/c").json()
        self.assertEqual(now["metadata"]["resourceVersion"], fresh["metadata"]["resourceVersion"])
        self.assertNotIn("stale", now["metadata"]["labels"])

        # The same update from the current version succeeds.
        current = copy.deepcopy(now)
        current["metadata"]["labels"]["stale"] = "no"
        updated = self.put(VMIS + "/c", current).json()
        self.assertEqual(updated["metadata"]["labels"]["stale"], "no")

        # An update without a resourceVersion is refused (422), as for a VMI in Kubernetes.
        del current["metadata"]["resourceVersion"]
        r = self.put(VMIS + "/c", current, expect=422)
        self.assertIn("metadata.resourceVersion", r.text)

    def test_merge_patch_with_stale_resource_version_is_409(self):
        original = self.create_vmi("p")
        self.patch(VMIS + "/p", {"metadata": {"labels": {"bump": "1"}}})
        r = self.patch(VMIS + "/p", {"metadata": {"resourceVersion": original["metadata"]["resourceVersion"],
                                                  "labels": {"late": "1"}}}, expect=409)
        self.assertEqual(r.json()["reason"], "Conflict")
        self.assertNotIn("late", self.get(VMIS + "/p").json()["metadata"]["labels"])


class ExpiredWatchTest(HttpTestCase):
    server_args = ("--history", "20")

    def test_watch_from_expired_resource_version_gets_410_then_relist_recovers(self):
        first = self.create_vmi("v0")
        rvs = [rv_of(first)]
        for i in range(1, 50):
            rvs.append(rv_of(self.patch(VMIS + "/v0", {"metadata": {"labels": {"n": str(i)}}}).json()))

        # Raw HTTP: like kube-apiserver's watch cache, a too-old RV is answered with 200 and
        # a single ERROR event holding a 410 Expired Status; the stream then ends.
        r, events = self.watch_lines(VMIS, {"resourceVersion": str(rvs[0]), "timeoutSeconds": "5"})
        self.assertEqual(r.status_code, 200)
        got = list(events)
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["type"], "ERROR")
        status = got[0]["object"]
        self.assertEqual((status["kind"], status["code"], status["reason"]), ("Status", 410, "Expired"))
        self.assertIn("too old resource version", status["message"])

        # The Python client turns it into ApiException(410).
        api_client = self.python_client()
        self.addCleanup(api_client.rest_client.pool_manager.clear)
        api = client.CustomObjectsApi(api_client)
        w = watch.Watch()
        with self.assertRaises(ApiException) as cm:
            for _ in w.stream(api.list_namespaced_custom_object, "kubevirt.io", "v1", "default",
                              "virtualmachineinstances", resource_version=str(rvs[0]), timeout_seconds=5,
                              _request_timeout=30):
                pass
        self.assertEqual(cm.exception.status, 410)
        self.assertIn("Expired", cm.exception.reason)

        # The edge of the retained window: the last 20 events are there, the 21st back is not.
        r, events = self.watch_lines(VMIS, {"resourceVersion": str(rvs[-21]), "timeoutSeconds": "2"})
        replay = list(events)
        self.assertEqual([e["type"] for e in replay], ["MODIFIED"] * 20)
        self.assertEqual([rv_of(e["object"]) for e in replay], rvs[-20:])
        r, events = self.watch_lines(VMIS, {"resourceVersion": str(rvs[-22]), "timeoutSeconds": "2"})
        self.assertEqual([(e["type"], e["object"]["code"]) for e in events], [("ERROR", 410)])

        # Recovery, as an informer does it: relist, then watch from the list's RV.
        listed = api.list_namespaced_custom_object("kubevirt.io", "v1", "default", "virtualmachineinstances")
        self.assertEqual([i["metadata"]["labels"]["n"] for i in listed["items"]], ["49"])
        live = self.watch_in_background(VMIS, {"resourceVersion": listed["metadata"]["resourceVersion"],
                                               "timeoutSeconds": "30"})
        changed = self.patch(VMIS + "/v0", {"metadata": {"labels": {"n": "after"}}}).json()
        e = self.next_event(live)
        self.assertEqual(e["type"], "MODIFIED")
        self.assertEqual(rv_of(e["object"]), rv_of(changed))
        self.assertEqual(e["object"]["metadata"]["labels"]["n"], "after")


class ConcurrentWatchersTest(HttpTestCase):
    WATCHERS = 50

    def test_fifty_watchers_each_see_every_write_in_order(self):
        start = self.list_rv()
        results = [None] * self.WATCHERS
        connected = threading.Barrier(self.WATCHERS + 1, timeout=60)
        expected_count = 100

        def watcher(i):
            s = requests.Session()
            s.trust_env = False
            s.verify = self.server.ca_file
            s.headers["Authorization"] = "Bearer " + token
            seen = []
            try:
                r = s.get(self.server.url + VMIS,
                          params={"watch": "1", "resourceVersion": start, "timeoutSeconds": "120"},
                          stream=True, timeout=(30, 90))
                try:
                    connected.wait()
                    buf = b""
                    for chunk in r.iter_content(chunk_size=None):
                        buf += chunk
                        while b"\n" in buf:
                            line, buf = buf.split(b"\n", 1)
                            e = json.loads(line)
                            seen.append((e["type"], e["object"]["metadata"]["name"], rv_of(e["object"])))
                        if len(seen) >= expected_count:
                            break
                finally:
                    r.close()
                results[i] = seen
            except Exception as exc:
                results[i] = exc
                connected.abort()  # fail the test now rather than at the barrier's timeout
            finally:
                s.close()

        token = self.server.admin_token()
        threads = [threading.Thread(target=watcher, args=(i,), daemon=True) for i in range(self.WATCHERS)]
        for t in threads:
            t.start()
        connected.wait()  # every watch has its response headers: all are registered

        expected = []
        for i in range(25):
            name = f"vm{i:02d}"
            expected.append(("ADDED", name, rv_of(self.create_vmi(name))))
            expected.append(("MODIFIED", name, rv_of(self.patch(VMIS + "/" + name, {"metadata": {"labels": {"s": "1"}}}).json())))
            expected.append(("MODIFIED", name, rv_of(self.patch(VMIS + "/" + name, {"metadata": {"labels": {"s": "2"}}}).json())))
        for i in range(25):
            name = f"vm{i:02d}"
            expected.append(("DELETED", name, rv_of(self.delete(VMIS + "/" + name).json())))
        self.assertEqual(len(expected), expected_count)
        rvs = [rv for _, _, rv in expected]
        self.assertEqual(rvs, sorted(set(rvs)))

        for t in threads:
            t.join(120)
            self.assertFalse(t.is_alive(), "a watcher did not finish")
        for i, seen in enumerate(results):
            if isinstance(seen, Exception):
                raise AssertionError(f"watcher {i} failed: {seen!r}")
            self.assertEqual(seen, expected, f"watcher {i} saw a different sequence")


class GarbageCollectionTest(HttpTestCase):
    def test_deleting_vmi_deletes_pods_it_owns(self):
        owner = self.create_vmi("owner")
        other = self.create_vmi("other")
        self.post(PODS, pod("launcher", owner=owner))
        self.post(PODS, pod("bound-launcher", node="node-a", owner=owner))
        self.post(PODS, pod("other-launcher", owner=other))
        self.post(PODS, pod("standalone"))

        self.delete(VMIS + "/owner")
        # The collector runs in the background: an unbound pod goes at once; a pod bound to
        # a node is deleted gracefully (its kubelet finishes the job), so it is marked.
        wait_for(lambda: not self.exists(PODS + "/launcher"), what="owned pod deleted")
        bound = wait_for(lambda: self.get(PODS + "/bound-launcher").json()["metadata"].get("deletionTimestamp")
                         and self.get(PODS + "/bound-launcher").json(), what="bound owned pod marked for deletion")
        self.assertEqual(bound["metadata"]["deletionGracePeriodSeconds"], 30)
        # Pods of other owners, and pods without owners, stay.
        self.assertTrue(self.exists(PODS + "/other-launcher"))
        self.assertTrue(self.exists(PODS + "/standalone"))
        self.assertNotIn("deletionTimestamp", self.get(PODS + "/other-launcher").json()["metadata"])

    def test_owner_reference_to_a_recreated_name_is_not_the_same_owner(self):
        # Ownership is by uid: a new VMI with the old name does not adopt the old pods.
        owner = self.create_vmi("reborn")
        self.post(PODS, pod("reborn-launcher", owner=owner))
        self.delete(VMIS + "/reborn")
        self.create_vmi("reborn")
        wait_for(lambda: not self.exists(PODS + "/reborn-launcher"), what="pod of the old uid deleted")

    def test_orphan_propagation_keeps_pod_and_strips_owner_reference(self):
        owner = self.create_vmi("orphaner")
        keeper = self.create_vmi("keeper")
        p = pod("orphan", owner=owner)
        p["metadata"]["ownerReferences"].append(
            {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "name": "keeper",
             "uid": keeper["metadata"]["uid"]})
        self.post(PODS, p)
        self.post(PODS, pod("orphan-only", owner=owner))

        self.delete(VMIS + "/orphaner", json={"kind": "DeleteOptions", "apiVersion": "v1",
                                             "propagationPolicy": "Orphan"})
        wait_for(lambda: not self.exists(VMIS + "/orphaner"), what="owner deleted")

        def stripped(name):
            return "orphaner" not in json.dumps(self.get(PODS + "/" + name).json()["metadata"].get("ownerReferences", []))
        wait_for(lambda: stripped("orphan") and stripped("orphan-only"), what="owner references stripped")
        refs = self.get(PODS + "/orphan").json()["metadata"]["ownerReferences"]
        self.assertEqual([r["uid"] for r in refs], [keeper["metadata"]["uid"]])
        self.assertNotIn("ownerReferences", self.get(PODS + "/orphan-only").json()["metadata"])

        # Later deletions (which wake the collector) leave the orphans alone.
        canary_owner = self.create_vmi("canary")
        self.post(PODS, pod("canary-pod", owner=canary_owner))
        self.delete(VMIS + "/canary")
        wait_for(lambda: not self.exists(PODS + "/canary-pod"), what="canary collected")
        self.assertTrue(self.exists(PODS + "/orphan"))
        self.assertTrue(self.exists(PODS + "/orphan-only"))

    def test_collector_never_deletes_dependents_of_live_owners_while_sweeping(self):
        # A VM and then its VMI, created while the collector sweeps (woken by unrelated
        # deletions). A sweep reads VMs before VMIs; many VMs make it slow enough that a VM
        # created after the VMs were read and its VMI created before the VMIs were read
        # fall into one sweep, and the VMI must not look orphaned.
        vms = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines"

        def vm(name):
            return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name},
                    "spec": {"runStrategy": "Halted", "template": {"spec": {
                        "domain": {"resources": {"requests": {"memory": "64Mi"}}, "devices": {}}}}}}

        for i in range(800):
            self.post(vms, vm(f"ballast-{i:04d}"))

        stop = threading.Event()
        churned = []

        def churn():
            s = self.session()
            while not stop.is_set():
                for method, path, body in (("POST", VMIS, vmi("churn")), ("DELETE", VMIS + "/churn", None)):
                    r = s.request(method, self.server.url + path, json=body, timeout=30)
                    if r.status_code not in (200, 201):
                        churned.append(r.text)
                        return
                churned.append(1)
        t = threading.Thread(target=churn, daemon=True)
        t.start()
        try:
            for i in range(25):
                owner = self.post(vms, vm(f"vm-{i}")).json()
                dependent = vmi(f"vm-{i}")
                dependent["metadata"]["ownerReferences"] = [
                    {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "name": f"vm-{i}",
                     "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
                self.post(VMIS, dependent)
        finally:
            stop.set()
            t.join(60)
        self.assertTrue(churned and all(c == 1 for c in churned), churned[-1:])

        # A canary collected after the churn means every sweep that overlapped it is over.
        canary = self.post(vms, vm("canary")).json()
        dependent = vmi("canary")
        dependent["metadata"]["ownerReferences"] = [
            {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "name": "canary", "uid": canary["metadata"]["uid"]}]
        self.post(VMIS, dependent)
        self.delete(vms + "/canary")
        wait_for(lambda: not self.exists(VMIS + "/canary"), what="canary VMI collected")
        missing = [i for i in range(25) if not self.exists(VMIS + f"/vm-{i}")]
        self.assertEqual(missing, [], "VMIs of live VMs were garbage-collected")

    def test_orphan_query_parameter(self):
        owner = self.create_vmi("qowner")
        self.post(PODS, pod("qpod", owner=owner))
        self.delete(VMIS + "/qowner", params={"propagationPolicy": "Orphan"})
        wait_for(lambda: "ownerReferences" not in self.get(PODS + "/qpod").json()["metadata"],
                 what="owner reference stripped")
        self.assertFalse(self.exists(VMIS + "/qowner"))


class FinalizerTest(HttpTestCase):
    def test_finalizer_holds_deletion_until_removed(self):
        held = vmi("held")
        held["metadata"]["finalizers"] = ["example.com/hold"]
        created = self.post(VMIS, held).json()
        events = self.watch_in_background(VMIS, {"resourceVersion": created["metadata"]["resourceVersion"],
                                                 "fieldSelector": "metadata.name=held", "timeoutSeconds": "60"})

        # 202, as docs/apiserver.md promises. (kube-apiserver itself answers 200 here unless
        # the request sets orphanDependents=false; clients treat both as success.)
        r = self.delete(VMIS + "/held", expect=202)
        marked = r.json()
        self.assertIn("deletionTimestamp", marked["metadata"])
        self.assertEqual(marked["metadata"]["finalizers"], ["example.com/hold"])
        still = self.get(VMIS + "/held").json()
        self.assertEqual(still["metadata"]["deletionTimestamp"], marked["metadata"]["deletionTimestamp"])
        self.assertEqual(still["metadata"]["uid"], created["metadata"]["uid"])

        # Deleting again changes nothing.
        again = self.delete(VMIS + "/held", expect=202).json()
        self.assertEqual(again["metadata"]["resourceVersion"], marked["metadata"]["resourceVersion"])
        # A terminating object can still be updated.
        self.patch(VMIS + "/held", {"metadata": {"labels": {"during": "termination"}}})

        self.patch(VMIS + "/held", {"metadata": {"finalizers": None}})
        wait_for(lambda: not self.exists(VMIS + "/held"), what="held VMI gone")

        types = [self.next_event(events)["type"] for _ in range(3)]
        self.assertEqual(types, ["MODIFIED", "MODIFIED", "DELETED"])

    def test_watcher_sees_modified_then_deleted(self):
        held = vmi("w")
        held["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
        created = self.post(VMIS, held).json()
        events = self.watch_in_background(VMIS, {"resourceVersion": created["metadata"]["resourceVersion"],
                                                 "timeoutSeconds": "60"})
        self.delete(VMIS + "/w", expect=202)
        e = self.next_event(events)
        self.assertEqual(e["type"], "MODIFIED")
        self.assertIn("deletionTimestamp", e["object"]["metadata"])

        # Removing one of two finalizers keeps the object.
        self.patch(VMIS + "/w", {"metadata": {"finalizers": ["example.com/b"]}})
        e = self.next_event(events)
        self.assertEqual((e["type"], e["object"]["metadata"]["finalizers"]), ("MODIFIED", ["example.com/b"]))
        self.assertTrue(self.exists(VMIS + "/w"))

        current = self.get(VMIS + "/w").json()
        current["metadata"]["finalizers"] = []
        self.put(VMIS + "/w", current)
        e = self.next_event(events)
        self.assertEqual(e["type"], "DELETED")
        self.assertEqual(e["object"]["metadata"]["name"], "w")
        self.assertFalse(self.exists(VMIS + "/w"))


class ObjectMetaTest(HttpTestCase):
    def test_generate_name_creates_unique_names(self):
        body = vmi("ignored")
        del body["metadata"]["name"]
        body["metadata"]["generateName"] = "gen-"
        names = set()
        for _ in range(10):
            created = self.post(VMIS, body).json()
            name = created["metadata"]["name"]
            self.assertRegex(name, r"^gen-[a-z0-9]{5}$")
            self.assertEqual(created["metadata"]["generateName"], "gen-")
            names.add(name)
            self.assertEqual(self.get(VMIS + "/" + name).json()["metadata"]["uid"], created["metadata"]["uid"])
        self.assertEqual(len(names), 10)
        self.assertEqual(len(self.get(VMIS).json()["items"]), 10)
        # A name, when given, wins over generateName.
        body["metadata"]["name"] = "explicit"
        self.assertEqual(self.post(VMIS, body).json()["metadata"]["name"], "explicit")

    def test_generation_bumps_only_on_spec_changes(self):
        created = self.create_vmi("g")
        self.assertEqual(created["metadata"]["generation"], 1)
        r = self.patch(VMIS + "/g", {"metadata": {"labels": {"l": "1"}, "annotations": {"a": "1"}}}).json()
        self.assertEqual(r["metadata"]["generation"], 1)
        self.assertGreater(rv_of(r), rv_of(created))

        put = copy.deepcopy(r)
        put["metadata"]["labels"]["l"] = "2"
        r = self.put(VMIS + "/g", put).json()
        self.assertEqual(r["metadata"]["generation"], 1)

        r = self.request("PATCH", VMIS + "/g/status", 200, data=json.dumps({"status": {"phase": "Scheduling"}}),
                         headers={"Content-Type": MERGE}).json()
        self.assertEqual(r["metadata"]["generation"], 1)

        r = self.patch(VMIS + "/g", {"spec": {"domain": {"resources": {"requests": {"memory": "256Mi"}}}}}).json()
        self.assertEqual(r["metadata"]["generation"], 2)

        put = copy.deepcopy(r)
        put["spec"]["terminationGracePeriodSeconds"] = 5
        r = self.put(VMIS + "/g", put).json()
        self.assertEqual(r["metadata"]["generation"], 3)

        # A client cannot set generation itself.
        put = copy.deepcopy(r)
        put["metadata"]["generation"] = 42
        r = self.put(VMIS + "/g", put).json()
        self.assertEqual(r["metadata"]["generation"], 3)
        self.assertEqual(self.get(VMIS + "/g").json()["metadata"]["generation"], 3)


class StatusSubresourceTest(HttpTestCase):
    def test_put_status_changes_only_status(self):
        created = self.create_vmi("s")
        body = copy.deepcopy(created)
        body["status"] = {"phase": "Running", "nodeName": "node-a"}
        body["spec"]["domain"]["resources"]["requests"]["memory"] = "1Gi"
        body["metadata"]["labels"]["via"] = "status"
        r = self.put(VMIS + "/s/status", body).json()
        self.assertEqual((r["status"]["phase"], r["status"]["nodeName"]), ("Running", "node-a"))
        self.assertEqual(r["spec"], created["spec"])
        self.assertNotIn("via", r["metadata"]["labels"])
        self.assertEqual(r["metadata"]["generation"], 1)
        self.assertEqual(self.get(VMIS + "/s").json()["status"]["phase"], "Running")

        # Optimistic concurrency applies to /status as well.
        r = self.put(VMIS + "/s/status", body, expect=409)
        self.assertEqual(r.json()["reason"], "Conflict")

    def test_put_main_resource_ignores_status(self):
        self.create_vmi("m")
        running = self.patch(VMIS + "/m/status", {"status": {"phase": "Running"}}).json()
        body = copy.deepcopy(running)
        body["status"] = {"phase": "Failed"}
        body["metadata"]["labels"]["seen"] = "yes"
        r = self.put(VMIS + "/m", body).json()
        self.assertEqual(r["status"]["phase"], "Running")
        self.assertEqual(r["metadata"]["labels"]["seen"], "yes")
        # Leaving status out of a main-resource PUT does not clear it either.
        del body["status"]
        body["metadata"]["resourceVersion"] = r["metadata"]["resourceVersion"]
        r = self.put(VMIS + "/m", body).json()
        self.assertEqual(r["status"]["phase"], "Running")
        # Nor does a merge patch of the main resource.
        r = self.patch(VMIS + "/m", {"status": {"phase": "Failed"}}).json()
        self.assertEqual(r["status"]["phase"], "Running")

    def test_status_of_unknown_object_is_404(self):
        r = self.put(VMIS + "/nope/status", vmi("nope"), expect=404)
        self.assertEqual(r.json()["reason"], "NotFound")


class PatchTest(HttpTestCase):
    def test_strategic_merge_patch_on_vmi_is_415(self):
        self.create_vmi("smp")
        r = self.patch(VMIS + "/smp", {"metadata": {"labels": {"s": "1"}}}, content_type=STRATEGIC, expect=415)
        status = r.json()
        self.assertEqual((status["kind"], status["reason"], status["code"]), ("Status", "UnsupportedMediaType", 415))
        self.assertIn(MERGE, status["message"])
        self.assertNotIn("s", self.get(VMIS + "/smp").json()["metadata"]["labels"])
        # An unknown patch type is refused for every kind.
        self.patch(PODS + "/nothing", {}, content_type="application/x-unknown+json", expect=415)

    def test_strategic_merge_patch_on_pod_merges_containers_by_name(self):
        self.post(PODS, pod("two", containers=[{"name": "app", "image": "app:1"},
                                               {"name": "sidecar", "image": "sidecar:1"}]))
        r = self.patch(PODS + "/two", {"spec": {"containers": [{"name": "sidecar", "image": "sidecar:2"}]}},
                       content_type=STRATEGIC).json()
        self.assertEqual(r["spec"]["containers"], [{"name": "app", "image": "app:1"},
                                                   {"name": "sidecar", "image": "sidecar:2"}])
        r = self.patch(PODS + "/two", {"spec": {"containers": [{"name": "app", "image": "app:2"}]}},
                       content_type=STRATEGIC).json()
        self.assertEqual(r["spec"]["containers"], [{"name": "app", "image": "app:2"},
                                                   {"name": "sidecar", "image": "sidecar:2"}])
        self.assertEqual(self.get(PODS + "/two").json()["spec"]["containers"], r["spec"]["containers"])

    def test_server_side_apply_creates_then_merges(self):
        config = ("apiVersion: kubevirt.io/v1\n"
                  "kind: VirtualMachineInstance\n"
                  "metadata:\n"
                  "  name: applied\n"
                  "  labels:\n"
                  "    a: \"1\"\n"
                  "spec:\n"
                  "  domain:\n"
                  "    resources:\n"
                  "      requests:\n"
                  "        memory: 64Mi\n"
                  "    devices: {}\n")
        created = self.patch(VMIS + "/applied", config, content_type=APPLY, params={"fieldManager": "test"},
                             expect=201).json()
        self.assertEqual(created["metadata"]["labels"], {"a": "1"})
        self.assertEqual(created["spec"]["domain"]["resources"]["requests"]["memory"], "64Mi")
        self.assertEqual(created["metadata"]["generation"], 1)
        self.assertEqual(created["spec"]["domain"]["machine"]["type"], "q35")  # admission defaults
        self.assertEqual(self.get(VMIS + "/applied").json()["metadata"]["uid"], created["metadata"]["uid"])

        # Someone else adds a label; the next apply of "test" keeps it and merges its own.
        self.patch(VMIS + "/applied", {"metadata": {"labels": {"other": "x"}}}, params={"fieldManager": "other"})
        config2 = config.replace('    a: "1"\n', '    a: "1"\n    b: "2"\n').replace("64Mi", "96Mi")
        merged = self.patch(VMIS + "/applied", config2, content_type=APPLY, params={"fieldManager": "test"}).json()
        self.assertEqual(merged["metadata"]["labels"], {"a": "1", "b": "2", "other": "x"})
        self.assertEqual(merged["spec"]["domain"]["resources"]["requests"]["memory"], "96Mi")
        self.assertEqual(merged["spec"]["domain"]["machine"]["type"], "q35")
        self.assertEqual(merged["metadata"]["uid"], created["metadata"]["uid"])
        self.assertEqual(merged["metadata"]["generation"], 2)
        # Applying the same configuration again changes nothing.
        again = self.patch(VMIS + "/applied", config2, content_type=APPLY, params={"fieldManager": "test"}).json()
        self.assertEqual(again["metadata"]["resourceVersion"], merged["metadata"]["resourceVersion"])

    def test_apply_with_wrong_api_version_is_400(self):
        r = self.patch(VMIS + "/bad", "apiVersion: v1\nkind: VirtualMachineInstance\nmetadata:\n  name: bad\n",
                       content_type=APPLY, params={"fieldManager": "test"}, expect=400)
        self.assertEqual(r.json()["reason"], "BadRequest")
        self.assertFalse(self.exists(VMIS + "/bad"))


if __name__ == "__main__":
    unittest.main()
