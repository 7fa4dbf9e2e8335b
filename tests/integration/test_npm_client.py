"""The npm `consul` client (v2) drives a real agent (tests/integration/npm/client_test.mjs)."""
import os
import shutil
import subprocess
import unittest

from agentlib import Agent

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npm")


class NpmClientTest(unittest.TestCase):
    def test_npm_consul_client(self):
        if not shutil.which("node") or not os.path.isdir(os.path.join(HERE, "node_modules", "consul")):
            self.skipTest("node or the npm consul package is missing (scripts/setup.sh installs it)")
        a = Agent().start()
        try:
            r = subprocess.run(["node", "client_test.mjs"], cwd=HERE, capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, CONSUL_HTTP_ADDR=f"{a.host}:{a.http}"))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("all assertions held", r.stdout)
        finally:
            a.stop()


if __name__ == "__main__":
    unittest.main()
