// Drives a real consulate agent with the npm `consul` client (v2): KV, agent service registration,
// TTL checks, health and catalog queries. Exits non-zero on the first failed assertion.
import assert from "node:assert/strict";
import Consul from "consul";

const [host, port] = process.env.CONSUL_HTTP_ADDR.split(":");
const consul = new Consul({ host, port: Number(port) });

await consul.kv.set("npm/key", "value");
const kv = await consul.kv.get("npm/key");
assert.equal(kv.Value, "value");
assert.equal(kv.Key, "npm/key");

await consul.agent.service.register({
  name: "npm-svc", id: "npm-1", port: 8081, tags: ["blue"],
  check: { ttl: "10s", status: "passing" },
});
const services = await consul.agent.service.list();
assert.ok(services["npm-1"], "registered service listed by the agent");
assert.deepEqual(services["npm-1"].Tags, ["blue"]);

await consul.agent.check.warn({ id: "service:npm-1", note: "slow" });
await consul.agent.check.pass("service:npm-1");

let healthy = [];
for (let i = 0; i < 50 && healthy.length === 0; i++) {
  healthy = await consul.health.service({ service: "npm-svc", passing: true });
  if (healthy.length === 0) await new Promise((r) => setTimeout(r, 100));
}
assert.equal(healthy.length, 1);
assert.equal(healthy[0].Service.Port, 8081);

const catalog = await consul.catalog.service.list();
assert.deepEqual(catalog["npm-svc"], ["blue"]);
const nodes = await consul.catalog.service.nodes("npm-svc");
assert.equal(nodes[0].ServiceID, "npm-1");

await consul.agent.service.deregister("npm-1");
const after = await consul.agent.service.list();
assert.equal(after["npm-1"], undefined);
await consul.kv.del("npm/key");
assert.equal(await consul.kv.get("npm/key"), undefined);
console.log("npm consul client: all assertions held");
