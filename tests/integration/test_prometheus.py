"""Prometheus (Debian 11's 2.24, built with consul_sd_configs) discovers services registered on a real
agent through consul_sd_configs with seed 003's relabelling, and follows a deregistration."""
import json
import os
import subprocess
import tempfile
import time
import unittest
import urllib.request

from agentlib import Agent, free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FETCH = os.path.join(ROOT, "..", "shared", "oracle", "bullseye-pkg")


def prometheus_binary():
    if os.environ.get("PROMETHEUS_BIN"):
        return os.environ["PROMETHEUS_BIN"]
    if not os.path.exists(FETCH):
        return None
    r = subprocess.run([FETCH, "prometheus"], capture_output=True, text=True, timeout=600)
    path = os.path.join(r.stdout.strip(), "usr", "bin", "prometheus")
    return path if r.returncode == 0 and os.path.exists(path) else None


class PrometheusTest(unittest.TestCase):
    def test_consul_sd_configs(self):
        prom = prometheus_binary()
        if not prom:
            self.skipTest("no Prometheus with consul_sd_configs (../shared/oracle/bullseye-pkg prometheus)")
        a = Agent().start()
        svc = {"ID": "node-exporter", "Name": "node-exporter-1", "Tags": ["node-exporter", "primary"],
               "Address": "127.0.0.1", "Port": 9100, "Meta": {"app": "elasticsearch", "team": "bigdata"}}
        self.assertEqual(a.req("PUT", "/v1/agent/service/register", json.dumps(svc).encode())[0], 200)
        other = {"Name": "not-scraped", "Tags": ["db"], "Port": 5432}
        self.assertEqual(a.req("PUT", "/v1/agent/service/register", json.dumps(other).encode())[0], 200)
        d = tempfile.mkdtemp(prefix="consulate-prom-")
        port = free_port()
        with open(os.path.join(d, "prometheus.yml"), "w") as f:
            f.write(f"""
global: {{scrape_interval: 1m}}
scrape_configs:
  - job_name: consul-node-exporter
    consul_sd_configs:
      - server: '127.0.0.1:{a.http}'
        services: []
        refresh_interval: 1s
    relabel_configs:
      - source_labels: [__meta_consul_tags]
        regex: .*node-exporter.*
        action: keep
      - regex: __meta_consul_service_metadata_(.+)
        action: labelmap
""")
        p = subprocess.Popen([prom, f"--config.file={d}/prometheus.yml", f"--storage.tsdb.path={d}/data",
                              f"--web.listen-address=127.0.0.1:{port}"],
                             stdout=open(f"{d}/prom.log", "wb"), stderr=subprocess.STDOUT)
        try:
            def targets():
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/targets", timeout=3) as r:
                        return json.loads(r.read())["data"]["activeTargets"]
                except Exception:
                    return None

            ts = []
            end = time.time() + 60
            while time.time() < end and not ts:
                ts = targets() or []
                time.sleep(0.3)
            self.assertEqual(len(ts), 1, ts)
            labels, found = ts[0]["labels"], ts[0]["discoveredLabels"]
            self.assertEqual(labels["instance"], "127.0.0.1:9100")
            self.assertEqual((labels["team"], labels["app"]), ("bigdata", "elasticsearch"))
            self.assertEqual(found["__meta_consul_service"], "node-exporter-1")
            self.assertEqual(found["__meta_consul_service_id"], "node-exporter")
            self.assertIn(",node-exporter,", found["__meta_consul_tags"])
            self.assertEqual(found["__meta_consul_dc"], "dc1")
            a.req("PUT", "/v1/agent/service/deregister/node-exporter")
            end = time.time() + 30
            while time.time() < end and targets() != []:
                time.sleep(0.3)
            self.assertEqual(targets(), [])
        finally:
            p.terminate()
            p.wait(10)
            a.stop()


if __name__ == "__main__":
    unittest.main()
