"""Service discovery against real agents: agent registration, TTL checks, catalog and health shapes,
blocking queries per service, maintenance, persistence, config-file services, python-consul."""
import json
import os
import signal
import threading
import time
import unittest

from agentlib import wait_for as _wait_for, Agent, index_of




def wait_for(fn, timeout=5.0):
    return _wait_for(fn, timeout)


class CatalogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = Agent().start()

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()

    def register(self, svc):
        st, _, body = self.a.req("PUT", "/v1/agent/service/register", json.dumps(svc).encode())
        self.assertEqual(st, 200, body)

    def health(self, name, query=""):
        st, h, body = self.a.req("GET", f"/v1/health/service/{name}{query}")
        self.assertEqual(st, 200)
        return json.loads(body), h

    def test_register_shapes_and_ttl(self):
        self.register({"Name": "web", "Tags": ["rails"], "Port": 80, "Meta": {"env": "prod"},
                       "Check": {"TTL": "30s"}})
        nodes = wait_for(lambda: json.loads(self.a.req("GET", "/v1/catalog/service/web")[2]))
        e = nodes[0]
        self.assertEqual(list(e)[:8], ["ID", "Node", "Address", "Datacenter", "TaggedAddresses", "NodeMeta",
                                       "ServiceKind", "ServiceID"])
        self.assertEqual((e["ServiceName"], e["ServiceTags"], e["ServicePort"], e["ServiceMeta"]),
                         ("web", ["rails"], 80, {"env": "prod"}))
        services = json.loads(self.a.req("GET", "/v1/catalog/services")[2])
        self.assertEqual(services["consul"], [])
        self.assertEqual(services["web"], ["rails"])
        checks = json.loads(self.a.req("GET", "/v1/agent/checks")[2])
        self.assertEqual(checks["service:web"]["Status"], "critical")  # TTL checks start critical
        self.assertEqual(checks["service:web"]["Name"], "Service 'web' check")
        res, _ = self.health("web", "?passing")
        self.assertEqual(res, [])
        self.assertEqual(self.a.req("PUT", "/v1/agent/check/pass/service:web?note=ok")[0], 200)
        res = wait_for(lambda: self.health("web", "?passing")[0])
        self.assertEqual(len(res), 1)
        self.assertEqual({c["CheckID"]: c["Status"] for c in res[0]["Checks"]},
                         {"serfHealth": "passing", "service:web": "passing"})
        self.assertEqual([c["Output"] for c in res[0]["Checks"] if c["CheckID"] == "service:web"], ["ok"])
        self.a.req("PUT", "/v1/agent/check/warn/service:web")
        self.assertEqual(wait_for(lambda: not self.health("web", "?passing")[0]), True)
        st, _, body = self.a.req("PUT", "/v1/agent/check/pass/nosuch")
        self.assertEqual((st, body), (500, b'CheckID "nosuch" does not have associated TTL'))

    def test_ttl_expires_to_critical(self):
        self.register({"Name": "short", "Check": {"TTL": "1s"}})
        self.a.req("PUT", "/v1/agent/check/pass/service:short")
        time.sleep(1.6)
        checks = json.loads(self.a.req("GET", "/v1/agent/checks")[2])
        self.assertEqual(checks["service:short"]["Status"], "critical")
        self.assertEqual(checks["service:short"]["Output"], "TTL expired")

    def test_blocking_health_wakes_only_for_its_service(self):
        self.register({"Name": "alpha", "Port": 1})
        self.register({"Name": "beta", "Port": 2})
        wait_for(lambda: json.loads(self.a.req("GET", "/v1/catalog/service/beta")[2]))
        _, h = self.health("alpha")
        idx = index_of(h)
        got = {}
        th = threading.Thread(target=lambda: got.update(
            r=self.a.req("GET", f"/v1/health/service/alpha?index={idx}&wait=4s", timeout=10), t=time.time()))
        t0 = time.time()
        th.start()
        time.sleep(0.3)
        self.register({"Name": "beta", "Port": 3})  # another service: must not wake alpha's watcher
        time.sleep(0.5)
        self.assertNotIn("r", got)
        self.register({"Name": "alpha", "Port": 9})
        th.join()
        self.assertLess(got["t"] - t0, 3.0)
        self.assertGreater(index_of(got["r"][1]), idx)
        self.assertEqual(json.loads(got["r"][2])[0]["Service"]["Port"], 9)

    def test_deregister_and_slash_ids(self):
        self.register({"Name": "odd", "ID": "odd/1"})
        self.assertIn("odd/1", json.loads(self.a.req("GET", "/v1/agent/services")[2]))
        self.assertEqual(self.a.req("PUT", "/v1/agent/service/deregister/odd%2F1")[0], 200)
        self.assertNotIn("odd/1", json.loads(self.a.req("GET", "/v1/agent/services")[2]))
        self.assertEqual(wait_for(lambda: json.loads(self.a.req("GET", "/v1/catalog/service/odd")[2]) == []), True)

    def test_methods_and_bad_input(self):
        self.assertEqual(self.a.req("GET", "/v1/agent/service/register")[0], 405)
        st, _, body = self.a.req("PUT", "/v1/agent/service/register", b'{"Port": 1}')
        self.assertEqual((st, body), (400, b"Missing service name"))
        st, _, _ = self.a.req("PUT", "/v1/agent/service/register", b"{bad json")
        self.assertEqual(st, 400)
        st, _, body = self.a.req("GET", "/v1/agent/service/nosuch")
        self.assertEqual((st, body), (404, b"unknown service ID: nosuch"))
        self.assertEqual(self.a.req("GET", "/v1/catalog/node/nosuch")[2].strip(), b"null")
        self.assertEqual(json.loads(self.a.req("GET", "/v1/catalog/service/nosuch")[2]), [])

    def test_maintenance(self):
        self.register({"Name": "maint-svc"})
        st, _, body = self.a.req("PUT", "/v1/agent/maintenance")
        self.assertEqual((st, body), (400, b"Missing value for enable"))
        self.assertEqual(self.a.req("PUT", "/v1/agent/service/maintenance/maint-svc?enable=true&reason=upgrade")[0], 200)
        checks = json.loads(self.a.req("GET", "/v1/agent/checks")[2])
        m = checks["_service_maintenance:maint-svc"]
        self.assertEqual((m["Status"], m["Notes"], m["ServiceID"]), ("critical", "upgrade", "maint-svc"))
        self.a.req("PUT", "/v1/agent/service/maintenance/maint-svc?enable=false")
        self.assertNotIn("_service_maintenance:maint-svc", json.loads(self.a.req("GET", "/v1/agent/checks")[2]))
        self.assertEqual(self.a.req("PUT", "/v1/agent/maintenance?enable=true")[0], 200)
        self.assertIn("_node_maintenance", json.loads(self.a.req("GET", "/v1/agent/checks")[2]))
        self.a.req("PUT", "/v1/agent/maintenance?enable=false")

    def test_catalog_register_api(self):
        body = {"Node": "ext-1", "Address": "10.1.2.3", "NodeMeta": {"rack": "r1"},
                "Service": {"Service": "db", "Port": 5432, "Tags": ["primary"]},
                "Check": {"CheckID": "db-ok", "Name": "db", "Status": "passing", "ServiceID": "db"}}
        st, _, out = self.a.req("PUT", "/v1/catalog/register", json.dumps(body).encode())
        self.assertEqual((st, out.strip()), (200, b"true"))
        e = json.loads(self.a.req("GET", "/v1/catalog/service/db?tag=primary&node-meta=rack:r1")[2])
        self.assertEqual([(x["Node"], x["Address"], x["ServicePort"]) for x in e], [("ext-1", "10.1.2.3", 5432)])
        self.assertEqual(json.loads(self.a.req("GET", "/v1/catalog/service/db?tag=replica")[2]), [])
        node = json.loads(self.a.req("GET", "/v1/catalog/node/ext-1")[2])
        self.assertEqual(node["Services"]["db"]["Port"], 5432)
        checks = json.loads(self.a.req("GET", "/v1/health/node/ext-1")[2])
        self.assertEqual([c["CheckID"] for c in checks], ["db-ok"])
        st, _, _ = self.a.req("PUT", "/v1/catalog/deregister", json.dumps({"Node": "ext-1"}).encode())
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(self.a.req("GET", "/v1/catalog/service/db")[2]), [])


