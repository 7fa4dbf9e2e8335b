#!/usr/bin/env python3
"""Side-by-side KV benchmark (one run, same load generator, same machine):

  * Consulate: one server, data dir on disk, fsync on
  * etcd 3.4 (Debian's etcd-server), --enable-v2, HTTP v2 keys API
  * Consul 1.8.7 (the reference, ../shared/oracle/get-consul-1.8.7), one server, data dir on disk
  * nginx-light serving Consulate's own GET answer as a static file: the HTTP ceiling here

Load: wrk, 2 threads, 32 connections, 128-byte values; PUT to 1000 keys, GET of one key.
Prints req/s, p50, p99 and the ratios; also idle RSS and time-to-first-PUT of `agent -dev`.
Usage: bench/kv_bench.py BUILD_DIR/consulate [--seconds N] [--markdown FILE]
Needs: apt-get install wrk etcd-server nginx-light (scripts/setup.sh with CONSULATE_BENCH_PEERS=1).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "..", "..", "shared", "oracle", "get-consul-1.8.7")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http(method, url, body=None, timeout=2):
    req = urllib.request.Request(url, data=body, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def wait_put(url, proc, timeout=30):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited {proc.returncode}")
        try:
            if http("PUT", url, b"1", timeout=1)[0] == 200:
                return time.time() - t0
        except Exception:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"{url} not ready")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def parse_latency(text, label):
    m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


def wrk(url, seconds, lua=None, prefix=None, body_prefix=None, tmp="/tmp"):
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url]
    if lua:
        script = os.path.join(tmp, f"run{time.time_ns()}.lua")
        with open(script, "w") as f:
            f.write(f'PREFIX="{prefix}"\n')
            if body_prefix:
                f.write(f'BODY_PREFIX="{body_prefix}"\n')
            f.write(open(lua).read())
        args[1:1] = ["-s", script]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return {"rps": float(m.group(1)) if m else 0.0, "p50": parse_latency(out, "50%"),
            "p99": parse_latency(out, "99%")}


def start_consulate(binary, tmp, dev=False):
    d = tempfile.mkdtemp(dir=tmp)
    hp = free_port()
    cfg = os.path.join(d, "ports.json")
    with open(cfg, "w") as f:
        json.dump({"ports": {"http": hp, "dns": free_port(), "server": free_port(), "serf_lan": free_port(),
                             "serf_wan": free_port()}}, f)
    mode = ["-dev"] if dev else ["-server", "-bootstrap-expect", "1", "-data-dir", os.path.join(d, "data")]
    p = subprocess.Popen([binary, "agent"] + mode + ["-bind", "127.0.0.1", "-client", "127.0.0.1",
                                                     "-config-file", cfg],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, f"http://127.0.0.1:{hp}"


def start_consul(binary, tmp, dev=False):
    d = tempfile.mkdtemp(dir=tmp)
    hp = free_port()
    mode = ["-dev"] if dev else ["-server", "-bootstrap-expect", "1", "-data-dir", os.path.join(d, "data")]
    p = subprocess.Popen([binary, "agent"] + mode + [
        "-bind", "127.0.0.1", "-client", "127.0.0.1", "-http-port", str(hp), "-dns-port", str(free_port()),
        "-server-port", str(free_port()), "-serf-lan-port", str(free_port()), "-serf-wan-port",
        str(free_port()), "-grpc-port", str(free_port())], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, f"http://127.0.0.1:{hp}"


def stop(p):
    if p and p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("consulate")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--markdown")
    args = ap.parse_args()
    if not shutil.which("wrk") or not shutil.which("etcd"):
        sys.exit("needs wrk and etcd-server (CONSULATE_BENCH_PEERS=1 bash scripts/setup.sh)")
    tmp = tempfile.mkdtemp(prefix="consulate-bench-")
    lua = os.path.join(HERE, "put.lua")
    consul_bin = None
    if os.path.exists(ORACLE):
        r = subprocess.run([ORACLE], capture_output=True, text=True)
        consul_bin = r.stdout.strip() if r.returncode == 0 else None
    results = {}
    value = "x" * 128

    # Start-up time and idle memory of `agent -dev`.
    startup = {}
    for name, starter, binary in [("consulate", start_consulate, args.consulate), ("consul-1.8.7", start_consul, consul_bin)]:
        if not binary:
            continue
        t0 = time.time()
        p, url = starter(binary, tmp, dev=True)
        ready = wait_put(url + "/v1/kv/ready", p) if True else 0
        time.sleep(2)
        startup[name] = {"ready_ms": ready * 1000, "rss_kb": rss_kb(p.pid)}
        stop(p)

    # Consulate
    p, url = start_consulate(args.consulate, tmp)
    wait_put(url + "/v1/kv/ready", p)
    results["consulate"] = {"put": wrk(url + "/", args.seconds, lua, "/v1/kv/bench/k", tmp=tmp)}
    http("PUT", url + "/v1/kv/bench/one", value.encode())
    results["consulate"]["get"] = wrk(url + "/v1/kv/bench/one", args.seconds)
    static_body = http("GET", url + "/v1/kv/bench/one")[1]
    stop(p)

    # etcd
    cp, pp = free_port(), free_port()
    ed = subprocess.Popen(["etcd", "--name", "e1", "--data-dir", os.path.join(tmp, "etcd"),
                           "--listen-client-urls", f"http://127.0.0.1:{cp}", "--advertise-client-urls",
                           f"http://127.0.0.1:{cp}", "--listen-peer-urls", f"http://127.0.0.1:{pp}",
                           "--initial-advertise-peer-urls", f"http://127.0.0.1:{pp}", "--initial-cluster",
                           f"e1=http://127.0.0.1:{pp}", "--enable-v2=true"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    eurl = f"http://127.0.0.1:{cp}"
    wait_put(eurl + "/v2/keys/ready", ed)
    results["etcd-3.4"] = {"put": wrk(eurl + "/", args.seconds, lua, "/v2/keys/bench/k", body_prefix="value=", tmp=tmp)}
    http("PUT", eurl + "/v2/keys/bench/one", ("value=" + value).encode())
    results["etcd-3.4"]["get"] = wrk(eurl + "/v2/keys/bench/one", args.seconds)
    stop(ed)

    # Consul 1.8.7
    if consul_bin:
        p, url = start_consul(consul_bin, tmp)
        wait_put(url + "/v1/kv/ready", p, timeout=60)
        results["consul-1.8.7"] = {"put": wrk(url + "/", args.seconds, lua, "/v1/kv/bench/k", tmp=tmp)}
        http("PUT", url + "/v1/kv/bench/one", value.encode())
        results["consul-1.8.7"]["get"] = wrk(url + "/v1/kv/bench/one", args.seconds)
        stop(p)

    # nginx static: the HTTP ceiling
    if shutil.which("nginx"):
        html = os.path.join(tmp, "html")
        os.makedirs(html)
        with open(os.path.join(html, "one"), "wb") as f:
            f.write(static_body)
        np_ = free_port()
        with open(os.path.join(tmp, "nginx.conf"), "w") as f:
            f.write(f"""worker_processes 2; daemon off; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err;
