"""Three real server processes on 127.0.0.1-3 form one cluster through gossip (-bootstrap-expect 3,
-retry-join), elect a leader, replicate, forward writes from followers, serve consistent and stale
reads, survive SIGKILL of the leader without losing an acknowledged write, catch up a restarted
server, list and remove Raft peers, and leave cleanly. A client agent joins the pool."""
import json
import os
import signal
import threading
import time
import unittest

from agentlib import Agent, wait_for

CFG = {"performance": {"raft_multiplier": 1}}




class ClusterTest(unittest.TestCase):
    def setUp(self):
        self.servers = []
        for i in (1, 2, 3):
            a = Agent("-bootstrap-expect", "3", "-node", f"s{i}", dev=False, host=f"127.0.0.{i}",
                      config=CFG)
            self.servers.append(a)
        s1 = self.servers[0]
        s1.start(wait=False)
        for a in self.servers[1:]:
            a.args += ["-retry-join", f"127.0.0.1:{self.lan_port(s1)}"]
            a.start(wait=False)
        for a in self.servers:
            a.wait_ready()
        self.addCleanup(self.stop_all)

    def stop_all(self):
        for a in self.servers:
            a.stop(signal.SIGKILL)

    @staticmethod
    def lan_port(a):
        with open(a.cfgfile) as f:
            return json.load(f)["ports"]["serf_lan"]

    def leader(self, agents=None, exclude=""):
        def find():
            for a in agents or self.servers:
                st, _, body = a.req("GET", "/v1/status/leader", timeout=1)
                if st == 200 and json.loads(body) and json.loads(body) != exclude:
                    return json.loads(body)
            return ""
        return wait_for(find)

    def by_addr(self, addr):
        return next(a for a in self.servers if addr.startswith(a.host + ":"))

    def test_cluster_forms_replicates_and_fails_over(self):
        ld = self.leader()
        self.assertTrue(ld)
        lead = self.by_addr(ld)
        followers = [a for a in self.servers if a is not lead]
        # Everyone agrees on the leader and the three voters.
        for a in self.servers:
            self.assertTrue(wait_for(lambda: len(a.json("GET", "/v1/status/peers")[2]) == 3), a.host)
            self.assertEqual(wait_for(lambda: a.json("GET", "/v1/status/leader")[2]), ld)
        r = followers[0].cli("operator", "raft", "list-peers")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.strip().splitlines()
        self.assertEqual(lines[0].split(), ["Node", "ID", "Address", "State", "Voter", "RaftProtocol"])
        self.assertEqual(len(lines), 4)
        self.assertEqual(sum(1 for l in lines if " leader " in l), 1)
        st, _, conf = followers[0].json("GET", "/v1/operator/raft/configuration")
        self.assertEqual(st, 200)
        self.assertEqual(sorted(s["Node"] for s in conf["Servers"]), ["s1", "s2", "s3"])
        self.assertEqual([s["Address"] for s in conf["Servers"] if s["Leader"]], [ld])
        # Gossip: all three alive servers, in the CLI's columns.
        r = followers[1].cli("members")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0].split(),
                         ["Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Segment"])
        self.assertEqual(sum(1 for l in r.stdout.splitlines() if " alive " in l and " server " in l), 3)

        # A write through a follower is forwarded; consistent reads see it everywhere.
        st, _, body = followers[0].req("PUT", "/v1/kv/cluster/a", b"1")
        self.assertEqual((st, body.strip()), (200, b"true"))
        for a in self.servers:
            st, h, body = a.req("GET", "/v1/kv/cluster/a?consistent&raw")
            self.assertEqual((st, body), (200, b"1"), a.host)
            self.assertEqual(h["X-Consul-Knownleader"], "true")
        # Stale reads are served locally with X-Consul-LastContact.
        st, h, _ = followers[1].req("GET", "/v1/kv/cluster/a?stale")
        self.assertEqual(st, 200)
        self.assertIn("X-Consul-Lastcontact", h)
        # The leader puts every server in the catalog with a passing serfHealth check.
        def nodes_ok():
            st, _, checks = lead.json("GET", "/v1/health/state/passing")
            return st == 200 and {c["Node"] for c in checks if c["CheckID"] == "serfHealth"} >= {"s1", "s2", "s3"}
        self.assertTrue(wait_for(nodes_ok))

        # SIGKILL the leader under a write load: a new leader is elected and nothing
        # acknowledged is lost.
        acked, stop = [], threading.Event()

        def writer(a, tag):
            i = 0
            while not stop.is_set():
                st, _, body = a.req("PUT", f"/v1/kv/load/{tag}/{i}", b"v", timeout=10)
                if st == 200 and body.strip() == b"true":
                    acked.append(f"load/{tag}/{i}")
                i += 1

        ths = [threading.Thread(target=writer, args=(a, a.host)) for a in followers]
        for t in ths:
            t.start()
        time.sleep(1.5)
        lead.stop(signal.SIGKILL)
        ld2 = self.leader(followers, exclude=ld)
        self.assertTrue(ld2)
        self.assertNotEqual(ld2, ld)
        time.sleep(1.5)
        stop.set()
        for t in ths:
            t.join()
        st, _, keys = followers[0].json("GET", "/v1/kv/load/?keys&consistent")
        self.assertEqual(st, 200)
        self.assertTrue(acked)
        self.assertEqual([k for k in acked if k not in set(keys)], [])

        # The killed server restarts from its data dir and catches up.
        lead.start(wait=False)
        lead.wait_ready()
        self.assertTrue(wait_for(
            lambda: lead.req("GET", f"/v1/kv/{acked[-1]}?stale")[0] == 200, timeout=20))

        # A graceful leave of a follower removes it from Raft and gossip shows it as left.
        new_lead = self.by_addr(ld2)
        leaver = next(a for a in self.servers if a is not new_lead)
        r = leaver.cli("leave")
        self.assertEqual(r.returncode, 0, r.stderr)
        leaver.proc.wait(15)
        self.assertTrue(wait_for(
            lambda: len(new_lead.json("GET", "/v1/operator/raft/configuration")[2]["Servers"]) == 2))
        def left():
            _, _, ms = new_lead.json("GET", "/v1/agent/members")
            name = leaver.args[len(leaver.args) - 1 - leaver.args[::-1].index("-node") + 1]
            return any(m["Name"] == name and m["Status"] == 3 for m in ms)
        self.assertTrue(wait_for(left), (new_lead.json("GET", "/v1/agent/members")[2], leaver.read_log()[-3000:]))
        st, _, body = new_lead.req("PUT", "/v1/kv/after-leave", b"1")
        self.assertEqual((st, body.strip()), (200, b"true"))


