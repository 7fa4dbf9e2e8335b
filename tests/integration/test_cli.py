"""The CLI against a real agent: Consul's messages, output formats and exit codes."""
import base64
import json
import os
import subprocess
import unittest

from agentlib import Agent, BIN


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = Agent().start()

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()

    def test_kv_put_get_delete_messages(self):
        r = self.a.cli("kv", "put", "ts/test/sex", "boy")
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "Success! Data written to: ts/test/sex"))
        r = self.a.cli("kv", "get", "ts/test/sex")
        self.assertEqual((r.returncode, r.stdout), (0, "boy\n"))
        r = self.a.cli("kv", "get", "ts/test/none")
        self.assertEqual(r.returncode, 1)
        self.assertIn("Error! No key exists at: ts/test/none", r.stdout + r.stderr)
        r = self.a.cli("kv", "delete", "ts/test/sex")
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "Success! Deleted key: ts/test/sex"))
        self.a.cli("kv", "put", "tree/a", "1")
        r = self.a.cli("kv", "delete", "-recurse", "tree")
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "Success! Deleted keys with prefix: tree"))

    def test_kv_cas_flags_detailed(self):
        self.a.cli("kv", "put", "-flags=42", "d/k", "v1")
        r = self.a.cli("kv", "get", "-detailed", "d/k")
        self.assertEqual(r.returncode, 0)
        fields = dict(line.split(None, 1) for line in r.stdout.strip().splitlines())
        self.assertEqual(fields["Flags"], "42")
        self.assertEqual(fields["Value"], "v1")
        self.assertEqual(fields["Session"], "-")
        r = self.a.cli("kv", "put", "-cas", "-modify-index=1", "d/k", "v2")
        self.assertEqual(r.returncode, 1)
        self.assertIn("Error! Did not write to d/k: CAS failed", r.stdout + r.stderr)
        r = self.a.cli("kv", "put", "-cas", f"-modify-index={fields['ModifyIndex']}", "d/k", "v2")
        self.assertEqual(r.returncode, 0)

    def test_kv_stdin_file_base64(self):
        r = self.a.cli("kv", "put", "in/stdin", "-", input="from stdin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.a.req("GET", "/v1/kv/in/stdin?raw")[2], b"from stdin")
        path = os.path.join(self.a.tmp, "val.txt")
        with open(path, "w") as f:
            f.write("from file")
        self.assertEqual(self.a.cli("kv", "put", "in/file", "@" + path).returncode, 0)
        self.assertEqual(self.a.req("GET", "/v1/kv/in/file?raw")[2], b"from file")
        self.assertEqual(self.a.cli("kv", "put", "-base64", "in/b64", base64.b64encode(b"\x00\x01").decode()).returncode, 0)
        self.assertEqual(self.a.req("GET", "/v1/kv/in/b64?raw")[2], b"\x00\x01")

    def test_kv_keys_recurse(self):
        for k in ["r/a/1", "r/a/2", "r/b"]:
            self.a.cli("kv", "put", k, "x")
        r = self.a.cli("kv", "get", "-keys", "-separator=/", "r/")
        self.assertEqual(r.stdout.split(), ["r/a/", "r/b"])
        r = self.a.cli("kv", "get", "-recurse", "r/")
        self.assertEqual(r.stdout.split(), ["r/a/1:x", "r/a/2:x", "r/b:x"])

    def test_kv_export_import_roundtrip(self):
        self.a.cli("kv", "put", "exp/a", "1")
        self.a.cli("kv", "put", "-flags=7", "exp/b", "2")
        r = self.a.cli("kv", "export", "exp/")
        self.assertEqual(r.returncode, 0)
        data = json.loads(r.stdout)
        self.assertEqual(data, [{"key": "exp/a", "flags": 0, "value": "MQ=="},
                                {"key": "exp/b", "flags": 7, "value": "Mg=="}])
        self.a.cli("kv", "delete", "-recurse", "exp/")
        r = self.a.cli("kv", "import", "-", input=r.stdout)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Imported: exp/b", r.stdout)
        self.assertEqual(self.a.req("GET", "/v1/kv/exp/b?raw")[2], b"2")

    def test_info_version_keygen(self):
        r = self.a.cli("info")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("consul:", r.stdout)
        self.assertIn("leader = true", r.stdout)
        r = self.a.cli("version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("Consul v"))
        r = self.a.cli("keygen")
        self.assertEqual(len(base64.b64decode(r.stdout.strip())), 32)

    def test_unreachable_agent(self):
        r = self.a.cli("kv", "get", "x", env={"CONSUL_HTTP_ADDR": "127.0.0.1:1"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("connection refused", r.stdout + r.stderr)

    def test_validate(self):
        good = os.path.join(self.a.tmp, "good.json")
        with open(good, "w") as f:
            json.dump({"datacenter": "dc1", "data_dir": "/tmp/x", "server": True, "bootstrap_expect": 3}, f)
        r = subprocess.run([BIN, "validate", good], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Configuration is valid!", r.stdout)
        bad = os.path.join(self.a.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write('{"no_such_key": 1}')
        r = subprocess.run([BIN, "validate", bad], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no_such_key", r.stdout + r.stderr)

    def test_consul_symlink(self):
        link = os.path.join(os.path.dirname(BIN), "consul")
        self.assertTrue(os.path.islink(link))
        r = subprocess.run([link, "version"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)


class CliLeaveTest(unittest.TestCase):
    def test_leave(self):
        a = Agent().start()
        r = a.cli("leave")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Graceful leave complete", r.stdout)
        a.proc.wait(10)
        a.stop()


if __name__ == "__main__":
    unittest.main()
