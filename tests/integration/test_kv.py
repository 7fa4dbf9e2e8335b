"""KV HTTP API against a real dev agent: shapes, CAS, flags, listing, limits, blocking queries."""
import base64
import json
import socket
import threading
import time
import unittest

from agentlib import Agent, index_of


class KVTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = Agent().start()

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()

    def put(self, key, value=b"", query=""):
        return self.a.req("PUT", f"/v1/kv/{key}{query}", value)

    def test_put_get_shapes(self):
        st, h, body = self.put("shape/a", b"boy")
        self.assertEqual((st, body.strip()), (200, b"true"))
        self.assertEqual(h["Content-Type"], "application/json")
        st, h, body = self.a.req("GET", "/v1/kv/shape/a")
        self.assertEqual(st, 200)
        e = json.loads(body)[0]
        self.assertEqual(list(e), ["LockIndex", "Key", "Flags", "Value", "CreateIndex", "ModifyIndex"])
        self.assertEqual(e["Value"], base64.b64encode(b"boy").decode())
        self.assertEqual(index_of(h), e["ModifyIndex"])
        self.assertEqual(h["X-Consul-Knownleader"], "true")
        self.assertEqual(h["X-Consul-Lastcontact"], "0")
        st, h, body = self.a.req("GET", "/v1/kv/shape/a?raw")
        self.assertEqual((st, body), (200, b"boy"))
        self.assertGreater(index_of(h), 0)

    def test_dev_mode_pretty_prints(self):
        self.put("pretty/a", b"1")
        _, _, body = self.a.req("GET", "/v1/kv/pretty/a")
        self.assertTrue(body.startswith(b"[\n    {\n        \"LockIndex\": 0,"), body)
        self.assertTrue(body.endswith(b"]\n"))

    def test_empty_value_is_null(self):
        self.put("empty/a")
        _, _, body = self.a.req("GET", "/v1/kv/empty/a")
        self.assertIsNone(json.loads(body)[0]["Value"])

    def test_missing_key_404_keeps_index(self):
        st, h, body = self.a.req("GET", "/v1/kv/no/such/key")
        self.assertEqual(st, 404)
        self.assertEqual(body, b"")
        self.assertGreater(index_of(h), 0)
        st, h, _ = self.a.req("GET", "/v1/kv/no/such/?keys")
        self.assertEqual(st, 404)
        self.assertGreater(index_of(h), 0)

    def test_cas_and_flags(self):
        self.put("cas/k", b"1")
        self.assertEqual(self.put("cas/k", b"2", "?cas=0")[2].strip(), b"false")
        e = json.loads(self.a.req("GET", "/v1/kv/cas/k")[2])[0]
        self.assertEqual(self.put("cas/k", b"3", f"?cas={e['ModifyIndex']}")[2].strip(), b"true")
        self.assertEqual(self.put("cas/k", b"4", f"?cas={e['ModifyIndex']}")[2].strip(), b"false")
        self.assertEqual(self.put("cas/new", b"1", "?cas=0")[2].strip(), b"true")
        self.put("cas/f", b"x", "?flags=42")
        self.assertEqual(json.loads(self.a.req("GET", "/v1/kv/cas/f")[2])[0]["Flags"], 42)

    def test_bad_parameters(self):
        st, _, body = self.put("bad/k", b"1", "?flags=abc")
        self.assertEqual((st, body), (500, b'strconv.ParseUint: parsing "abc": invalid syntax'))
        st, _, body = self.a.req("GET", "/v1/kv/bad/k?index=abc")
        self.assertEqual((st, body), (400, b"Invalid index"))
        st, _, body = self.a.req("GET", "/v1/kv/bad/k?index=1&wait=abc")
        self.assertEqual((st, body), (400, b"Invalid wait time"))
        st, _, body = self.a.req("GET", "/v1/kv/bad/k?stale&consistent")
        self.assertEqual(st, 400)
        st, _, body = self.a.req("GET", "/v1/kv/")
        self.assertEqual((st, body), (400, b"Missing key name"))
        st, h, body = self.a.req("POST", "/v1/kv/bad/k", b"1")
        self.assertEqual((st, body), (405, b"method POST not allowed"))
        self.assertIn("PUT", h["Allow"])
        st, _, _ = self.a.req("GET", "/v1/no/such/endpoint")
        self.assertEqual(st, 404)

    def test_value_limit(self):
        st, _, body = self.put("big/k", b"x" * (600 * 1024))
        self.assertEqual(st, 413)
        self.assertIn(b"too large, max size: 524288 bytes", body)
        self.assertEqual(self.a.req("GET", "/v1/kv/big/k")[0], 404)
        self.assertEqual(self.put("big/ok", b"x" * (512 * 1024))[0], 200)

    def test_recurse_keys_separator(self):
        for k in ["ls/other/x", "ls/test/age", "ls/test/sex", "ls/top"]:
            self.put(k, b"v")
        st, _, body = self.a.req("GET", "/v1/kv/ls/?recurse")
        self.assertEqual([e["Key"] for e in json.loads(body)], ["ls/other/x", "ls/test/age", "ls/test/sex", "ls/top"])
        st, _, body = self.a.req("GET", "/v1/kv/ls/?keys&separator=/")
        self.assertEqual(json.loads(body), ["ls/other/", "ls/test/", "ls/top"])
        st, _, body = self.a.req("GET", "/v1/kv/ls/t?keys")
        self.assertEqual(json.loads(body), ["ls/test/age", "ls/test/sex", "ls/top"])

    def test_delete_forms(self):
        for k in ["del/a", "del/b/c", "del/b/d"]:
            self.put(k, b"v")
        _, h, _ = self.a.req("GET", "/v1/kv/del/?recurse")
        before = index_of(h)
        self.assertEqual(self.a.req("DELETE", "/v1/kv/del/a")[2].strip(), b"true")
        _, h, _ = self.a.req("GET", "/v1/kv/del/?recurse")
        self.assertGreater(index_of(h), before)
        e = json.loads(self.a.req("GET", "/v1/kv/del/b/c")[2])[0]
        self.assertEqual(self.a.req("DELETE", "/v1/kv/del/b/c?cas=1")[2].strip(), b"false")
        self.assertEqual(self.a.req("DELETE", f"/v1/kv/del/b/c?cas={e['ModifyIndex']}")[2].strip(), b"true")
        self.assertEqual(self.a.req("DELETE", "/v1/kv/del/?recurse")[2].strip(), b"true")
        self.assertEqual(self.a.req("GET", "/v1/kv/del/?recurse")[0], 404)

    def test_blocking_wakes_only_on_own_key(self):
        self.put("blk/a", b"1")
        self.put("blk/b", b"1")
        _, h, _ = self.a.req("GET", "/v1/kv/blk/a")
        idx = index_of(h)
        got = {}

        def waiter():
            t = time.time()
            st, hh, body = self.a.req("GET", f"/v1/kv/blk/a?index={idx}&wait=5s", timeout=15)
            got.update(st=st, idx=index_of(hh), dt=time.time() - t, body=body)

        th = threading.Thread(target=waiter)
        th.start()
        time.sleep(0.3)
        self.put("blk/b", b"2")  # another key: must not wake the watcher of blk/a
        time.sleep(0.5)
        self.assertNotIn("st", got)
        self.put("blk/a", b"2")
        th.join()
        self.assertEqual(got["st"], 200)
        self.assertGreater(got["idx"], idx)
        self.assertLess(got["dt"], 2.0)
        self.assertEqual(json.loads(got["body"])[0]["Value"], base64.b64encode(b"2").decode())

    def test_blocking_times_out_and_accepts_go_durations(self):
        self.put("blk/t", b"1")
        _, h, _ = self.a.req("GET", "/v1/kv/blk/t")
        idx = index_of(h)
        for wait, lo, hi in [("1s", 0.9, 2.0), ("1200ms", 1.1, 2.2), ("0.5s", 0.45, 1.5)]:
            t = time.time()
            st, hh, _ = self.a.req("GET", f"/v1/kv/blk/t?index={idx}&wait={wait}", timeout=10)
            dt = time.time() - t
            self.assertEqual(st, 200)
            self.assertEqual(index_of(hh), idx)
            self.assertTrue(lo <= dt <= hi, (wait, dt))

    def test_blocking_on_prefix_and_on_missing_key(self):
        _, h, _ = self.a.req("GET", "/v1/kv/pfx/?recurse")
        idx = index_of(h)
        got = {}
        th = threading.Thread(target=lambda: got.update(
            r=self.a.req("GET", f"/v1/kv/pfx/?recurse&index={idx}&wait=5s", timeout=15)))
        th.start()
        time.sleep(0.2)
        self.put("pfx/deep/new", b"1")
        th.join()
        self.assertEqual(got["r"][0], 200)
        self.assertGreater(index_of(got["r"][1]), idx)

    def test_client_index_ahead_resets_at_once(self):
        t = time.time()
        st, h, _ = self.a.req("GET", "/v1/kv/ahead/x?index=999999999&wait=5s")
        self.assertEqual(st, 404)
        self.assertLess(time.time() - t, 1.0)
        self.assertLess(index_of(h), 999999999)

    def test_token_accepted(self):
        self.put("tok/a", b"1")
        self.assertEqual(self.a.req("GET", "/v1/kv/tok/a?token=abc")[0], 200)
        self.assertEqual(self.a.req("GET", "/v1/kv/tok/a", headers={"X-Consul-Token": "abc"})[0], 200)

    def test_keep_alive_chunked_and_expect_continue(self):
        s = socket.create_connection((self.a.host, self.a.http))
        s.sendall(b"PUT /v1/kv/raw/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"3\r\nabc\r\n0\r\n\r\n"
                  b"PUT /v1/kv/raw/cont HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        buf = b""
        while b"100 Continue" not in buf:
            buf += s.recv(4096)
        s.sendall(b"hi")
        deadline = time.time() + 5
        while buf.count(b"true") < 2 and time.time() < deadline:
            buf += s.recv(4096)
        s.close()
        self.assertEqual(buf.count(b"HTTP/1.1 200 OK"), 2)
        self.assertEqual(self.a.req("GET", "/v1/kv/raw/chunked?raw")[2], b"abc")
        self.assertEqual(self.a.req("GET", "/v1/kv/raw/cont?raw")[2], b"hi")

    def test_malformed_request_gets_400(self):
        s = socket.create_connection((self.a.host, self.a.http))
        s.sendall(b"GARBAGE\r\n\r\n")
        data = s.recv(4096)
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data)
        self.assertEqual(self.a.req("GET", "/v1/status/leader")[0], 200)  # still serving


if __name__ == "__main__":
    unittest.main()
