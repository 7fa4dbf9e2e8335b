"""Seed 001's rolling switch to gossip encryption: with encrypt_verify_incoming and
encrypt_verify_outgoing off, an agent that has the key still talks to one that has none; with
both on, the agent without the key is refused."""
import json
import signal
import subprocess
import unittest

from agentlib import Agent, BIN, wait_for


def client(name, host, join_host, join_port):
    a = Agent("-node", name, dev=False, host=host)
    a.args = [x for x in a.args if x not in ("-server", "-bootstrap-expect", "1")]
    a.args += ["-retry-join", f"{join_host}:{join_port}"]
    return a


def members(a):
    st, _, ms = a.json("GET", "/v1/agent/members")
    return {m["Name"]: m["Status"] for m in ms} if st == 200 else {}


class RollingEncryptionTest(unittest.TestCase):
    def start_pair(self, verify, host_a, host_b, name_b):
        key = subprocess.run([BIN, "keygen"], capture_output=True, text=True).stdout.strip()
        a = Agent("-node", "enc-server", dev=False, host=host_a,
                  config={"encrypt": key, "encrypt_verify_incoming": verify,
                          "encrypt_verify_outgoing": verify}).start()
        self.addCleanup(a.stop)
        with open(a.cfgfile) as f:
            lan = json.load(f)["ports"]["serf_lan"]
        b = client(name_b, host_b, host_a, lan)
        b.start(wait=False)
        self.addCleanup(b.stop, signal.SIGKILL)
        return a, b

    def test_verification_off_lets_plain_agents_in(self):
        a, b = self.start_pair(False, "127.0.0.41", "127.0.0.42", "plain-1")
        self.assertTrue(wait_for(lambda: members(a).get("plain-1") == 1 and
                                 members(b).get("enc-server") == 1))

    def test_verification_on_refuses_plain_agents(self):
        a, b = self.start_pair(True, "127.0.0.43", "127.0.0.44", "plain-2")
        self.assertFalse(wait_for(lambda: members(a).get("plain-2") == 1, timeout=8))


if __name__ == "__main__":
    unittest.main()
