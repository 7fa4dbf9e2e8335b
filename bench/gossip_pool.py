#!/usr/bin/env python3
"""A gossip pool of N real agents (1 server + N-1 clients on 127.0.0.10..): time to converge,
client idle RSS, and time until 5 killed clients are seen failed by every survivor.
Usage: bench/gossip_pool.py BUILD_DIR/consulate [N]   (results: docs/benchmarks.md)"""
import json, os, subprocess, sys, time, urllib.request, socket  # noqa: E401
B = sys.argv[1]; N = int(sys.argv[2]) if len(sys.argv) > 2 else 50
import tempfile
ROOT = tempfile.mkdtemp(prefix="gossip-pool-")
def fp(h):
    s = socket.socket(); s.bind((h, 0)); p = s.getsockname()[1]; s.close(); return p
procs = []; https = []
first_lan = None
for i in range(N):
    h = f"127.0.0.{10 + i}"  # loopback only
    d = f"{ROOT}/a{i}"; os.makedirs(d, exist_ok=True)
    ports = {"http": fp(h), "dns": -1, "grpc": -1, "server": fp(h), "serf_lan": fp(h), "serf_wan": fp(h) if i == 0 else -1}
    json.dump({"ports": ports}, open(f"{d}/c.json", "w"))
    args = [B, "agent", "-node", f"n{i}", "-bind", h, "-client", h, "-data-dir", f"{d}/data", "-config-file", f"{d}/c.json"]
    if i == 0: args += ["-server", "-bootstrap-expect", "1"]; first_lan = f"{h}:{ports['serf_lan']}"
    else: args += ["-retry-join", first_lan]
    procs.append(subprocess.Popen(args, stdout=open(f"{d}/log", "w"), stderr=subprocess.STDOUT))
    https.append(f"http://{h}:{ports['http']}")
    if i == 0: time.sleep(1)
def alive(url):
    try:
        ms = json.loads(urllib.request.urlopen(url + "/v1/agent/members", timeout=2).read())
        return sum(1 for m in ms if m["Status"] == 1)
    except Exception: return -1
t0 = time.time()
while time.time() - t0 < 60 and min(alive(u) for u in https[::7]) < N: time.sleep(0.5)
print("converged", min(alive(u) for u in https), "of", N, "in", round(time.time() - t0, 1), "s")
time.sleep(20)
rss = []
for p in procs[1:]:
    for line in open(f"/proc/{p.pid}/status"):
        if line.startswith("VmRSS"): rss.append(int(line.split()[1]))
rss.sort()
print("client idle RSS KB: min", rss[0], "median", rss[len(rss)//2], "max", rss[-1])
for line in open(f"/proc/{procs[0].pid}/status"):
    if line.startswith("VmRSS"): print("server RSS KB", line.split()[1])
# kill 5 clients, time until all survivors see them failed
t1 = time.time()
for p in procs[1:6]: p.kill()
dead = {f"n{i}" for i in range(1, 6)}
def sees(url):
    try:
        ms = json.loads(urllib.request.urlopen(url + "/v1/agent/members", timeout=2).read())
        return all(m["Status"] == 4 for m in ms if m["Name"] in dead)
    except Exception: return False
surv = [https[0]] + https[6:]
while time.time() - t1 < 60 and not all(sees(u) for u in surv): time.sleep(0.5)
print("5 killed seen failed by all", len(surv), "survivors in", round(time.time() - t1, 1), "s:", all(sees(u) for u in surv))
for p in procs: p.kill()
