"""User events and the gossip keyring on real agents (127.0.0.3x only): /v1/event/fire and
/v1/event/list (payloads, name filter, blocking on the event index, node and service filters applied
on delivery, stock-serf events without Consul's prefix ignored), `consul event`; /v1/operator/keyring
and `consul keyring` over three servers started with -encrypt (plus a stock serf agent in the pool):
install, use, remove, errors, an agent with another key kept out, and the keyring file kept in the
data dir across a restart."""
import base64
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import unittest

from agentlib import Agent, BIN, free_port, free_ports, index_of, wait_for

CFG = {"performance": {"raft_multiplier": 1}}




def uuid_index(uuid):
    low = int(uuid[0:8] + uuid[9:13] + uuid[14:18], 16)
    high = int(uuid[19:23] + uuid[24:36], 16)
    return low ^ high


def lan_port(a):
    with open(a.cfgfile) as f:
        return json.load(f)["ports"]["serf_lan"]


def keygen():
    return subprocess.run([BIN, "keygen"], capture_output=True, text=True).stdout.strip()


class EventsTest(unittest.TestCase):
    def setUp(self):
        self.a = Agent("-node", "ev-node", host="127.0.0.31").start()
        self.addCleanup(self.a.stop)

    def names(self, path="/v1/event/list"):
        _, _, events = self.a.json("GET", path)
        return [e["Name"] for e in events]

    def test_fire_and_list(self):
        a = self.a
        st, _, ev = a.json("PUT", "/v1/event/fire/deploy", b"v1.2")
        self.assertEqual(st, 200)
        self.assertEqual(list(ev), ["ID", "Name", "Payload", "NodeFilter", "ServiceFilter",
                                    "TagFilter", "Version", "LTime"])
        self.assertEqual((ev["Name"], ev["Payload"], ev["Version"], ev["LTime"]),
                         ("deploy", base64.b64encode(b"v1.2").decode(), 1, 0))
        st, _, empty = a.json("PUT", "/v1/event/fire/ping")
        self.assertIsNone(empty["Payload"])
        st, h, events = a.json("GET", "/v1/event/list")
        self.assertEqual([e["ID"] for e in events], [ev["ID"], empty["ID"]])
        self.assertGreater(events[0]["LTime"], 0)
        self.assertEqual(index_of(h), uuid_index(empty["ID"]))
        st, h, events = a.json("GET", "/v1/event/list?name=deploy")
        self.assertEqual([e["ID"] for e in events], [ev["ID"]])
        self.assertEqual(index_of(h), uuid_index(ev["ID"]))
        st, h, events = a.json("GET", "/v1/event/list?name=nope")
        self.assertEqual((events, index_of(h)), ([], 1))

    def test_errors(self):
        a = self.a
        self.assertEqual(a.req("PUT", "/v1/event/fire/")[::2], (400, b"Missing name"))
        self.assertEqual(a.req("PUT", "/v1/event/fire/x?tag=a")[::2],
                         (500, b"Cannot provide tag filter without service filter"))
        self.assertEqual(a.req("PUT", "/v1/event/fire/x?node=(")[::2],
                         (500, b"Invalid node filter: error parsing regexp: missing closing ): `(`"))
        self.assertEqual(a.req("GET", "/v1/event/fire/x")[0], 405)
        self.assertEqual(a.req("POST", "/v1/event/list")[0], 405)
        self.assertEqual(a.req("GET", "/v1/event/list?index=abc")[::2], (400, b"Invalid index"))

    def test_blocking_list_wakes_on_new_event(self):
        a = self.a
        a.json("PUT", "/v1/event/fire/first")
        _, h, _ = a.json("GET", "/v1/event/list")
        idx = index_of(h)
        t0 = time.time()
        _, h2, _ = a.json("GET", f"/v1/event/list?index={idx}&wait=400ms")
        self.assertGreaterEqual(time.time() - t0, 0.35)
        self.assertEqual(index_of(h2), idx)
        out = {}

        def block():
            out["r"] = a.json("GET", f"/v1/event/list?index={idx}&wait=10s")
            out["t"] = time.time()
        th = threading.Thread(target=block)
        th.start()
        time.sleep(0.3)
        fired = time.time()
        _, _, ev = a.json("PUT", "/v1/event/fire/second")
        th.join(15)
        _, h3, events = out["r"]
        self.assertLess(out["t"] - fired, 2)
        self.assertEqual(index_of(h3), uuid_index(ev["ID"]))
        self.assertEqual(events[-1]["Name"], "second")

    def test_filters_apply_on_delivery(self):
        a = self.a
        st, _, _ = a.req("PUT", "/v1/agent/service/register",
                         json.dumps({"Name": "web", "Tags": ["v1", "blue"]}).encode())
        self.assertEqual(st, 200)
        for q in ("node=ev-n.de", "node=^other$", "service=web", "service=db",
                  "service=web&tag=^blue$", "service=web&tag=green"):
            st, _, _ = a.req("PUT", f"/v1/event/fire/f?{q}")
            self.assertEqual(st, 200, q)
        time.sleep(0.3)
        _, _, events = a.json("GET", "/v1/event/list?name=f")
        got = [(e["NodeFilter"], e["ServiceFilter"], e["TagFilter"]) for e in events]
        self.assertEqual(got, [("ev-n.de", "", ""), ("", "web", ""), ("", "web", "^blue$")])

    def test_cli(self):
        a = self.a
        r = a.cli("event", "-name", "cli-ev", "hello")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^Event ID: [0-9a-f-]{36}\n$")
        eid = r.stdout.split()[-1]
        _, _, events = a.json("GET", "/v1/event/list?name=cli-ev")
        self.assertEqual([(e["ID"], e["Payload"]) for e in events],
                         [(eid, base64.b64encode(b"hello").decode())])
        r = a.cli("event")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("Event name must be specified\n\nUsage: consul event"))
        r = a.cli("event", "-name", "x", "-tag", "a")
        self.assertEqual((r.returncode, r.stderr),
                         (1, "Cannot provide tag filter without service filter.\n"))
        r = a.cli("event", "-name", "x", "-node", "(")
        self.assertEqual(r.stderr, "Failed to compile node filter regexp: error parsing regexp: "
                                   "missing closing ): `(`\n")
        r = a.cli("event", "-name", "x", "a", "b")
        self.assertTrue(r.stderr.startswith("Too many command line arguments.\n"))

    @unittest.skipUnless(shutil.which("serf"), "stock serf not installed")
    def test_stock_serf_events_without_prefix_are_not_consul_events(self):
        a = self.a
        bind, rpc = free_ports("127.0.0.32", 2)
        serf = subprocess.Popen(["serf", "agent", "-node", "stock", "-bind", f"127.0.0.32:{bind}",
                                 "-rpc-addr", f"127.0.0.32:{rpc}", "-join",
                                 f"127.0.0.31:{lan_port(a)}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (serf.kill(), serf.wait()))

        def joined():
            _, _, ms = a.json("GET", "/v1/agent/members")
            return any(m["Name"] == "stock" and m["Status"] == 1 for m in ms)
        self.assertTrue(wait_for(joined))
        rpc_addr = f"-rpc-addr=127.0.0.32:{rpc}"
        for args in (["plain", "x"], ["consul:event:raw", "not-msgpack"]):
            r = subprocess.run(["serf", "event", rpc_addr] + args, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        a.json("PUT", "/v1/event/fire/ours")
        self.assertTrue(wait_for(lambda: "ours" in self.names()))
        time.sleep(0.5)
        self.assertEqual(self.names(), ["ours"])


class KeyringTest(unittest.TestCase):
    def setUp(self):
        self.key1 = keygen()
        self.servers = []
        for i in (1, 2, 3):
            a = Agent("-bootstrap-expect", "3", "-node", f"k{i}", "-encrypt", self.key1, dev=False,
                      host=f"127.0.0.3{i + 3}", config=CFG)
            self.servers.append(a)
        s1 = self.servers[0]
        s1.start(wait=False)
        for a in self.servers[1:]:
            a.args += ["-retry-join", f"{s1.host}:{lan_port(s1)}"]
            a.start(wait=False)
        self.addCleanup(lambda: [a.stop(signal.SIGKILL) for a in self.servers])
        for a in self.servers:
            a.wait_ready()
        self.assertTrue(wait_for(lambda: self.lan_alive(s1) == 3))

    @staticmethod
    def lan_alive(a):
        _, _, ms = a.json("GET", "/v1/agent/members")
        return sum(1 for m in ms if m["Status"] == 1)

    def lan(self, a):
        st, _, body = a.json("GET", "/v1/operator/keyring")
        self.assertEqual(st, 200, body)
        self.assertEqual([r["WAN"] for r in body], [True, False])
        return body[1]

    def test_events_cross_agents_with_node_filter(self):
        s1, s2, s3 = self.servers
        s1.json("PUT", "/v1/event/fire/all", b"p")
        s1.json("PUT", "/v1/event/fire/only-k2?node=^k2$")

        def names(a):
            _, _, events = a.json("GET", "/v1/event/list")
            return [e["Name"] for e in events]
        self.assertTrue(wait_for(lambda: all("all" in names(a) for a in self.servers)))
        self.assertTrue(wait_for(lambda: "only-k2" in names(s2)))
        time.sleep(0.5)
        self.assertNotIn("only-k2", names(s1))
        self.assertNotIn("only-k2", names(s3))

    def test_rotation_over_three_agents_and_stock_serf(self):
        s1, s2, s3 = self.servers
        expected = 3
        serf = None
        if shutil.which("serf"):
            bind, rpc = free_ports("127.0.0.37", 2)
            serf = subprocess.Popen(
                ["serf", "agent", "-node", "stock", "-encrypt", self.key1,
                 "-bind", f"127.0.0.37:{bind}", "-rpc-addr", f"127.0.0.37:{rpc}",
                 "-join", f"{s1.host}:{lan_port(s1)}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.addCleanup(lambda: (serf.kill(), serf.wait()))
            expected = 4
            self.assertTrue(wait_for(lambda: all(self.lan_alive(a) == 4 for a in self.servers)))
        lan = self.lan(s2)
        self.assertEqual((lan["Keys"], lan["PrimaryKeys"], lan["NumNodes"]),
                         ({self.key1: expected}, {self.key1: expected}, expected))
        r = s1.cli("keyring", "-list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"dc1 (LAN):\n  {self.key1} [{expected}/{expected}]\n", r.stdout)
        self.assertTrue(r.stdout.startswith("==> Gathering installed encryption keys...\n\nWAN:\n"))

        key2 = keygen()
        r = s1.cli("keyring", "-install", key2)
        self.assertEqual((r.returncode, r.stdout), (0, "==> Installing new gossip encryption key...\n"),
                         r.stderr)
        self.assertEqual(self.lan(s3)["Keys"], {self.key1: expected, key2: expected})
        # Writes go through s1: our servers do not WAN-join each other yet (Consul floods its
        # servers into the WAN pool), so each other server's WAN keyring is its own.
        st, _, body = s1.req("PUT", "/v1/operator/keyring", json.dumps({"Key": key2}).encode())
        self.assertEqual((st, body), (200, b""))
        self.assertEqual(self.lan(s1)["PrimaryKeys"], {key2: expected})
        # The old key cannot go while it is someone's primary; now it is nobody's.
        r = s1.cli("keyring", "-remove", self.key1)
        self.assertEqual(r.returncode, 0, r.stderr)
        lan = self.lan(s1)
        self.assertEqual((lan["Keys"], lan["PrimaryKeys"]), ({key2: expected}, {key2: expected}))
        # Removing the primary fails on every member, reported per member.
        r = s1.cli("keyring", "-remove", key2)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"dc1 (LAN) error: {expected}/{expected} nodes reported failure", r.stderr)
        self.assertIn("\t* k2: Removing the primary key is not allowed\n", r.stderr)
        if serf:
            self.assertIn("\t* stock: Removing the primary key is not allowed\n", r.stderr)
        # The cluster still gossips on the new key.
        s3.json("PUT", "/v1/event/fire/after-rotation")
        self.assertTrue(wait_for(lambda: any(e["Name"] == "after-rotation"
                                             for e in s1.json("GET", "/v1/event/list")[2])))

        # An agent holding only the old key cannot join any more.
        stray = Agent("-node", "stray", "-encrypt", self.key1, dev=False, host="127.0.0.38")
        stray.args = [x for x in stray.args if x not in ("-server", "-bootstrap-expect", "1")]
        stray.args += ["-join", f"{s1.host}:{lan_port(s1)}"]
        stray.start(wait=False)
        self.addCleanup(stray.stop, signal.SIGKILL)
        time.sleep(3)
        _, _, ms = s1.json("GET", "/v1/agent/members")
        self.assertNotIn("stray", [m["Name"] for m in ms])

    def test_keyring_file_survives_restart(self):
        # Consul keeps each pool's keyring in <data_dir>/serf/{local,remote}.keyring (a JSON list
        # of base64 keys, primary first), rewrites it after every change, and on start the file
        # wins over -encrypt.
        s1, s2, s3 = self.servers

        def keyring_file(a, name):
            with open(os.path.join(a.data_dir, "serf", name)) as f:
                return json.load(f)
        self.assertEqual(keyring_file(s2, "local.keyring"), [self.key1])
        self.assertEqual(keyring_file(s2, "remote.keyring"), [self.key1])
        key2 = keygen()
        for action in (["-install", key2], ["-use", key2], ["-remove", self.key1]):
            r = s1.cli("keyring", *action)
            self.assertEqual(r.returncode, 0, r.stderr)
        for a in self.servers:
            self.assertEqual(keyring_file(a, "local.keyring"), [key2], a.host)
        self.assertEqual(keyring_file(s1, "remote.keyring"), [key2])
        mode = os.stat(os.path.join(s2.data_dir, "serf", "local.keyring")).st_mode & 0o777
        self.assertEqual(mode, 0o600)

        # s2 restarts with the old key on its command line: the keyring file wins, so it still
        # gossips on the new key (the old one is gone from the cluster) and rejoins.
        s2.stop()
        log_before = len(s2.read_log())
        s2.start(wait=False)
        s2.wait_ready()
        self.assertIn("WARNING: LAN keyring exists but -encrypt given, using keyring",
                      s2.read_log()[log_before:])
        st, _, body = s2.json("GET", "/v1/operator/keyring?local-only=true")
        self.assertEqual(st, 200, body)
        self.assertEqual((list(body[0]["Keys"]), list(body[0]["PrimaryKeys"])), ([key2], [key2]))
        self.assertTrue(wait_for(lambda: self.lan_alive(s2) == 3 and self.lan_alive(s1) == 3, 30),
                        s2.read_log()[log_before:][-3000:])
        s3.json("PUT", "/v1/event/fire/after-restart")
        self.assertTrue(wait_for(lambda: any(e["Name"] == "after-restart"
                                             for e in s2.json("GET", "/v1/event/list")[2])))

    def test_errors(self):
        s1 = self.servers[0]
        self.assertEqual(s1.req("POST", "/v1/operator/keyring", b"notjson")[::2],
                         (400, b"Bad request: Request decode failed: invalid character 'o' in "
                               b"literal null (expecting 'u')"))
        self.assertEqual(s1.req("POST", "/v1/operator/keyring")[::2],
                         (400, b"Bad request: Request decode failed: EOF"))
        self.assertEqual(s1.req("GET", "/v1/operator/keyring?relay-factor=7")[::2],
                         (400, b"Bad request: Invalid relay-factor: Relay factor must be in range: "
                               b"[0, 5]"))
        self.assertEqual(s1.req("PATCH", "/v1/operator/keyring")[0], 405)
        st, _, body = s1.req("POST", "/v1/operator/keyring", json.dumps({"Key": "bad"}).encode())
        self.assertEqual((st, body), (500, b"2 errors occurred:\n\t* WAN error: illegal base64 data "
                                           b"at input byte 0\n\t* dc1 (LAN) error: illegal base64 "
                                           b"data at input byte 0\n\n"))
        r = s1.cli("keyring")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("Usage: consul keyring [options]"))
        r = s1.cli("keyring", "-list", "-install", "x")
        self.assertEqual(r.stderr, "Only a single action is allowed\n")
        r = s1.cli("keyring", "-install", "x", "-local-only")
        self.assertEqual(r.stderr,
                         "Error validating local-only: local-only can only be set for list requests\n")
        r = s1.cli("keyring", "-list", "-relay-factor", "9")
        self.assertEqual(r.stderr, "Error parsing relay factor: Relay factor must be in range: [0, 5]\n")
        st, _, body = s1.json("GET", "/v1/operator/keyring?local-only=true")
        self.assertEqual([r["WAN"] for r in body], [False])


if __name__ == "__main__":
    unittest.main()
