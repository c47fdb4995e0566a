"""Hostile and malformed requests against podvisor-apiserver.

Every bad request must get a Kubernetes Status error body (kind Status, status Failure, the
HTTP code repeated in `code`, a `reason` clients switch on) with the code kube-apiserver
uses, must change nothing, and must leave the server serving. Requests http.client cannot
send (a connection closed mid-body or mid-headers) go over a raw TLS socket.
"""

import http.client
import json
import os
import socket
import ssl
import unittest
import urllib.parse

from harness import ApiServerTestCase

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
VMIS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances"
LIMIT = 3 * 1024 * 1024  # kube-apiserver's request body limit, which the server copies


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


def configmap(name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


class BadInputTest(ApiServerTestCase):
    def setUp(self):
        super().setUp()
        self.context = ssl.create_default_context(cafile=self.server.ca_file)
        self.token = self.server.admin_token()

    def token_of(self, user):
        with open(os.path.join(self.server.data_dir, "tokens.csv")) as f:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) >= 2 and parts[1] == user:
                    return parts[0]
        raise AssertionError(f"no token for {user}")

    def request(self, method, path, body=None, content_type="application/json", token=None,
                headers=None):
        """One request on a fresh connection; `body` is bytes, str or a JSON value.
        token=None sends the admin token, token="" none at all."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, context=self.context, timeout=30)
        try:
            h = {"Accept": "application/json"}
            token = self.token if token is None else token
            if token:
                h["Authorization"] = f"Bearer {token}"
            data = None
            if body is not None:
                if isinstance(body, bytes):
                    data = body
                elif isinstance(body, str):
                    data = body.encode()
                else:
                    data = json.dumps(body).encode()
                if content_type is not None:
                    h["Content-Type"] = content_type
            h.update(headers or {})
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()

    def assert_status(self, response, code, reason):
        """A Kubernetes Status error with `code` and `reason`; returns it."""
        self.assertEqual(response.status, code, response)
        self.assertTrue(response.headers.get("content-type", "").startswith("application/json"), response.headers)
        status = response.json()
        self.assertEqual(status["kind"], "Status", status)
        self.assertEqual(status["apiVersion"], "v1", status)
        self.assertEqual(status["status"], "Failure", status)
        self.assertEqual(status["code"], code, status)
        self.assertEqual(status["reason"], reason, status)
        self.assertTrue(status.get("message"), status)
        return status

    def assert_serving(self):
        """The server still answers: /readyz and a list."""
        r = self.request("GET", "/readyz")
        self.assertEqual((r.status, r.body), (200, b"ok"), self.server.read_log())
        r = self.request("GET", CONFIGMAPS)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["kind"], "ConfigMapList")
        self.assertIsNone(self.server.proc.poll(), "the server exited")

    def assert_absent(self, name, path=CONFIGMAPS):
        r = self.request("GET", f"{path}/{name}")
        self.assert_status(r, 404, "NotFound")

    def create_target(self):
        r = self.request("POST", CONFIGMAPS, configmap("target", k="original"))
        self.assertEqual(r.status, 201, r)
        return r.json()

    def assert_unchanged(self, obj):
        """`obj` is stored exactly as it was (same resourceVersion and content)."""
        name = obj["metadata"]["name"]
        self.assertEqual(self.request("GET", f"{CONFIGMAPS}/{name}").json(), obj)

    def bad(self, method, path, body, code, reason, content_type="application/json", **kw):
        status = self.assert_status(self.request(method, path, body, content_type, **kw), code, reason)
        self.assert_serving()
        return status

    # --- raw TLS, for what http.client cannot send --------------------------------------

    def raw_connection(self):
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        return self.context.wrap_socket(sock, server_hostname="127.0.0.1")

    # --- bodies ---------------------------------------------------------------------------

    def test_malformed_json_bodies(self):
        cases = {
            "truncated object": b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m1"',
            "trailing garbage": b'{"metadata":{"name":"m2"}} {}',
            "single quotes": b"{'metadata':{'name':'m3'}}",
            "empty": b"",
            "NUL and garbage after a valid object": b'{"metadata":{"name":"m4"}}\x00garbage',
            "binary garbage": bytes(range(256)) * 16,
            "invalid UTF-8 in a string": b'{"metadata":{"name":"m5"},"data":{"k":"\xff\xfe\xc3"}}',
            "invalid UTF-8 outside strings": b'{"metadata":{"name":"m6"}}\xc0\xaf',
        }
        for what, body in cases.items():
            with self.subTest(what):
                self.bad("POST", CONFIGMAPS, body, 400, "BadRequest")
        # The same through PUT and PATCH.
        target = self.create_target()
        self.bad("PUT", f"{CONFIGMAPS}/target", b'{"metadata":', 400, "BadRequest")
        for patch_type in ("application/merge-patch+json", "application/strategic-merge-patch+json",
                           "application/json-patch+json"):
            with self.subTest(patch_type):
                self.bad("PATCH", f"{CONFIGMAPS}/target", b'{"data":{"k":', 400, "BadRequest", patch_type)
        for name in ("m1", "m2", "m3", "m4", "m5", "m6"):
            self.assert_absent(name)
        self.assert_unchanged(target)

    def test_non_object_json_bodies(self):
        for body in (b"[1,2,3]", b"[]", b"42", b'"a string"', b"null", b"true"):
            with self.subTest(body):
                self.bad("POST", CONFIGMAPS, body, 400, "BadRequest")
        target = self.create_target()
        self.bad("PUT", f"{CONFIGMAPS}/target", b"[]", 400, "BadRequest")
        # A merge patch must be an object as well; a JSON patch must be an array.
        self.bad("PATCH", f"{CONFIGMAPS}/target", b"42", 400, "BadRequest", "application/merge-patch+json")
        self.bad("PATCH", f"{CONFIGMAPS}/target", b'{"op":"add"}', 400, "BadRequest", "application/json-patch+json")
        self.assert_unchanged(target)

    def test_deeply_nested_json_is_refused_without_crashing(self):
        deep_array = b"[" * 100000
        deep_object = b'{"a":' * 100000
        self.bad("POST", CONFIGMAPS, deep_array, 400, "BadRequest")
        self.bad("POST", CONFIGMAPS, deep_object, 400, "BadRequest")
        # Balanced too: valid JSON, just too deep to be a Kubernetes object.
        balanced = b'{"metadata":{"name":"deep"},"data":' + b"[" * 5000 + b"]" * 5000 + b"}"
        self.bad("POST", CONFIGMAPS, balanced, 400, "BadRequest")
        self.assert_absent("deep")
        target = self.create_target()
        for patch_type in ("application/merge-patch+json", "application/strategic-merge-patch+json",
                           "application/json-patch+json", "application/apply-patch+yaml"):
            with self.subTest(patch_type):
                self.bad("PATCH", f"{CONFIGMAPS}/target?fieldManager=test", deep_array, 400, "BadRequest", patch_type)
        yaml_deep = b"".join(b" " * i + b"- \n" for i in range(2000))
        self.bad("PATCH", f"{CONFIGMAPS}/target?fieldManager=test", yaml_deep, 400, "BadRequest",
                 "application/apply-patch+yaml")
        self.assert_unchanged(target)

    def test_body_over_the_limit_is_413(self):
        big = json.dumps(configmap("big", k="x" * (4 * 1024 * 1024))).encode()
        self.assertGreater(len(big), LIMIT)
        status = self.bad("POST", CONFIGMAPS, big, 413, "RequestEntityTooLarge")
        self.assertIn(str(LIMIT), status["message"])
        self.assert_absent("big")
        # Chunked, so that the size is known only once it has been read.
        def chunks():
            for i in range(0, len(big), 256 * 1024):
                yield big[i:i + 256 * 1024]
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, context=self.context, timeout=30)
        conn.request("POST", CONFIGMAPS, body=chunks(), encode_chunked=True,
                     headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                              "Transfer-Encoding": "chunked"})
        r = conn.getresponse()
        self.assert_status(Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()),
                           413, "RequestEntityTooLarge")
        conn.close()
        self.assert_serving()
        self.assert_absent("big")
        # Updates and patches have the same limit.
        self.assertEqual(self.request("POST", CONFIGMAPS, configmap("big")).status, 201)
        self.bad("PUT", f"{CONFIGMAPS}/big", big, 413, "RequestEntityTooLarge")
        patch = json.dumps({"data": {"k": "x" * (4 * 1024 * 1024)}}).encode()
        self.bad("PATCH", f"{CONFIGMAPS}/big", patch, 413, "RequestEntityTooLarge", "application/merge-patch+json")
        # Just under the limit is fine.
        fits = json.dumps(configmap("fits", k="x" * (LIMIT - 1024))).encode()
        self.assertLessEqual(len(fits), LIMIT)
        self.assertEqual(self.request("POST", CONFIGMAPS, fits).status, 201)

    # --- identity and validation ----------------------------------------------------------

    def test_body_kind_or_version_not_matching_the_url_is_400(self):
        secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}
        self.bad("POST", CONFIGMAPS, secret, 400, "BadRequest")
        wrong_version = configmap("v")
        wrong_version["apiVersion"] = "apps/v1"
        self.bad("POST", CONFIGMAPS, wrong_version, 400, "BadRequest")
        self.bad("POST", VMIS, configmap("c"), 400, "BadRequest")
        other_ns = configmap("n")
        other_ns["metadata"]["namespace"] = "kube-system"
        self.bad("POST", CONFIGMAPS, other_ns, 400, "BadRequest")
        target = self.create_target()
        renamed = self.request("GET", f"{CONFIGMAPS}/target").json()
        renamed["metadata"]["name"] = "other"
        self.bad("PUT", f"{CONFIGMAPS}/target", renamed, 400, "BadRequest")
        for name in ("s", "v", "c", "n", "other"):
            self.assert_absent(name)
        self.assert_absent("s", "/api/v1/namespaces/default/secrets")
        self.assert_unchanged(target)

    def test_invalid_names_in_the_body_are_422(self):
        for name in ("UPPER", "a/b", "..", "../../etc", "-leading", "a" * 254, "with space"):
            with self.subTest(name=name):
                status = self.bad("POST", CONFIGMAPS, configmap(name), 422, "Invalid")
                self.assertEqual(status["details"]["kind"], "ConfigMap")
                self.assertIn("metadata.name", [c.get("field") for c in status["details"]["causes"]])
        listed = self.request("GET", CONFIGMAPS).json()
        self.assertEqual(listed["items"], [])

    def test_path_traversal_in_names_never_reaches_a_file(self):
        target = self.create_target()
        paths = [
            f"{CONFIGMAPS}/..%2F..%2Fetc",
            f"{CONFIGMAPS}/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
            f"{CONFIGMAPS}/%2E%2E",
            f"{CONFIGMAPS}/..",
            f"{CONFIGMAPS}/.",
            f"{CONFIGMAPS}/a%2Fb",
            f"{CONFIGMAPS}/target%2F..%2Ftarget",
            "/api/v1/namespaces/..%2F..%2Fetc/configmaps/passwd",
            "/api/v1/namespaces/default/configmaps/..%2Fsecrets/x",
            "/api/v1/..%2F..%2F..%2Fetc%2Fpasswd",
            "/api/%2E%2E/%2E%2E/etc/passwd",
            "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/..%2F..%2Fstore.db",
        ]
        for path in paths:
            for method, body in (("GET", None), ("PUT", configmap("x")), ("DELETE", None),
                                 ("POST", configmap("x"))):
                with self.subTest(method=method, path=path):
                    r = self.request(method, path, body)
                    self.assertIn(r.status, (400, 404, 405), r)
                    self.assert_status(r, r.status, {400: "BadRequest", 404: "NotFound",
                                                     405: "MethodNotAllowed"}[r.status])
                    self.assertNotIn(b"root:", r.body)
                    self.assertNotIn(b"SQLite", r.body)
        self.assert_serving()
        # Nothing was created, changed or deleted along the way.
        names = [i["metadata"]["name"] for i in self.request("GET", CONFIGMAPS).json()["items"]]
        self.assertEqual(names, ["target"])
        self.assert_unchanged(target)

    # --- routing --------------------------------------------------------------------------

    def test_unknown_resources_and_kinds_are_404(self):
        for method, path in (("GET", "/api/v1/namespaces/default/widgets"),
                             ("POST", "/api/v1/namespaces/default/widgets"),
                             ("GET", "/apis/nope.example.com/v1/things"),
                             ("GET", "/apis/kubevirt.io/v9/virtualmachineinstances"),
                             ("GET", "/api/v2/pods"),
                             ("GET", f"{CONFIGMAPS}/x/nosuchsubresource"),
                             ("GET", "/api/v1/namespaces/default/namespaces"),  # cluster-scoped kind
                             ("GET", "/api/v1/namespaces/default/configmaps/a/b/c/d"),
                             ("GET", "/no/such/path")):
            with self.subTest(method=method, path=path):
                body = configmap("x") if method == "POST" else None
                self.bad(method, path, body, 404, "NotFound")

    def test_unsupported_methods_are_405(self):
        target = self.create_target()
        self.bad("PUT", CONFIGMAPS, configmap("x"), 405, "MethodNotAllowed")
        self.bad("PATCH", CONFIGMAPS, {}, 405, "MethodNotAllowed", "application/merge-patch+json")
        self.bad("POST", f"{CONFIGMAPS}/target", configmap("target"), 405, "MethodNotAllowed")
        self.bad("OPTIONS", CONFIGMAPS, None, 405, "MethodNotAllowed")
        self.bad("OPTIONS", f"{CONFIGMAPS}/target", None, 405, "MethodNotAllowed")
        self.bad("DELETE", "/api/v1", None, 405, "MethodNotAllowed")
        self.bad("POST", "/readyz", b"{}", 405, "MethodNotAllowed")
        # A method HTTP does not know: cpp-httplib refuses the request line itself.
        self.bad("BREW", CONFIGMAPS, None, 400, "BadRequest")
        self.assert_unchanged(target)

    # --- content types --------------------------------------------------------------------

    def test_wrong_content_types_are_415(self):
        body = json.dumps(configmap("typed")).encode()
        for content_type in ("text/plain", "application/xml", "application/x-www-form-urlencoded",
                             "application/vnd.kubernetes.protobuf"):
            with self.subTest(content_type=content_type):
                self.bad("POST", CONFIGMAPS, body, 415, "UnsupportedMediaType", content_type)
        self.assert_absent("typed")
        target = self.create_target()
        self.bad("PUT", f"{CONFIGMAPS}/target", self.request("GET", f"{CONFIGMAPS}/target").body, 415,
                 "UnsupportedMediaType", "text/plain")
        # PATCH needs one of the patch types: plain JSON, text, none or a made-up one is 415.
        for content_type in ("text/plain", "application/json", "application/unknown-patch+json", None):
            with self.subTest(patch=content_type):
                status = self.bad("PATCH", f"{CONFIGMAPS}/target", b'{"data":{"k":"v"}}', 415,
                                  "UnsupportedMediaType", content_type)
                self.assertIn("application/merge-patch+json", status["message"])
        self.assert_unchanged(target)

    # --- query parameters -----------------------------------------------------------------

    def test_invalid_selectors_are_400(self):
        for selector in ("a in (", "a=b=c", "!", "a notin b", "=x", "a,,b", "x in (a b)"):
            with self.subTest(labelSelector=selector):
                q = urllib.parse.quote(selector, safe="")
                self.bad("GET", f"{CONFIGMAPS}?labelSelector={q}", None, 400, "BadRequest")
                self.bad("GET", f"{CONFIGMAPS}?watch=true&labelSelector={q}", None, 400, "BadRequest")
                self.bad("DELETE", f"{CONFIGMAPS}?labelSelector={q}", None, 400, "BadRequest")
        for selector in ("nosuchfield=x", "metadata.name", "metadata.name~x"):
            with self.subTest(fieldSelector=selector):
                q = urllib.parse.quote(selector, safe="")
                self.bad("GET", f"{CONFIGMAPS}?fieldSelector={q}", None, 400, "BadRequest")

    def test_non_numeric_resource_version_on_watch_is_400(self):
        for rv in ("abc", "-1", "1.5", "0x10", "1e3", "%20", "99999999999999999999999"):
            with self.subTest(resourceVersion=rv):
                self.bad("GET", f"{CONFIGMAPS}?watch=true&resourceVersion={rv}", None, 400, "BadRequest")
        self.bad("GET", f"{CONFIGMAPS}?watch=maybe", None, 400, "BadRequest")
        self.bad("GET", f"{CONFIGMAPS}?watch=true&timeoutSeconds=soon", None, 400, "BadRequest")

    # --- authentication and authorization -------------------------------------------------

    def test_missing_or_invalid_credentials_are_401(self):
        cases = {
            "no Authorization": {"token": ""},
            "unknown token": {"token": "not-a-token"},
            "admin token with a typo": {"token": self.token[:-1] + ("A" if self.token[-1] != "A" else "B")},
            "empty bearer": {"token": "", "headers": {"Authorization": "Bearer "}},
            "basic auth": {"token": "", "headers": {"Authorization": "Basic YWRtaW46YWRtaW4="}},
            "garbage header": {"token": "", "headers": {"Authorization": "\x7f\x01nonsense"}},
        }
        for what, kw in cases.items():
            with self.subTest(what):
                self.bad("GET", CONFIGMAPS, None, 401, "Unauthorized", **kw)
                self.bad("POST", CONFIGMAPS, configmap("anon"), 401, "Unauthorized", **kw)
                # Even where the resource does not exist: nothing is revealed before login.
                self.bad("GET", "/api/v1/namespaces/default/widgets", None, 401, "Unauthorized", **kw)
        self.assert_absent("anon")

    def test_viewer_cannot_write(self):
        viewer = self.token_of("podvisor-viewer")
        r = self.request("GET", CONFIGMAPS, token=viewer)
        self.assertEqual(r.status, 200, r)
        target = self.create_target()
        for method, path, body, ctype in (
                ("POST", CONFIGMAPS, configmap("by-viewer"), "application/json"),
                ("PUT", f"{CONFIGMAPS}/target", configmap("target"), "application/json"),
                ("PATCH", f"{CONFIGMAPS}/target", {"data": {"k": "v"}}, "application/merge-patch+json"),
                ("DELETE", f"{CONFIGMAPS}/target", None, "application/json"),
                ("DELETE", CONFIGMAPS, None, "application/json")):
            with self.subTest(method=method, path=path):
                status = self.bad(method, path, body, 403, "Forbidden", ctype, token=viewer)
                self.assertIn("podvisor-viewer", status["message"])
        self.assert_absent("by-viewer")
        self.assert_unchanged(target)

    # --- broken connections ---------------------------------------------------------------

    def test_truncated_requests(self):
        body = json.dumps(configmap("truncated", k="v")).encode()
        head = (f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n").encode()

        # The client promises more body than it sends, then goes away. The part it sent is
        # a complete object: it must not be created from it.
        conn = self.raw_connection()
        conn.sendall(head + f"Content-Length: {len(body) + 100}\r\n\r\n".encode() + body)
        conn.close()
        # Mid-headers.
        conn = self.raw_connection()
        conn.sendall(head[:len(head) // 2])
        conn.close()
        # Mid-chunk of a chunked body.
        conn = self.raw_connection()
        conn.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % (len(body) + 50) + body)
        conn.close()
        # A TLS ClientHello cut short.
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        sock.close()
        # Plain HTTP on the TLS port: the handshake fails, nothing is served.
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        sock.sendall(head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        try:
            reply = sock.recv(4096)  # a TLS alert or EOF, whichever the server sends
        except ConnectionResetError:
            reply = b""
        sock.close()
        self.assertNotIn(b"HTTP/1.1 201", reply)

        self.assert_serving()
        self.assert_absent("truncated")
        # A complete request on a fresh connection still works.
        conn = self.raw_connection()
        conn.sendall(head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        reply = b""
        try:
            while chunk := conn.recv(65536):
                reply += chunk
        except ssl.SSLEOFError:  # closed without close_notify: the reply is complete
            pass
        conn.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 201"), reply[:200])
        self.assertEqual(self.request("GET", f"{CONFIGMAPS}/truncated").json()["data"], {"k": "v"})

    def test_garbage_request_line_gets_a_status(self):
        # Not HTTP at all over TLS: cpp-httplib rejects it before the API layer sees it, and
        # the answer is still a Status.
        conn = self.raw_connection()
        conn.sendall(b"\x00\x01\x02 GARBAGE \xff\xfe\r\n\r\n")
        reply = b""
        try:
            while b"\r\n\r\n" not in reply:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
            head, _, rest = reply.partition(b"\r\n\r\n")
            length = int(next(l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")))
            while len(rest) < length:
                rest += conn.recv(65536)
        finally:
            conn.close()
        self.assertTrue(head.startswith(b"HTTP/1.1 400"), reply[:200])
        status = json.loads(rest[:length])
        self.assertEqual((status["kind"], status["status"], status["code"], status["reason"]),
                         ("Status", "Failure", 400, "BadRequest"))
        self.assert_serving()


if __name__ == "__main__":
    unittest.main()
