"""Network coordinates with three real server processes on 127.0.0.21-23: every server reports its
LAN coordinate into the catalog (Consul's sync interval: 15 s plus up to 15 s of stagger), the
/v1/coordinate endpoints serve them (blocking queries included), ?near= sorts catalog and health
answers by estimated round trip time, `consul rtt` prints the estimate, and
/v1/coordinate/datacenters lists every server's WAN coordinate from serf's coordinate cache."""
import json
import math
import re
import signal
import threading
import time
import unittest

from agentlib import Agent, index_of, wait_for

CFG = {"performance": {"raft_multiplier": 1}}
SERVERS = ("s1", "s2", "s3")




def coord(x, y=0.0, height=0.0, adjustment=0.0):
    return {"Vec": [x, y, 0, 0, 0, 0, 0, 0], "Error": 0.5, "Adjustment": adjustment, "Height": height}


def distance_ms(a, b):
    """lib.ComputeDistance in milliseconds, truncated to whole nanoseconds like Go's Duration."""
    d = math.sqrt(sum((p - q) ** 2 for p, q in zip(a["Vec"], b["Vec"]))) + a["Height"] + b["Height"]
    adjusted = d + a["Adjustment"] + b["Adjustment"]
    if adjusted > 0:
        d = adjusted
    return int(d * 1e9) / 1e9 * 1000.0


# Synthetic nodes about 1 s from the servers (which sit near the origin on loopback), so their order
# is fixed whatever Vivaldi makes of the real RTTs.
SYNTHETIC = {
    "src": coord(0.0, 1.0),
    "close": coord(0.001, 1.0),
    "mid": coord(0.005, 1.0, height=0.0001),
    "far": coord(0.02, 1.0, adjustment=0.001),
}


class CoordinateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = []
        for i, name in enumerate(SERVERS, start=21):
            cls.servers.append(Agent("-bootstrap-expect", "3", "-node", name, dev=False,
                                     host=f"127.0.0.{i}", config=CFG))
        s1 = cls.servers[0]
        s1.start(wait=False)
        with open(s1.cfgfile) as f:
            lan = json.load(f)["ports"]["serf_lan"]
        for a in cls.servers[1:]:
            a.args += ["-retry-join", f"{s1.host}:{lan}"]
            a.start(wait=False)
        try:
            for a in cls.servers:
                a.wait_ready()
            cls.s1 = s1

            def have_leader():
                st, _, body = s1.req("GET", "/v1/status/leader", timeout=1)
                return st == 200 and json.loads(body) != ""
            if not wait_for(have_leader, 30):
                raise RuntimeError("no leader: " + s1.read_log())
        except Exception:
            cls.stop_all()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_all()

    @classmethod
    def stop_all(cls):
        for a in cls.servers:
            a.stop(signal.SIGKILL)

    def nodes(self, agent=None):
        st, h, body = (agent or self.s1).json("GET", "/v1/coordinate/nodes")
        self.assertEqual(st, 200)
        return h, body

    def wait_servers_reported(self):
        def reported():
            _, body = self.nodes()
            return {e["Node"] for e in body} >= set(SERVERS)
        self.assertTrue(wait_for(reported, 75, 0.5),
                        f"coordinates: {self.nodes()[1]}\n{self.s1.read_log()[-3000:]}")

    def register_synthetic(self):
        for name in list(SYNTHETIC) + ["nocoord"]:
            body = {"Node": name, "Address": "10.1.2.3", "Service": {"Service": "web", "Port": 80}}
            if name in ("far", "nocoord"):
                body["Check"] = {"CheckID": "ok", "Name": "ok", "Status": "passing"}
            st, _, _ = self.s1.req("PUT", "/v1/catalog/register", json.dumps(body).encode())
            self.assertEqual(st, 200)
        for name, c in SYNTHETIC.items():
            st, _, body = self.s1.req("PUT", "/v1/coordinate/update",
                                      json.dumps({"Node": name, "Segment": "", "Coord": c}).encode())
            self.assertEqual((st, body), (200, b""), name)

    def test_servers_report_their_coordinates(self):
        self.wait_servers_reported()
        h, body = self.nodes(self.servers[2])  # any server answers from its replica
        self.assertGreater(index_of(h), 0)
        for e in body:
            if e["Node"] not in SERVERS:
                continue
            self.assertEqual(list(e), ["Node", "Segment", "Coord"])
            self.assertEqual(e["Segment"], "")
            self.assertEqual(list(e["Coord"]), ["Vec", "Error", "Adjustment", "Height"])
            self.assertEqual(len(e["Coord"]["Vec"]), 8)
        st, h, one = self.s1.json("GET", "/v1/coordinate/node/s2")
        self.assertEqual(st, 200)
        self.assertEqual([e["Node"] for e in one], ["s2"])
        self.assertGreater(index_of(h), 0)
        st, h, body = self.s1.req("GET", "/v1/coordinate/node/nope")
        self.assertEqual((st, body), (404, b""))
        st, _, seg = self.s1.json("GET", "/v1/coordinate/nodes?segment=alpha")
        self.assertEqual((st, seg), (200, []))
        # The WAN view: this server's own coordinate, its name without the datacenter suffix.
        st, _, dcs = self.s1.json("GET", "/v1/coordinate/datacenters")
        self.assertEqual(st, 200)
        self.assertEqual([(d["Datacenter"], d["AreaID"]) for d in dcs], [("dc1", "wan")])
        self.assertIn("s1", [c["Node"] for c in dcs[0]["Coordinates"]])

    def test_wan_coordinates_of_every_server(self):
        # The servers join each other in the WAN pool; once each was pinged there, serf's
        # coordinate cache holds its coordinate and /v1/coordinate/datacenters lists it.
        def wan_nodes():
            st, _, dcs = self.s1.json("GET", "/v1/coordinate/datacenters")
            return st == 200 and len(dcs) == 1 and sorted(c["Node"] for c in dcs[0]["Coordinates"])
        self.assertTrue(wait_for(lambda: wan_nodes() == list(SERVERS), 45, 0.5),
                        f"{wan_nodes()}\n{self.s1.read_log()[-3000:]}")
        st, _, dcs = self.servers[1].json("GET", "/v1/coordinate/datacenters")
        self.assertEqual(st, 200)
        self.assertEqual(list(dcs[0]), ["Datacenter", "AreaID", "Coordinates"])
        for e in dcs[0]["Coordinates"]:
            self.assertEqual(list(e), ["Node", "Segment", "Coord"])
            self.assertEqual(list(e["Coord"]), ["Vec", "Error", "Adjustment", "Height"])
            self.assertEqual(len(e["Coord"]["Vec"]), 8)
        # `consul rtt -wan` between two other servers, through s1's cache.
        r = self.s1.cli("rtt", "-wan", "s2.dc1", "s3.dc1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout,
                         r"^Estimated s2\.dc1 <-> s3\.dc1 rtt: \d+\.\d{3} ms \(using WAN coordinates\)\n$")

    def test_update_blocking_query_and_deregistration(self):
        body = {"Node": "blocky", "Address": "10.1.2.4"}
        self.assertEqual(self.s1.req("PUT", "/v1/catalog/register", json.dumps(body).encode())[0], 200)
        h, _ = self.nodes()
        idx = index_of(h)
        result = {}

        def block():
            st, hh, b = self.servers[1].req("GET", f"/v1/coordinate/nodes?index={idx}&wait=30s", timeout=40)
            result.update(st=st, index=index_of(hh), body=json.loads(b), at=time.time())
        t = threading.Thread(target=block)
        t.start()
        time.sleep(0.5)
        start = time.time()
        upd = {"Node": "blocky", "Coord": coord(0.003)}
        st, _, b = self.s1.req("PUT", "/v1/coordinate/update", json.dumps(upd).encode())
        self.assertEqual((st, b), (200, b""))
        t.join(40)
        self.assertEqual(result["st"], 200)
        self.assertGreater(result["index"], idx)
        self.assertLess(result["at"] - start, 10)
        self.assertIn("blocky", [e["Node"] for e in result["body"]])

        # Unknown nodes are dropped silently; bad coordinates are refused.
        st, _, _ = self.s1.req("PUT", "/v1/coordinate/update",
                               json.dumps({"Node": "ghost", "Coord": coord(0.1)}).encode())
        self.assertEqual(st, 200)
        self.assertEqual(self.s1.req("GET", "/v1/coordinate/node/ghost")[0], 404)
        st, _, b = self.s1.req("PUT", "/v1/coordinate/update",
                               json.dumps({"Node": "blocky", "Coord": {"Vec": [1, 2]}}).encode())
        self.assertEqual((st, b), (500, b"incompatible coordinate"))
        st, _, b = self.s1.req("PUT", "/v1/coordinate/update", b"garbage")
        self.assertEqual(st, 400)
        self.assertTrue(b.startswith(b"Request decode failed: "), b)
        st, h, _ = self.s1.req("POST", "/v1/coordinate/nodes")
        self.assertEqual((st, h["Allow"]), (405, "OPTIONS,GET"))

        # The coordinate goes with its node.
        st, _, _ = self.s1.req("PUT", "/v1/catalog/deregister", json.dumps({"Node": "blocky"}).encode())
        self.assertEqual(st, 200)
        self.assertEqual(self.s1.req("GET", "/v1/coordinate/node/blocky")[0], 404)

    def test_near_sorting(self):
        self.wait_servers_reported()  # so that only "nocoord" lacks a coordinate
        self.register_synthetic()
        want = ["src", "close", "mid", "far"]

        def names(path):
            st, _, body = self.s1.json("GET", path)
            self.assertEqual(st, 200, path)
            return [e["Node"] if isinstance(e["Node"], str) else e["Node"]["Node"] for e in body]

        got = names("/v1/catalog/nodes?near=src")
        self.assertEqual(got[:4], want)
        self.assertEqual(got[-1], "nocoord")  # no coordinate: last
        got = names("/v1/catalog/service/web?near=src")
        self.assertEqual(got, want + ["nocoord"])
        got = names("/v1/health/service/web?near=far")
        self.assertEqual(got, ["far", "mid", "close", "src", "nocoord"])
        got = names("/v1/health/checks/web?near=src")  # no checks registered for web
        self.assertEqual(got, [])
        # Without coordinates for the source there is nothing to sort by: name order.
        self.assertEqual(names("/v1/catalog/service/web?near=nocoord"),
                         ["close", "far", "mid", "nocoord", "src"])
        self.assertEqual(names("/v1/catalog/service/web?near=nobody"),
                         ["close", "far", "mid", "nocoord", "src"])

        # Checks sort by their node: far's check before the servers' (which sit about 1 s away),
        # the check of the node without a coordinate last.
        st, _, checks = self.s1.json("GET", "/v1/health/state/passing?near=src")
        self.assertEqual(st, 200)
        self.assertEqual(checks[0]["Node"], "far")
        self.assertEqual(checks[-1]["Node"], "nocoord")

        # Real nodes: the servers are near each other and about 1 s from the synthetic nodes, so
        # they come first; _agent is the answering agent's node.
        for near in ("s2", "_agent"):
            got = names("/v1/catalog/nodes?near=" + near)
            self.assertEqual(sorted(got[:3]), list(SERVERS), near)
            self.assertEqual(got[3:], want + ["nocoord"], near)

    def test_rtt_cli(self):
        self.register_synthetic()
        r = self.s1.cli("rtt", "src", "far")
        self.assertEqual(r.returncode, 0, r.stderr)
        ms = distance_ms(SYNTHETIC["src"], SYNTHETIC["far"])
        self.assertEqual(r.stdout, f"Estimated src <-> far rtt: {ms:.3f} ms (using LAN coordinates)\n")
        r = self.s1.cli("rtt", "MID", "close")  # names match case-insensitively
        self.assertEqual(r.returncode, 0, r.stderr)
        ms = distance_ms(SYNTHETIC["mid"], SYNTHETIC["close"])
        self.assertEqual(r.stdout, f"Estimated MID <-> close rtt: {ms:.3f} ms (using LAN coordinates)\n")

        r = self.s1.cli("rtt", "nocoord", "src")
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertEqual(r.stderr, 'Could not find a coordinate for node "nocoord"\n')
        r = self.s1.cli("rtt")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("One or two node names must be specified\n\nUsage: consul rtt"))
        r = self.s1.cli("rtt", "-wan", "s1")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "Node names must be specified as <node name>.<datacenter> with -wan\n")
        r = self.s1.cli("rtt", "-wan", "s1.dc1")  # the second node defaults to the agent (in WAN form)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^Estimated s1\.dc1 <-> s1\.dc1 rtt: \d+\.\d{3} ms \(using WAN coordinates\)\n$")

        # Real servers, once they reported; the second node defaults to the agent's.
        self.wait_servers_reported()
        r = self.servers[1].cli("rtt", "s1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^Estimated s1 <-> s2 rtt: \d+\.\d{3} ms \(using LAN coordinates\)\n$")
        m = re.search(r"rtt: (\d+\.\d+) ms", r.stdout)
        self.assertLess(float(m.group(1)), 1000.0)


if __name__ == "__main__":
    unittest.main()