class ChecksAndAntiEntropyTest(unittest.TestCase):
    def test_http_check_follows_a_real_server(self):
        import http.server
        from agentlib import free_port

        class Handler(http.server.BaseHTTPRequestHandler):
            code = 200

            def do_GET(self):
                self.send_response(Handler.code)
                self.end_headers()
                self.wfile.write(b"hello")

            def log_message(self, *args):
                pass

        port = free_port()
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        a = Agent().start()
        try:
            svc = {"Name": "web", "Port": port,
                   "Check": {"HTTP": f"http://127.0.0.1:{port}/health", "Interval": "1s"}}
            self.assertEqual(a.req("PUT", "/v1/agent/service/register", json.dumps(svc).encode())[0], 200)

            def status():
                res = json.loads(a.req("GET", "/v1/health/service/web")[2])
                return [(c["Status"], c["Output"]) for e in res for c in e["Checks"] if c["CheckID"] == "service:web"]

            self.assertTrue(wait_for(lambda: status() and status()[0][0] == "passing", 6), status())
            self.assertIn("200 OK Output: hello", status()[0][1])
            Handler.code = 429
            self.assertTrue(wait_for(lambda: status()[0][0] == "warning", 6), status())
            srv.shutdown()
            srv.server_close()
            self.assertTrue(wait_for(lambda: status()[0][0] == "critical", 6), status())
            srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
            Handler.code = 200
            threading.Thread(target=srv.serve_forever, daemon=True).start()
            self.assertTrue(wait_for(lambda: status()[0][0] == "passing", 6), status())
        finally:
            srv.shutdown()
            a.stop()

    def test_catalog_edit_is_repaired_by_anti_entropy(self):
        a = Agent().start()
        try:
            a.req("PUT", "/v1/agent/service/register", json.dumps({"Name": "keep", "Port": 1}).encode())
            node = json.loads(a.req("GET", "/v1/agent/self")[2])["Config"]["NodeName"]
            # Someone removes the agent's service from the catalog behind its back...
            a.req("PUT", "/v1/catalog/deregister", json.dumps({"Node": node, "ServiceID": "keep"}).encode())
            self.assertEqual(json.loads(a.req("GET", "/v1/catalog/service/keep")[2]), [])
            # ...the next sync (any local change triggers a full comparison) puts it back.
            a.req("PUT", "/v1/agent/service/register", json.dumps({"Name": "other", "Port": 2}).encode())
            res = wait_for(lambda: json.loads(a.req("GET", "/v1/catalog/service/keep")[2]))
            self.assertEqual([e["ServiceID"] for e in res], ["keep"])
        finally:
            a.stop()


