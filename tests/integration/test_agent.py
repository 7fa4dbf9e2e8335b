"""The agent process: status, self, catalog datacenters, logs, pid file, signals, reload, connection limits."""
import json
import os
import re
import signal
import socket
import subprocess
import time
import unittest

from agentlib import Agent, BIN, free_port


class AgentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pid_file = os.path.join("/tmp", f"consulate-it-{os.getpid()}.pid")
        cls.a = Agent("-pid-file", cls.pid_file, config={"limits": {"http_max_conns_per_client": 20}}).start()

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()

    def test_status_endpoints(self):
        st, _, body = self.a.req("GET", "/v1/status/leader")
        self.assertEqual(st, 200)
        self.assertRegex(json.loads(body), r"^127\.0\.0\.1:\d+$")
        st, _, body = self.a.req("GET", "/v1/status/peers")
        self.assertEqual(len(json.loads(body)), 1)
        st, _, body = self.a.req("GET", "/v1/catalog/datacenters")
        self.assertEqual(json.loads(body), ["dc1"])

    def test_agent_self(self):
        st, _, body = self.a.req("GET", "/v1/agent/self")
        self.assertEqual(st, 200)
        d = json.loads(body)
        self.assertEqual(d["Config"]["Datacenter"], "dc1")
        self.assertEqual(d["Config"]["NodeName"], "it-node")
        self.assertTrue(d["Config"]["Server"])
        self.assertEqual(d["Member"]["Name"], "it-node")
        self.assertEqual(d["Member"]["Tags"]["role"], "consul")
        self.assertEqual(d["Stats"]["consul"]["leader"], "true")

    def test_pid_file_and_log_format(self):
        with open(self.pid_file) as f:
            self.assertEqual(int(f.read()), self.a.proc.pid)
        log = self.a.read_log()
        self.assertRegex(log, r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[INFO\]  agent: Started HTTP server")

    def test_connection_limit_per_client(self):
        socks = [socket.create_connection((self.a.host, self.a.http)) for _ in range(25)]
        time.sleep(0.3)
        closed = 0
        for s in socks:
            s.settimeout(3)
            try:
                s.sendall(b"GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n")
                if s.recv(100) == b"":
                    closed += 1
            except (ConnectionError, socket.timeout):
                closed += 1
        for s in socks:
            s.close()
        self.assertEqual(closed, 5)
        time.sleep(0.2)
        self.assertEqual(self.a.req("GET", "/v1/status/leader")[0], 200)


class LifecycleTest(unittest.TestCase):
    def test_sigterm_exits_cleanly(self):
        a = Agent().start()
        self.assertEqual(a.stop(signal.SIGTERM), 0)
        self.assertIn("shutdown complete", a.read_log())

    def test_leave_endpoint_stops_agent(self):
        a = Agent().start()
        st, _, _ = a.req("PUT", "/v1/agent/leave")
        self.assertEqual(st, 200)
        a.proc.wait(10)
        self.assertEqual(a.proc.returncode, 0)

    def test_sighup_reloads_log_level(self):
        a = Agent().start()
        with open(a.cfgfile) as f:
            cfg = json.load(f)
        cfg["log_level"] = "debug"
        with open(a.cfgfile, "w") as f:
            json.dump(cfg, f)
        a.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertEqual(a.req("GET", "/v1/status/leader")[0], 200)
        self.assertIn("Reloading configuration", a.read_log())
        a.stop()

    def test_log_file(self):
        d = Agent().tmp
        logfile = os.path.join(d, "consul.log")
        a = Agent("-log-file", logfile, tmp=d).start()
        a.stop()
        with open(logfile) as f:
            self.assertIn("[INFO]  agent:", f.read())

    def test_http_port_minus_one_disables_listener(self):
        a = Agent(config={"ports": {"http": -1}})
        a.start(wait=False)
        time.sleep(1.0)
        self.assertIsNone(a.proc.poll())
        self.assertEqual(a.req("GET", "/v1/status/leader", timeout=1)[0], 0)
        a.stop()

    def test_port_in_use_fails(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        a = Agent(config={"ports": {"http": port}})
        # Our harness would overwrite the port; write the clash explicitly.
        with open(a.cfgfile) as f:
            cfg = json.load(f)
        cfg["ports"]["http"] = port
        with open(a.cfgfile, "w") as f:
            json.dump(cfg, f)
        a.start(wait=False)
        a.proc.wait(10)
        s.close()
        self.assertNotEqual(a.proc.returncode, 0)


class StartupTest(unittest.TestCase):
    def test_unknown_config_key_is_named(self):
        d = Agent().tmp
        bad = os.path.join(d, "bad.json")
        with open(bad, "w") as f:
            f.write('{"no_such_option_xyz": 1}')
        r = subprocess.run([BIN, "agent", "-dev", "-config-file", bad], capture_output=True, text=True, timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no_such_option_xyz", r.stdout + r.stderr)
        self.assertIn("bad.json", r.stdout + r.stderr)

    def test_config_dir_lexical_order_and_hcl(self):
        a = Agent()
        cdir = os.path.join(a.tmp, "conf.d")
        os.makedirs(cdir)
        with open(os.path.join(cdir, "a.json"), "w") as f:
            f.write('{"node_name": "from-a", "datacenter": "dc-a"}')
        with open(os.path.join(cdir, "b.hcl"), "w") as f:
            f.write('node_name = "from-b"\n# a comment\n')
        a.args = [x for x in a.args if x not in ("-node", "it-node")] + ["-config-dir", cdir]
        a.start()
        d = json.loads(a.req("GET", "/v1/agent/self")[2])
        self.assertEqual(d["Config"]["NodeName"], "from-b")
        self.assertEqual(d["Config"]["Datacenter"], "dc-a")
        a.stop()

    def test_flags_win_over_files(self):
        a = Agent("-datacenter", "flagdc", config={"datacenter": "filedc"}).start()
        d = json.loads(a.req("GET", "/v1/agent/self")[2])
        self.assertEqual(d["Config"]["Datacenter"], "flagdc")
        a.stop()


if __name__ == "__main__":
    unittest.main()
