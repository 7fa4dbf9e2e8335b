"""/v1/txn against a real dev agent: atomicity, results and errors, limits, the read-only path."""
import base64
import json
import unittest

from agentlib import Agent


def b64(s):
    return base64.b64encode(s).decode()


def kv(verb, key, value=None, index=None):
    op = {"Verb": verb, "Key": key}
    if value is not None:
        op["Value"] = b64(value)
    if index is not None:
        op["Index"] = index
    return {"KV": op}


class TxnTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = Agent().start()

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()

    def txn(self, ops, raw=None):
        st, h, body = self.a.req("PUT", "/v1/txn", raw if raw is not None else json.dumps(ops).encode())
        try:
            return st, h, json.loads(body)
        except ValueError:
            return st, h, body

    def test_sets_return_entries_without_values(self):
        st, _, out = self.txn([kv("set", "t/a", b"1"), kv("set", "t/b", b"2")])
        self.assertEqual(st, 200)
        self.assertIsNone(out["Errors"])
        self.assertEqual([r["KV"]["Key"] for r in out["Results"]], ["t/a", "t/b"])
        self.assertIsNone(out["Results"][0]["KV"]["Value"])
        self.assertEqual(self.a.req("GET", "/v1/kv/t/b?raw")[2], b"2")

    def test_failure_applies_nothing_and_lists_every_error(self):
        self.txn([kv("set", "f/a", b"1")])
        st, _, out = self.txn([kv("set", "f/c", b"3"), kv("cas", "f/a", b"9", index=1), kv("get", "f/zz"),
                               kv("delete", "f/a")])
        self.assertEqual(st, 409)
        self.assertIsNone(out["Results"])
        self.assertEqual([e["OpIndex"] for e in out["Errors"]], [1, 2])
        self.assertEqual(out["Errors"][0]["What"], 'failed to set key "f/a", index is stale')
        self.assertEqual(out["Errors"][1]["What"], 'key "f/zz" doesn\'t exist')
        self.assertEqual(self.a.req("GET", "/v1/kv/f/c")[0], 404)
        self.assertEqual(self.a.req("GET", "/v1/kv/f/a?raw")[2], b"1")

    def test_read_only_txn_shape(self):
        self.txn([kv("set", "r/a", b"x")])
        st, h, out = self.txn([kv("get", "r/a"), kv("get-tree", "r/")])
        self.assertEqual(st, 200)
        self.assertEqual(list(out), ["Results", "Errors", "Index", "LastContact", "KnownLeader", "ConsistencyLevel"])
        self.assertEqual(out["Results"][0]["KV"]["Value"], b64(b"x"))
        self.assertEqual(h["X-Consul-Knownleader"], "true")

    def test_check_index_and_delete_cas(self):
        self.txn([kv("set", "c/a", b"1")])
        e = json.loads(self.a.req("GET", "/v1/kv/c/a")[2])[0]
        st, _, out = self.txn([kv("check-index", "c/a", index=e["ModifyIndex"] + 1)])
        self.assertEqual(st, 409)
        self.assertIn("current modify index", out["Errors"][0]["What"])
        st, _, _ = self.txn([kv("check-index", "c/a", index=e["ModifyIndex"]),
                             kv("delete-cas", "c/a", index=e["ModifyIndex"])])
        self.assertEqual(st, 200)
        self.assertEqual(self.a.req("GET", "/v1/kv/c/a")[0], 404)

    def test_limits_and_bad_input(self):
        st, _, body = self.txn([kv("set", f"l/{i}", b"v") for i in range(65)])
        self.assertEqual(st, 413)
        self.assertEqual(body, b"Transaction contains too many operations (65 > 64)")
        self.assertEqual(self.txn([kv("set", f"l/{i}", b"v") for i in range(64)])[0], 200)
        st, _, body = self.txn(None, raw=b"garbage")
        self.assertEqual(st, 400)
        self.assertTrue(body.startswith(b"Failed to parse body"))
        st, _, out = self.txn([kv("frobnicate", "l/x")])
        self.assertEqual(st, 409)
        self.assertEqual(out["Errors"][0]["What"], 'unknown KV verb "frobnicate"')
        st, _, _ = self.txn([kv("set", "l/big", b"x" * (513 * 1024))])
        self.assertEqual(st, 413)
        self.assertEqual(self.a.req("GET", "/v1/txn")[0], 405)

    def test_lowercase_field_names(self):
        st, _, _ = self.a.req("PUT", "/v1/txn", json.dumps(
            [{"kv": {"verb": "set", "key": "lc/a", "value": b64(b"z")}}]).encode())
        self.assertEqual(st, 200)
        self.assertEqual(self.a.req("GET", "/v1/kv/lc/a?raw")[2], b"z")


if __name__ == "__main__":
    unittest.main()