class PausedLeaderTest(ClusterTest):
    test_cluster_forms_replicates_and_fails_over = None

    def test_paused_leader_serves_no_stale_consistent_read(self):
        """The Jepsen case: SIGSTOP the leader, let the others elect a new one and take a write,
        SIGCONT the old one and ask it for a ?consistent read at once: it must not answer with
        the value from before the pause."""
        ld = self.leader()
        old = self.by_addr(ld)
        others = [a for a in self.servers if a is not old]
        st, _, _ = old.req("PUT", "/v1/kv/jepsen", b"before")
        self.assertEqual(st, 200)
        old.proc.send_signal(signal.SIGSTOP)
        try:
            ld2 = self.leader(others, exclude=ld)
            self.assertTrue(ld2)
            st, _, body = others[0].req("PUT", "/v1/kv/jepsen", b"after")
            self.assertEqual((st, body.strip()), (200, b"true"))
        finally:
            old.proc.send_signal(signal.SIGCONT)
        st, _, body = old.req("GET", "/v1/kv/jepsen?consistent&raw", timeout=20)
        self.assertNotEqual(body, b"before")
        self.assertIn((st, body), [(200, b"after"), (500, b"No cluster leader")])
        # And once it has caught up, it answers consistently with the new value.
        self.assertTrue(wait_for(
            lambda: old.req("GET", "/v1/kv/jepsen?consistent&raw")[2] == b"after"))


