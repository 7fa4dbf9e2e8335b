#!/usr/bin/env python3
"""N concurrent blocking queries on distinct services (/v1/health/service/svc-i?index=...) held by one agent:
memory per held query, wake-up latency of the one watcher whose service changes, and needless wake-ups.
Usage: bench/service_watchers.py BUILD/consulate [N]   (default 20000; the issue's target: <= 4 KB each,
one registration wakes only that service's watchers)."""
import asyncio
import json
import os
import resource
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from kv_bench import free_port, rss_kb  # noqa: E402

import subprocess  # noqa: E402


async def http(reader, writer, method, path, body=b""):
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    hdr = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    data = await reader.readexactly(int(hdr.get("content-length", "0")))
    return hdr, data


async def main(binary, n):
    d = tempfile.mkdtemp(prefix="consulate-svcwatch-")
    port = free_port()
    cfg = os.path.join(d, "c.json")
    with open(cfg, "w") as f:
        json.dump({"ports": {"http": port, "dns": free_port(), "server": free_port(), "serf_lan": free_port(),
                             "serf_wan": free_port()}, "limits": {"http_max_conns_per_client": n + 100}}, f)
    p = subprocess.Popen([binary, "agent", "-dev", "-bind", "127.0.0.1", "-client", "127.0.0.1", "-config-file", cfg],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                r, w = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.02)
        for i in range(n):
            body = json.dumps({"Node": "n1", "Address": "10.0.0.1",
                               "Service": {"Service": f"svc-{i}", "Port": 1}}).encode()
            await http(r, w, "PUT", "/v1/catalog/register", body)
        hdr, _ = await http(r, w, "GET", "/v1/catalog/services")
        idx = hdr["x-consul-index"]
        rss0 = rss_kb(p.pid)
        woke = {}

        async def watch(i):
            rr, ww = await asyncio.open_connection("127.0.0.1", port)
            ww.write(f"GET /v1/health/service/svc-{i}?index={idx}&wait=60s HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            await ww.drain()
            await rr.readuntil(b"\r\n\r\n")
            woke[i] = time.monotonic()
            ww.close()

        tasks = [asyncio.create_task(watch(i)) for i in range(n)]
        await asyncio.sleep(max(3, n / 2000))
        rss1 = rss_kb(p.pid)
        held = n - len(woke)
        t0 = time.monotonic()
        body = json.dumps({"Node": "n2", "Address": "10.0.0.2", "Service": {"Service": "svc-7", "Port": 2}}).encode()
        await http(r, w, "PUT", "/v1/catalog/register", body)
        for _ in range(100):
            if 7 in woke:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        per = (rss1 - rss0) * 1024 / max(held, 1)
        lat = (woke.get(7, float("inf")) - t0) * 1000
        needless = len([i for i in woke if i != 7])
        print(f"service watchers: {held}/{n} held, {per:.0f} B/query, wake {lat:.1f} ms, needless {needless}")
        for t in tasks:
            t.cancel()
        return held == n and needless == 0 and per <= 4096
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    ok = asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20000))
    sys.exit(0 if ok else 1)
