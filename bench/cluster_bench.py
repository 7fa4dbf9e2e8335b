#!/usr/bin/env python3
"""Side-by-side 3-server benchmark (one run, same load generator, same machine, loopback only):

  * Consulate: 3 servers on 127.0.0.1-3 (-bootstrap-expect 3, data dirs, fsync on)
  * etcd 3.4 (Debian's etcd-server): a 3-member cluster on 127.0.0.1-3, v2 HTTP keys API
  * Consul 1.8.7 (../shared/oracle/get-consul-1.8.7): 3 servers on 127.0.0.1-3

Load: wrk, 2 threads, 64 connections (64 writers), 128-byte values PUT to 1000 keys, sent to the
leader. Then leader failover: with raft_multiplier=1 (etcd: its defaults, 100 ms heartbeat and
1 s election), SIGKILL the leader and time until a surviving server acknowledges a write; repeated
and the median taken.
Usage: bench/cluster_bench.py BUILD_DIR/consulate [--seconds N] [--failovers N] [--no-consul] [--snapshots]
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kv_bench import free_port, http, wrk, stop, ORACLE, HERE  # noqa: E402

HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]


def free_port_on(host):
    import socket
    s = socket.socket()
    s.bind((host, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def try_put(url, timeout=1.0):
    try:
        st, body = http("PUT", url, b"v", timeout=timeout)
        return st == 200
    except Exception:
        return False


class ConsulLike:
    """Three agents of Consulate or Consul, same flags."""

    def __init__(self, binary, tmp, is_consul, multiplier=1, extra=None):
        self.binary, self.procs, self.http, self.dirs = binary, {}, {}, {}
        self.ports = {}
        for h in HOSTS:
            d = tempfile.mkdtemp(dir=tmp)
            ports = {"http": free_port_on(h), "dns": free_port_on(h), "server": free_port_on(h),
                     "serf_lan": free_port_on(h), "serf_wan": free_port_on(h)}
            if is_consul:
                ports["grpc"] = free_port_on(h)
            cfg = {"ports": ports, "performance": {"raft_multiplier": multiplier}, **(extra or {})}
            with open(os.path.join(d, "cfg.json"), "w") as f:
                json.dump(cfg, f)
            self.dirs[h], self.ports[h], self.http[h] = d, ports, f"http://{h}:{ports['http']}"
        for i, h in enumerate(HOSTS):
            self.start(h, join=None if i == 0 else HOSTS[0])

    def start(self, h, join=None):
        d = self.dirs[h]
        args = [self.binary, "agent", "-server", "-bootstrap-expect", "3", "-node", f"n{h[-1]}",
                "-data-dir", os.path.join(d, "data"), "-bind", h, "-client", h,
                "-config-file", os.path.join(d, "cfg.json")]
        join = join or next(x for x in HOSTS if x != h)
        args += ["-retry-join", f"{join}:{self.ports[join]['serf_lan']}"]
        self.procs[h] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def leader_host(self, timeout=60, among=None):
        end = time.time() + timeout
        while time.time() < end:
            for h in among or HOSTS:
                try:
                    st, body = http("GET", self.http[h] + "/v1/status/leader", timeout=1)
                    addr = json.loads(body)
                    if st == 200 and addr:
                        return addr.rsplit(":", 1)[0]
                except Exception:
                    pass
            time.sleep(0.05)
        raise RuntimeError("no leader")

    def put_url(self, h, key):
        return f"{self.http[h]}/v1/kv/{key}"

    def stop_all(self):
        for p in self.procs.values():
            stop(p)


class Etcd:
    def __init__(self, tmp):
        self.procs, self.http, self.peer, self.tmp = {}, {}, {}, tmp
        for h in HOSTS:
            self.http[h] = f"http://{h}:{free_port_on(h)}"
            self.peer[h] = f"http://{h}:{free_port_on(h)}"
        self.cluster = ",".join(f"e{h[-1]}={self.peer[h]}" for h in HOSTS)
        for h in HOSTS:
            self.start(h, "new")

    def start(self, h, state="existing"):
        cu = self.http[h]
        self.procs[h] = subprocess.Popen(
            ["etcd", "--name", f"e{h[-1]}", "--data-dir", os.path.join(self.tmp, f"etcd{h[-1]}"),
             "--listen-client-urls", cu, "--advertise-client-urls", cu,
             "--listen-peer-urls", self.peer[h], "--initial-advertise-peer-urls", self.peer[h],
             "--initial-cluster", self.cluster, "--initial-cluster-state", state, "--enable-v2=true"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def leader_host(self, timeout=60, among=None):
        end = time.time() + timeout
        while time.time() < end:
            for h in among or HOSTS:
                try:
                    st, body = http("GET", self.http[h] + "/v2/stats/self", timeout=1)
                    if st == 200 and json.loads(body).get("state") == "StateLeader":
                        return h
                except Exception:
                    pass
            time.sleep(0.05)
        raise RuntimeError("no etcd leader")

    def put_url(self, h, key):
        return f"{self.http[h]}/v2/keys/{key}?value=v"

    def stop_all(self):
        for p in self.procs.values():
            stop(p)


def failover(system, n, put):
    times = []
    for _ in range(n):
        lead = system.leader_host()
        others = [h for h in HOSTS if h != lead]
        for h in HOSTS:
            end = time.time() + 30
            while not put(system.put_url(lead, "warm")) and time.time() < end:
                time.sleep(0.05)
        time.sleep(1.5)
        t0 = time.time()
        system.procs[lead].send_signal(signal.SIGKILL)
        system.procs[lead].wait()
        done = None
        while time.time() - t0 < 30 and done is None:
            for h in others:
                if put(system.put_url(h, "after-kill"), 0.5):
                    done = time.time() - t0
                    break
        times.append(done if done is not None else float("inf"))
        system.start(lead) if isinstance(system, ConsulLike) else system.start(lead, "existing")
        time.sleep(3)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("consulate")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--failovers", type=int, default=5)
    ap.add_argument("--no-consul", action="store_true")
    ap.add_argument("--snapshots", action="store_true",
                    help="also run Consulate with a snapshot check every 1-2 s (Consul's default is "
                         "every 30-60 s, so an 8 s run would write none), for p99 during snapshots")
    args = ap.parse_args()
    if not shutil.which("wrk") or not shutil.which("etcd"):
        sys.exit("needs wrk and etcd-server (CONSULATE_BENCH_PEERS=1 bash scripts/setup.sh)")
    consul_bin = None
    if not args.no_consul and os.path.exists(ORACLE):
        consul_bin = subprocess.run([ORACLE], capture_output=True, text=True).stdout.strip() or None
    tmp = tempfile.mkdtemp(prefix="cluster-bench-")
    lua = os.path.join(HERE, "put.lua")
    results, fail = {}, {}

    def wrk64(url, prefix, body_prefix=None):
        out = subprocess.run(["wrk", "-t2", "-c64", f"-d{args.seconds}s", "--latency", "-s", script(prefix, body_prefix), url],
                             capture_output=True, text=True).stdout
        import re
        from kv_bench import parse_latency
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
        errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {"rps": float(m.group(1)) if m else 0.0, "p50": parse_latency(out, "50%"),
                "p99": parse_latency(out, "99%"), "non2xx": int(errs.group(1)) if errs else 0}

    def script(prefix, body_prefix):
        path = os.path.join(tmp, f"run{time.time_ns()}.lua")
        with open(path, "w") as f:
            f.write(f'PREFIX="{prefix}"\n')
            if body_prefix:
                f.write(f'BODY_PREFIX="{body_prefix}"\n')
            f.write(open(lua).read())
        return path

    systems = [("consulate", lambda: ConsulLike(args.consulate, tmp, False))]
    if args.snapshots:
        systems.append(("consulate+snap", lambda: ConsulLike(
            args.consulate, tmp, False, extra={"raft_snapshot_interval": "1s"})))
    systems.append(("etcd-3.4", lambda: Etcd(tmp)))
    if consul_bin:
        systems.append(("consul-1.8.7", lambda: ConsulLike(consul_bin, tmp, True)))
    for name, make in systems:
        s = make()
        try:
            lead = s.leader_host()
            end = time.time() + 30
            while not try_put(s.put_url(lead, "ready")) and time.time() < end:
                time.sleep(0.1)
            snaps, watching = set(), [name == "consulate+snap"]
            if watching[0]:  # snapshot files the leader writes during the load
                snap_dir = os.path.join(s.dirs[lead], "data", "raft", "snapshots")

                def watch():
                    while watching[0]:
                        try:
                            snaps.update(f for f in os.listdir(snap_dir) if f.endswith(".snap"))
                        except OSError:
                            pass
                        time.sleep(0.05)
                import threading
                watcher = threading.Thread(target=watch)
                watcher.start()
            if name == "etcd-3.4":
                results[name] = wrk64(s.http[lead] + "/", "/v2/keys/bench/k", "value=")
            else:
                results[name] = wrk64(s.http[lead] + "/", "/v1/kv/bench/k")
            if watching[0]:
                watching[0] = False
                watcher.join()
            print(f"{name:14s} PUT {results[name]['rps']:9.0f} req/s  p50 {results[name]['p50']:.2f} ms"
                  f"  p99 {results[name]['p99']:.2f} ms  non-2xx {results[name]['non2xx']}"
                  + (f"  snapshots written by the leader: {len(snaps)}" if name == "consulate+snap" else ""),
                  flush=True)
            if args.failovers and name != "consulate+snap":
                t = failover(s, args.failovers, try_put)
                fail[name] = t
                print(f"{name:14s} failover to an acknowledged write: median {statistics.median(t):.2f} s"
                      f"  all {[round(x, 2) for x in t]}", flush=True)
        finally:
            s.stop_all()
    base = results["consulate"]["rps"]
    for peer in results:
        if not peer.startswith("consulate") and results[peer]["rps"]:
            print(f"consulate / {peer}: PUT {base / results[peer]['rps']:.2f}x")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
