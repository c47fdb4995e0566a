"""Durability of podvisor-apiserver's store across restarts and crashes.

What the server promises (docs in kube/apiserver/store/store.hpp): a write is committed to
SQLite (WAL) before it is acknowledged, so an acknowledged write survives kill -9;
resourceVersions come from one global counter that a restart continues and never reuses;
the watch history is persisted, so a watcher resumes from the last RV it read, after a
clean restart or a crash, without losing or repeating an event.

The clients here are raw HTTPS (http.client, keep-alive, the admin bearer token), so that
what is recorded as acknowledged is exactly what the server answered.
"""

import http.client
import json
import os
import ssl
import threading
import time
import unittest

from harness import ApiServer, ApiServerTestCase, wait_for

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
VMIS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances"

# Errors a client sees when the server dies under it (reset, EOF, refused, timeout).
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


class Client:
    """One keep-alive HTTPS connection with the admin token. `request` returns
    (status, decoded JSON body); a broken connection raises CONNECTION_ERRORS."""

    def __init__(self, server, token=None, timeout=20):
        self.port = server.port
        self.token = token or server.admin_token()
        self.context = ssl.create_default_context(cafile=server.ca_file)
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, content_type="application/json"):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                                    timeout=self.timeout)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except CONNECTION_ERRORS:
            self.close()
            raise
        return response.status, (json.loads(raw) if raw else None)

    def ok(self, method, path, body=None, content_type="application/json", expect=(200, 201)):
        status, obj = self.request(method, path, body, content_type)
        if status not in expect:
            raise AssertionError(f"{method} {path} → {status}: {obj}")
        return obj

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Watch:
    """A raw watch stream; `next()` returns the next event (a dict) or fails the test when
    none comes within the socket timeout."""

    def __init__(self, server, path, resource_version, timeout=20):
        context = ssl.create_default_context(cafile=server.ca_file)
        self.conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=timeout)
        self.conn.request("GET", f"{path}?watch=true&resourceVersion={resource_version}",
                          headers={"Authorization": f"Bearer {server.admin_token()}"})
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raise AssertionError(f"watch from {resource_version} → {self.response.status}: "
                                 f"{self.response.read()!r}")

    def next(self):
        line = self.response.readline()
        if not line:
            raise AssertionError("the watch stream ended")
        event = json.loads(line)
        if event["type"] == "ERROR":
            raise AssertionError(f"watch ERROR event: {event['object']}")
        return event

    def close(self):
        self.conn.close()