class PeersJsonTest(ClusterTest):
    test_cluster_forms_replicates_and_fails_over = None

    def test_outage_recovery_with_peers_json(self):
        """Two of three servers are lost for good: the survivor cannot elect itself. The operator
        stops it, writes raft/peers.json naming it alone (Consul's format) and starts it again: it
        leads a one-server cluster with all the data, and the file is gone."""
        ld = self.leader()
        lead = self.by_addr(ld)
        st, _, body = lead.req("PUT", "/v1/kv/precious", b"data")
        self.assertEqual((st, body.strip()), (200, b"true"))
        survivor = next(a for a in self.servers if a is not lead)
        _, _, me = survivor.json("GET", "/v1/agent/self")
        node_id = me["Config"]["NodeID"]
        with open(survivor.cfgfile) as f:
            server_port = json.load(f)["ports"]["server"]
        for a in self.servers:
            if a is not survivor:
                a.stop(signal.SIGKILL)
        # No quorum: writes fail.
        st, _, _ = survivor.req("PUT", "/v1/kv/nope", b"x", timeout=20)
        self.assertEqual(st, 500)
        survivor.stop()
        peers = os.path.join(survivor.data_dir, "raft", "peers.json")
        with open(peers, "w") as f:
            json.dump([{"id": node_id, "address": f"{survivor.host}:{server_port}",
                        "non_voter": False}], f)
        survivor.start(wait=False)
        survivor.wait_ready()
        self.assertTrue(wait_for(lambda: survivor.req("PUT", "/v1/kv/after", b"1")[2].strip()
                                 == b"true", timeout=30))
        self.assertEqual(survivor.req("GET", "/v1/kv/precious?raw")[2], b"data")
        self.assertFalse(os.path.exists(peers))
        self.assertIn("deleted peers.json file after successful recovery", survivor.read_log())


class ClientAgentTest(unittest.TestCase):
    def test_client_joins_the_pool_and_leaves_on_sigterm(self):
        s = Agent("-node", "srv", dev=False).start()
        self.addCleanup(s.stop)
        with open(s.cfgfile) as f:
            lan = json.load(f)["ports"]["serf_lan"]
        c = Agent("-node", "cli", dev=False, host="127.0.0.2")
        c.args = [x for x in c.args if x not in ("-server", "-bootstrap-expect", "1")]
        c.args += ["-retry-join", f"127.0.0.1:{lan}"]
        c.start(wait=False)
        self.addCleanup(c.stop, signal.SIGKILL)

        def status(name):
            _, _, ms = s.json("GET", "/v1/agent/members")
            return {m["Name"]: m["Status"] for m in ms}.get(name)
        self.assertEqual(wait_for(lambda: status("cli") == 1), True)
        r = s.cli("members", "-detailed")
        self.assertIn("role=node", r.stdout)
        # The client forwards KV, catalog and health requests to the server, blocking ones too.
        st, _, body = c.req("PUT", "/v1/kv/via-client", b"x")
        self.assertEqual((st, body.strip()), (200, b"true"))
        st, h, body = s.req("GET", "/v1/kv/via-client?raw")
        self.assertEqual((st, body), (200, b"x"))
        st, h, _ = c.req("GET", "/v1/kv/via-client")
        idx = int(h["X-Consul-Index"])
        result = {}

        def block():
            result["r"] = c.req("GET", f"/v1/kv/via-client?index={idx}&wait=20s&raw", timeout=30)
        t = threading.Thread(target=block)
        t.start()
        time.sleep(0.5)
        s.req("PUT", "/v1/kv/via-client", b"y")
        t.join()
        self.assertEqual((result["r"][0], result["r"][2]), (200, b"y"))
        self.assertEqual(c.req("GET", "/v1/kv/missing")[0], 404)
        # Services registered on the client reach the catalog through its anti-entropy.
        st, _, _ = c.req("PUT", "/v1/agent/service/register",
                         json.dumps({"Name": "web", "Port": 8080}).encode())
        self.assertEqual(st, 200)
        self.assertTrue(wait_for(lambda: any(
            e["Node"] == "cli" for e in s.json("GET", "/v1/catalog/service/web")[2])))
        st, _, entries = c.json("GET", "/v1/health/service/web")
        self.assertEqual((st, [e["Service"]["Port"] for e in entries]), (200, [8080]))
        # The leader lists the client in the catalog with serfHealth.
        self.assertTrue(wait_for(lambda: any(
            n["Node"] == "cli" for n in s.json("GET", "/v1/catalog/nodes")[2])))
        c.stop(signal.SIGTERM)  # clients leave on SIGTERM (leave_on_terminate)
        self.assertTrue(wait_for(lambda: status("cli") == 3))
        self.assertTrue(wait_for(lambda: not any(
            n["Node"] == "cli" for n in s.json("GET", "/v1/catalog/nodes")[2])))