class PersistenceTest(unittest.TestCase):
    def test_api_services_survive_restart_and_config_services_load(self):
        a = Agent(dev=False)
        cdir = os.path.join(a.tmp, "config")
        os.makedirs(cdir)
        # Seed 001's web.json, verbatim apart from the port of the check target.
        with open(os.path.join(cdir, "web.json"), "w") as f:
            f.write('{"service": {"name": "web", "tags": ["primary"], "address": "192.168.99.112", "port": 9000,'
                    ' "checks": [{"http": "http://localhost:9000/health", "interval": "10s"}]}}')
        a.args += ["-config-dir", cdir]
        a.start()
        a.req("PUT", "/v1/agent/service/register", json.dumps({"Name": "api-svc", "Port": 7}).encode())
        svcs = json.loads(a.req("GET", "/v1/agent/services")[2])
        self.assertEqual(sorted(svcs), ["api-svc", "web"])
        self.assertEqual(svcs["web"]["Address"], "192.168.99.112")
        a.stop(signal.SIGKILL)
        a.start()
        svcs = json.loads(a.req("GET", "/v1/agent/services")[2])
        self.assertEqual(sorted(svcs), ["api-svc", "web"])
        # Config services follow the config on reload.
        os.remove(os.path.join(cdir, "web.json"))
        a.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "web" not in json.loads(a.req("GET", "/v1/agent/services")[2])))
        self.assertTrue(wait_for(lambda: json.loads(a.req("GET", "/v1/catalog/service/web")[2]) == []))
        a.stop()


class PythonConsulTest(unittest.TestCase):
    def test_python_consul_client(self):
        try:
            import consul
        except ImportError:
            self.skipTest("python3-consul not installed")
        a = Agent().start()
        c = consul.Consul(host=a.host, port=a.http)
        # python-consul 0.7.1's ttl_pass uses GET, which Consul >= 1.0 refuses (405) as we do: the
        # check starts passing instead.
        check = consul.Check.ttl("10s")
        check["Status"] = "passing"
        c.agent.service.register("py-svc", service_id="py-1", port=8080, tags=["a"], check=check)
        self.assertIn("py-1", c.agent.services())
        nodes = wait_for(lambda: c.health.service("py-svc", passing=True)[1])
        self.assertEqual(nodes[0]["Service"]["Port"], 8080)
        idx, services = c.catalog.services()
        self.assertIn("py-svc", services)
        self.assertTrue(c.kv.put("py/k", "v"))
        self.assertEqual(c.kv.get("py/k")[1]["Value"], b"v")
        # Its deregister() also uses GET (405 from Consul 1.8 as from us): use the HTTP API.
        self.assertEqual(a.req("PUT", "/v1/agent/service/deregister/py-1")[0], 200)
        self.assertNotIn("py-1", c.agent.services())
        a.stop()


if __name__ == "__main__":
    unittest.main()
