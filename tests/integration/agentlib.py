"""Start real consulate agents on loopback for integration tests, and talk to them over HTTP and the CLI."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

BIN = os.environ.get("CONSULATE_BIN", "consulate")


def free_port(host="127.0.0.1"):
    return free_ports(host, 1)[0]


def free_ports(host, n):
    """n distinct free ports: all are held open together, so none is handed out twice."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Agent:
    """One `consulate agent` process. dev=True runs -dev; otherwise a data dir is used."""

    def __init__(self, *args, dev=True, host="127.0.0.1", data_dir=None, config=None, tmp=None):
        self.host = host
        self.tmp = tmp or tempfile.mkdtemp(prefix="consulate-it-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        http, dns, server, lan, wan = free_ports(host, 5)
        self.http = http
        ports = {"http": http, "dns": dns, "server": server, "serf_lan": lan, "serf_wan": wan}
        cfg = {"ports": ports}
        cfg.update(config or {})
        self.cfgfile = os.path.join(self.tmp, "ports.json")
        with open(self.cfgfile, "w") as f:
            json.dump(cfg, f)
        mode = ["-dev"] if dev else ["-server", "-bootstrap-expect", "1", "-data-dir", self.data_dir]
        self.args = ["agent"] + mode + ["-bind", host, "-client", host, "-config-file", self.cfgfile,
                                        "-node", "it-node"] + list(args)
        self.logpath = os.path.join(self.tmp, "agent.log")
        self.proc = None

    def start(self, wait=True):
        self.log = open(self.logpath, "ab")
        self.proc = subprocess.Popen([BIN] + self.args, stdout=self.log, stderr=self.log)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"agent exited {self.proc.returncode}: {self.read_log()}")
            st, _, _ = self.req("GET", "/v1/status/leader", timeout=1)
            if st == 200:
                return
            time.sleep(0.02)
        raise RuntimeError("agent not ready: " + self.read_log())

    def read_log(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode(errors="replace")

    def url(self, path):
        return f"http://{self.host}:{self.http}{path}"

    def req(self, method, path, body=None, headers=None, timeout=10):
        r = urllib.request.Request(self.url(path), data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(r, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
            return 0, {}, str(e).encode()

    def json(self, method, path, body=None):
        st, h, b = self.req(method, path, body)
        return st, h, (json.loads(b) if b else None)

    def cli(self, *args, input=None, env=None):
        e = dict(os.environ, CONSUL_HTTP_ADDR=f"{self.host}:{self.http}")
        e.update(env or {})
        return subprocess.run([BIN] + list(args), capture_output=True, text=True, env=e, input=input, timeout=30)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None


def wait_for(fn, timeout=15, step=0.05):
    """Calls fn until it returns something true (returned) or the timeout passes (then fn's last
    value)."""
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


def index_of(headers):
    return int(headers.get("X-Consul-Index", "0") or 0)