if __name__ == "__main__":
    unittest.main()


class AutopilotTest(unittest.TestCase):
    """Seed 002's outage drill: five servers; two fail one after the other and autopilot's
    CleanupDeadServers removes each from Raft; then one more fails and the remaining two of three
    voters still elect a leader and take writes."""

    def test_dead_servers_are_cleaned_up_and_the_cluster_stays_available(self):
        servers = [Agent("-bootstrap-expect", "5", "-node", f"s{i}", dev=False, host=f"127.0.0.{i}",
                         config=CFG) for i in range(1, 6)]
        self.addCleanup(lambda: [a.stop(signal.SIGKILL) for a in servers])
        servers[0].start(wait=False)
        lan = ClusterTest.lan_port(servers[0])
        for a in servers[1:]:
            a.args += ["-retry-join", f"127.0.0.1:{lan}"]
            a.start(wait=False)
        for a in servers:
            a.wait_ready()

        def leader_of(alive):
            for a in alive:
                st, _, body = a.req("GET", "/v1/status/leader", timeout=1)
                if st == 200 and json.loads(body):
                    return self.by(servers, json.loads(body))
            return None

        def voters(alive):
            lead = leader_of(alive)
            if not lead:
                return -1
            st, _, conf = lead.json("GET", "/v1/operator/raft/configuration")
            return len([s for s in conf["Servers"] if s["Voter"]]) if st == 200 else -1

        alive = list(servers)
        self.assertTrue(wait_for(lambda: voters(alive) == 5, timeout=30))
        st, _, cfg = alive[0].json("GET", "/v1/operator/autopilot/configuration")
        self.assertEqual((st, cfg["CleanupDeadServers"]), (200, True))
        for expected in (4, 3):
            lead = wait_for(lambda: leader_of(alive))
            victim = next(a for a in alive if a is not lead)
            victim.stop(signal.SIGKILL)
            alive.remove(victim)
            self.assertTrue(wait_for(lambda: voters(alive) == expected, timeout=40),
                            f"autopilot did not shrink the configuration to {expected}")
        time.sleep(1)  # the leader refreshes its health view every reconcile round
        st, _, health = alive[0].json("GET", "/v1/operator/autopilot/health")
        self.assertIn(st, (200, 429))
        self.assertEqual(len(health["Servers"]), 3, [(s["Name"], s["SerfStatus"], s["Voter"]) for s in health["Servers"]])
        # A third failure: two of the three remaining voters keep the cluster writable.
        lead = wait_for(lambda: leader_of(alive))
        victim = next(a for a in alive if a is not lead)
        victim.stop(signal.SIGKILL)
        alive.remove(victim)
        ok = wait_for(lambda: alive[0].req("PUT", "/v1/kv/still-up", b"1", timeout=5)[2].strip()
                      == b"true", timeout=30)
        self.assertTrue(ok)
        self.assertEqual(alive[1].req("GET", "/v1/kv/still-up?consistent&raw")[2], b"1")

    @staticmethod
    def by(servers, addr):
        return next(a for a in servers if addr.startswith(a.host + ":"))
