#!/usr/bin/env python3
"""Catalog benchmark, side by side in one run: Consulate and Consul 1.8.7 (single server, data dir on disk)
each loaded with the same catalog (N nodes, M service instances over S services, one service of 500
instances), then:
  * wrk on /v1/health/service/<big>?passing (2 threads, 32 connections): req/s, p50, p99;
  * server RSS after loading.
(Memory per held blocking query is measured by ../shared/probes/watchers; see docs/benchmarks.md.)
Usage: bench/catalog_bench.py BUILD/consulate [--nodes 10000] [--instances 50000]
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kv_bench import ORACLE, free_port, rss_kb, start_consul, start_consulate, stop, wait_put, wrk  # noqa: E402


def load(url, nodes, instances, big=500, workers=16):
    host, port = url.split("//")[1].split(":")
    services = max(1, (instances - big) // max(1, nodes // 10))
    jobs = []
    for i in range(instances):
        node = f"node-{i % nodes}"
        name = "big" if i < big else f"svc-{i % services}"
        jobs.append({"Node": node, "Address": f"10.{(i % nodes) // 65536}.{((i % nodes) // 256) % 256}.{(i % nodes) % 256}",
                     "Service": {"ID": f"{name}-{i}", "Service": name, "Port": 8000 + i % 1000, "Tags": ["t"]},
                     "Check": {"CheckID": f"c-{i}", "Name": "c", "Status": "passing", "ServiceID": f"{name}-{i}"}})
    chunks = [jobs[w::workers] for w in range(workers)]

    def run(chunk):
        c = http.client.HTTPConnection(host, int(port), timeout=60)
        for j in chunk:
            c.request("PUT", "/v1/catalog/register", json.dumps(j))
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise RuntimeError(f"register failed: {r.status}")
    ts = [threading.Thread(target=run, args=(ch,)) for ch in chunks]
    t0 = time.time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.time() - t0, services


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("consulate")
    ap.add_argument("--nodes", type=int, default=10000)
    ap.add_argument("--instances", type=int, default=50000)
    ap.add_argument("--seconds", type=int, default=8)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="consulate-catbench-")
    consul_bin = None
    if os.path.exists(ORACLE):
        r = subprocess.run([ORACLE], capture_output=True, text=True)
        consul_bin = r.stdout.strip() if r.returncode == 0 else None
    rows = []
    for name, starter, binary in [("consulate", start_consulate, args.consulate), ("consul-1.8.7", start_consul, consul_bin)]:
        if not binary:
            continue
        p, url = starter(binary, tmp)
        wait_put(url + "/v1/kv/ready", p, timeout=60)
        secs, services = load(url, args.nodes, args.instances)
        time.sleep(2)
        rss = rss_kb(p.pid)
        w = wrk(url + "/v1/health/service/big?passing", args.seconds)
        rows.append((name, secs, rss, w))
        stop(p)
    print("| server | load time s | RSS after load MB | health?passing req/s | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for name, secs, rss, w in rows:
        print(f"| {name} | {secs:.1f} | {rss / 1024:.1f} | {w['rps']:.0f} | {w['p50']:.2f} | {w['p99']:.2f} |")
    if len(rows) == 2:
        print(f"\nRatios: req/s {rows[0][3]['rps'] / max(rows[1][3]['rps'], 1):.2f}x, "
              f"memory {rows[0][2] / max(rows[1][2], 1):.2f}x of Consul 1.8.7")


if __name__ == "__main__":
    main()