def configmap(name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def vmi(name, bus="virtio"):
    return {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachineInstance",
        "metadata": {"name": name},
        "spec": {"domain": {"resources": {"requests": {"memory": "64Mi"}},
                            "devices": {"disks": [{"name": "d0", "disk": {"bus": bus}}]}},
                 "volumes": [{"name": "d0", "containerDisk": {"image": "example/disk"}}]},
    }


def rv_of(obj):
    return int(obj["metadata"]["resourceVersion"])


def event_summary(event):
    return (event["type"], event["object"]["metadata"]["name"], rv_of(event["object"]))


class DurabilityTest(ApiServerTestCase):
    def client(self, server=None):
        c = Client(server or self.server)
        self.addCleanup(c.close)
        return c

    def watch(self, server, path, resource_version):
        w = Watch(server, path, resource_version)
        self.addCleanup(w.close)
        return w

    def restart(self, crash):
        """Restarts the server on the same data directory and port: kill -9 when `crash`,
        SIGTERM otherwise. Updates self.server (tearDown stops it)."""
        old = self.server
        if crash:
            old.kill()
        else:
            self.assertEqual(old.stop(), 0, "SIGTERM should end the server cleanly")
        self.server = ApiServer(old.data_dir, port=old.port)
        self.assertEqual(self.server.port, old.port)
        return self.server

    def list_by_name(self, client, path):
        listed = client.ok("GET", path)
        return {item["metadata"]["name"]: item for item in listed["items"]}, int(listed["metadata"]["resourceVersion"])

    # --- kill -9 during a burst of writes -------------------------------------------------

    def test_kill9_during_write_burst_keeps_every_acknowledged_write(self):
        # Four threads create distinct objects (one write each) as fast as they can: two make
        # ConfigMaps, two VirtualMachineInstances. Every 7th create is invalid on purpose (a
        # non-string ConfigMap value, an unsupported disk bus): the server refuses it (422)
        # and it must never appear. The server is killed while the writes are in flight.
        lock = threading.Lock()
        acked = {}        # (path, name) -> (rv, uid): the server answered 201
        refused = {}      # (path, name) -> status: the server answered an error
        unanswered = set()  # (path, name): the connection broke before an answer
        early_failures = []  # connection errors before the kill: a test failure
        killing = threading.Event()

        def writer(index):
            path, kind = (CONFIGMAPS, "cm") if index % 2 == 0 else (VMIS, "vmi")
            client = Client(self.server, timeout=10)
            try:
                write_until_killed(client, path, kind, index)
            finally:
                client.close()

        def write_until_killed(client, path, kind, index):
            n = 0
            while True:
                n += 1
                name = f"{kind}-t{index}-{n}"
                invalid = n % 7 == 0
                if kind == "cm":
                    body = configmap(name, value=str(n))
                    if invalid:
                        body["data"]["value"] = n
                else:
                    body = vmi(name, bus="ide" if invalid else "virtio")
                # Until the server dies under it: the first connection error ends the thread.
                try:
                    status, obj = client.request("POST", path, body)
                except CONNECTION_ERRORS as e:
                    with lock:
                        unanswered.add((path, name))
                        if not killing.is_set():
                            early_failures.append(f"{name}: {e!r}")
                    return
                with lock:
                    if status == 201:
                        acked[(path, name)] = (rv_of(obj), obj["metadata"]["uid"])
                    else:
                        refused[(path, name)] = (status, invalid, obj)

        threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(4)]
        started = time.monotonic()
        for t in threads:
            t.start()
        # About 1–2 s of writes on this machine; waiting for a count keeps it a real burst
        # however fast or slow the machine is.
        wait_for(lambda: len(acked) >= 2000 or early_failures, timeout=120, what="2000 acknowledged writes")
        self.assertEqual(early_failures, [])
        killing.set()
        self.server.kill()
        burst = time.monotonic() - started
        for t in threads:
            t.join(30)
            self.assertFalse(t.is_alive(), "a writer did not notice the kill")

        with lock:
            acked, refused, unanswered = dict(acked), dict(refused), set(unanswered)
        # Every refusal is one of the deliberately invalid creates, refused with 422.
        for key, (status, invalid, obj) in refused.items():
            self.assertTrue(invalid, f"valid create {key} refused with {status}: {obj}")
            self.assertEqual(status, 422, f"{key}: {obj}")
            self.assertEqual((obj["kind"], obj["reason"]), ("Status", "Invalid"))
        self.assertGreater(len(refused), 0)
        # At most one write per thread was in flight when the server died.
        self.assertLessEqual(len(unanswered), 4)
        # Acknowledged RVs come from one counter: all distinct.
        acked_rvs = [rv for rv, _ in acked.values()]
        self.assertEqual(len(set(acked_rvs)), len(acked_rvs), "two acknowledged writes share an RV")

        server = self.restart(crash=True)
        client = self.client(server)
        present = {}
        list_rvs = []
        for path in (CONFIGMAPS, VMIS):
            items, list_rv = self.list_by_name(client, path)
            list_rvs.append(list_rv)
            for name, obj in items.items():
                present[(path, name)] = obj

        # Every acknowledged write is there, exactly as acknowledged (each object was
        # written once, so its RV cannot have moved on).
        missing = [key for key in acked if key not in present]
        self.assertEqual(missing, [], f"{len(missing)} of {len(acked)} acknowledged writes lost")
        for key, (rv, uid) in acked.items():
            self.assertEqual(rv_of(present[key]), rv, f"{key} has another RV after the crash")
            self.assertEqual(present[key]["metadata"]["uid"], uid, f"{key} has another uid after the crash")
        # Nothing the server refused exists.
        ghosts = [key for key in refused if key in present]
        self.assertEqual(ghosts, [], "refused creates exist after the restart")
        # Writes whose connection broke without an answer may or may not have committed
        # (the server can die before or after the SQLite commit); either is correct. What
        # cannot exist is an object nobody tried to write.
        ours = {key for key in present if key[1].split("-t")[0] in ("cm", "vmi")}
        self.assertLessEqual(ours, set(acked) | unanswered, "objects nobody wrote exist")
        present_rvs = [rv_of(obj) for obj in present.values()]
        self.assertEqual(len(set(present_rvs)), len(present_rvs), "two stored objects share an RV")

        # The counter continues past everything the old process handed out.
        highest_seen = max(acked_rvs + present_rvs)
        self.assertGreaterEqual(min(list_rvs), highest_seen)
        after = [rv_of(client.ok("POST", CONFIGMAPS, configmap(f"after-{i}"))) for i in range(3)]
        after.append(rv_of(client.ok("POST", VMIS, vmi("after-vmi"))))
        self.assertGreater(min(after), highest_seen, "an RV was reused after the crash")
        self.assertEqual(after, sorted(set(after)))
        print(f"\n  burst: {len(acked)} acknowledged, {len(refused)} refused, {len(unanswered)} unanswered "
              f"({sum(1 for k in unanswered if k in present)} of those committed) in {burst:.1f}s",
              flush=True)

    # --- watchers resume after a restart --------------------------------------------------

    def check_watch_resumes_after_restart(self, crash):
        client = self.client()
        _, base_rv = self.list_by_name(client, CONFIGMAPS)
        watch = self.watch(self.server, CONFIGMAPS, base_rv)
        expected = []  # (type, name, rv) in write order

        def write(method, path, body=None, content_type="application/json", event="MODIFIED"):
            obj = client.ok(method, path, body, content_type)
            expected.append((event, obj["metadata"]["name"], rv_of(obj)))

        for i in range(6):
            write("POST", CONFIGMAPS, configmap(f"w{i}", n=str(i)), event="ADDED")
        write("PATCH", f"{CONFIGMAPS}/w0", {"data": {"n": "changed"}}, "application/merge-patch+json")
        current = client.ok("GET", f"{CONFIGMAPS}/w1")
        current["data"] = {"n": "replaced"}
        write("PUT", f"{CONFIGMAPS}/w1", current)
        write("DELETE", f"{CONFIGMAPS}/w2", event="DELETED")
        write("POST", CONFIGMAPS, configmap("w6"), event="ADDED")
        # Writes to another resource share the RV counter but not this watch.
        client.ok("POST", VMIS, vmi("unrelated"))

        # The watcher reads only part of what happened, then the server goes away.
        read = [event_summary(watch.next()) for _ in range(5)]
        self.assertEqual(read, expected[:5])
        last_read = read[-1][2]
        server = self.restart(crash)
        watch.close()

        client = self.client(server)
        write("PATCH", f"{CONFIGMAPS}/w3", {"metadata": {"labels": {"after": "restart"}}},
              "application/merge-patch+json")
        write("DELETE", f"{CONFIGMAPS}/w0", event="DELETED")
        client.ok("DELETE", f"{VMIS}/unrelated")
        write("POST", CONFIGMAPS, configmap("w7"), event="ADDED")
        write("POST", CONFIGMAPS, configmap("sentinel"), event="ADDED")
        self.assertEqual([rv for _, _, rv in expected], sorted({rv for _, _, rv in expected}))
        self.assertGreater(expected[10][2], max(rv for _, _, rv in expected[:10]))

        # Resuming from the last RV read gets exactly the events after it: the five the
        # watcher had not read before the restart, then the ones written since.
        resumed = self.watch(server, CONFIGMAPS, last_read)
        got = []
        while not got or got[-1][1] != "sentinel":
            got.append(event_summary(resumed.next()))
            self.assertLessEqual(len(got), len(expected), f"more events than writes: {got}")
        resumed.close()
        self.assertEqual(got, expected[5:])

        # A watch from before everything replays the whole persisted history.
        replay = self.watch(server, CONFIGMAPS, base_rv)
        got = [event_summary(replay.next()) for _ in expected]
        replay.close()
        self.assertEqual(got, expected)

    def test_watch_resumes_after_clean_restart(self):
        self.check_watch_resumes_after_restart(crash=False)

    def test_watch_resumes_after_kill9(self):
        self.check_watch_resumes_after_restart(crash=True)

    # --- objects and resourceVersions survive restarts ------------------------------------

    def snapshot(self, client):
        """Every object of the kinds used here, across namespaces: (path, ns, name) → object."""
        out = {}
        for path in ("/api/v1/namespaces", "/api/v1/configmaps", "/api/v1/secrets",
                     "/apis/kubevirt.io/v1/virtualmachineinstances"):
            listed = client.ok("GET", path)
            for item in listed["items"]:
                meta = item["metadata"]
                out[(path, meta.get("namespace", ""), meta["name"])] = item
        return out

    def test_store_survives_restarts_with_objects_and_rvs_unchanged(self):
        client = self.client()
        client.ok("POST", "/api/v1/namespaces", {"metadata": {"name": "durable"}})
        for i in range(5):
            client.ok("POST", CONFIGMAPS, configmap(f"cm{i}", i=str(i)))
            client.ok("POST", "/api/v1/namespaces/durable/configmaps", configmap(f"cm{i}", ns="durable"))
        client.ok("POST", "/api/v1/namespaces/durable/secrets",
                  {"metadata": {"name": "s"}, "data": {"k": "dmFsdWU="}})
        client.ok("POST", VMIS, vmi("vm0"))
        client.ok("PATCH", f"{VMIS}/vm0/status", {"status": {"phase": "Running"}}, "application/merge-patch+json")
        client.ok("PATCH", f"{CONFIGMAPS}/cm1", {"data": {"i": "updated"}}, "application/merge-patch+json")
        client.ok("DELETE", f"{CONFIGMAPS}/cm2")
        # A terminating object held by a finalizer keeps its deletionTimestamp.
        client.ok("PATCH", f"{CONFIGMAPS}/cm3", {"metadata": {"finalizers": ["example.com/hold"]}},
                  "application/merge-patch+json")
        client.ok("DELETE", f"{CONFIGMAPS}/cm3", expect=(200, 202))

        before = self.snapshot(client)
        _, rv_before = self.list_by_name(client, CONFIGMAPS)
        self.assertNotIn((("/api/v1/configmaps", "default", "cm2")), before)
        self.assertIn("deletionTimestamp", before[("/api/v1/configmaps", "default", "cm3")]["metadata"])
        self.assertEqual(before[("/apis/kubevirt.io/v1/virtualmachineinstances", "default", "vm0")]
                         ["status"]["phase"], "Running")

        for crash in (False, True):
            with self.subTest(restart="kill -9" if crash else "SIGTERM"):
                server = self.restart(crash)
                client = self.client(server)
                after = self.snapshot(client)
                self.assertEqual(sorted(after), sorted(before))
                for key, obj in before.items():
                    self.assertEqual(after[key], obj, f"{key} changed across the restart")
                    # And one by one, as a GET sees it.
                    path, ns, name = key
                    if ns:
                        prefix, plural = path.rsplit("/", 1)
                        url = f"{prefix}/namespaces/{ns}/{plural}/{name}"
                    else:
                        url = f"{path}/{name}"
                    got = client.ok("GET", url)
                    self.assertEqual(got["metadata"]["resourceVersion"], obj["metadata"]["resourceVersion"], url)
                    self.assertEqual(got["metadata"]["uid"], obj["metadata"]["uid"], url)
                _, rv_after = self.list_by_name(client, CONFIGMAPS)
                self.assertEqual(rv_after, rv_before, "the RV counter moved across a restart without writes")

        # The next write continues the counter.
        created = client.ok("POST", CONFIGMAPS, configmap("next"))
        self.assertEqual(rv_of(created), rv_before + 1)
        self.assertTrue(os.path.exists(os.path.join(self.server.data_dir, "store.db")))


if __name__ == "__main__":
    unittest.main()