events {{ worker_connections 1024; }}
http {{ access_log off; server {{ listen 127.0.0.1:{np_}; root {html}; keepalive_requests 1000000; }} }}""")
        ng = subprocess.Popen(["nginx", "-c", os.path.join(tmp, "nginx.conf"), "-p", tmp],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        results["nginx-static"] = {"get": wrk(f"http://127.0.0.1:{np_}/one", args.seconds)}
        ng.send_signal(signal.SIGQUIT)
        ng.wait()

    lines = ["| system | PUT req/s | PUT p50 ms | PUT p99 ms | GET req/s | GET p50 ms | GET p99 ms |",
             "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        put, get = r.get("put"), r.get("get")
        f = lambda d, k: (f"{d[k]:.0f}" if k == "rps" else f"{d[k]:.2f}") if d else "-"
        lines.append(f"| {name} | {f(put,'rps')} | {f(put,'p50')} | {f(put,'p99')} | {f(get,'rps')} | {f(get,'p50')} | {f(get,'p99')} |")
    ours = results["consulate"]
    ratios = []
    for peer in ["etcd-3.4", "consul-1.8.7", "nginx-static"]:
        if peer not in results:
            continue
        for op in ["put", "get"]:
            if op in results[peer] and results[peer][op]["rps"]:
                ratios.append(f"{op.upper()} vs {peer}: {ours[op]['rps'] / results[peer][op]['rps']:.2f}x")
    lines.append("")
    lines.append("Ratios (Consulate / peer): " + "; ".join(ratios))
    lines.append("")
    lines.append("| `agent -dev` | ready to serve a PUT | idle RSS |")
    lines.append("|---|---|---|")
    for name, s in startup.items():
        lines.append(f"| {name} | {s['ready_ms']:.0f} ms | {s['rss_kb'] / 1024:.1f} MB |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
