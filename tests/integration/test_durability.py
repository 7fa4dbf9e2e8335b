"""Writes acknowledged over HTTP survive kill -9 and restart; snapshots compact the log and restart
from them; the agent refuses to run without a data dir outside -dev."""
import json
import os
import signal
import subprocess
import threading
import unittest

from agentlib import Agent, BIN, wait_for


class DurabilityTest(unittest.TestCase):
    def test_kill9_loses_nothing_acknowledged(self):
        a = Agent(dev=False).start()
        acked = []
        lock = threading.Lock()

        def writer(w):
            for i in range(150):
                st, _, body = a.req("PUT", f"/v1/kv/dur/{w}/{i}", f"{w}-{i}".encode())
                if st == 200 and body.strip() == b"true":
                    with lock:
                        acked.append(f"dur/{w}/{i}")

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        a.req("DELETE", "/v1/kv/dur/0/0")
        a.stop(signal.SIGKILL)
        a.start()
        st, _, body = a.req("GET", "/v1/kv/dur/?keys")
        self.assertEqual(st, 200)
        keys = set(json.loads(body))
        self.assertEqual(len(acked), 600)
        self.assertEqual(set(acked) - keys, {"dur/0/0"})
        self.assertNotIn("dur/0/0", keys)
        st, _, body = a.req("GET", "/v1/kv/dur/3/149?raw")
        self.assertEqual(body, b"3-149")
        a.stop()

    def test_snapshot_compaction_and_restart(self):
        a = Agent(dev=False, config={"raft_snapshot_threshold": 64, "raft_trailing_logs": 16,
                                     "raft_snapshot_interval": "50ms"}).start()
        for i in range(300):
            self.assertEqual(a.req("PUT", f"/v1/kv/snap/{i % 50}", str(i).encode())[0], 200)
        snaps = os.path.join(a.data_dir, "raft", "snapshots")
        # Checked every 50-100 ms (raft_snapshot_interval), taken once 64 entries are applied.
        self.assertTrue(wait_for(lambda: any(f.endswith(".snap") for f in os.listdir(snaps)), 10),
                        os.listdir(snaps))
        _, h, _ = a.req("GET", "/v1/kv/snap/?recurse")
        idx = int(h["X-Consul-Index"])
        a.stop(signal.SIGKILL)
        a.start()
        st, h, body = a.req("GET", "/v1/kv/snap/?recurse")
        entries = json.loads(body)
        self.assertEqual(len(entries), 50)
        self.assertEqual(int(h["X-Consul-Index"]), idx)
        self.assertEqual(a.req("GET", "/v1/kv/snap/49?raw")[2], b"299")
        self.assertIn("restored snapshot", a.read_log())
        # The index keeps rising after a restart.
        a.req("PUT", "/v1/kv/snap/after", b"1")
        _, h, _ = a.req("GET", "/v1/kv/snap/after")
        self.assertGreater(int(h["X-Consul-Index"]), idx)
        a.stop()

    def test_graceful_restart_keeps_data(self):
        a = Agent(dev=False).start()
        a.req("PUT", "/v1/kv/g/a", b"1")
        self.assertEqual(a.stop(signal.SIGTERM), 0)
        a.start()
        self.assertEqual(a.req("GET", "/v1/kv/g/a?raw")[2], b"1")
        a.stop()

    def test_refuses_to_start_without_data_dir(self):
        r = subprocess.run([BIN, "agent", "-server", "-bind", "127.0.0.1"], capture_output=True, text=True,
                           timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("data_dir", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
