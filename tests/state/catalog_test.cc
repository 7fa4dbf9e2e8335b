#include <gtest/gtest.h>

#include "state/store.h"

namespace consulate::state {
namespace {

RegisterRequest Reg(std::string node, std::string svc_id = "", std::string svc_name = "",
                    std::vector<std::string> tags = {}) {
  RegisterRequest r;
  r.node.node = std::move(node);
  r.node.address = "127.0.0.1";
  r.node.datacenter = "dc1";
  if (!svc_id.empty()) {
    NodeService s;
    s.id = std::move(svc_id);
    s.service = std::move(svc_name);
    s.tags = std::move(tags);
    s.port = 80;
    r.service = s;
  }
  return r;
}

class CountingWaiter : public Waiter {
 public:
  void Fire() override { ++fired; }
  int fired = 0;
};

TEST(CatalogTest, RegisterAndQuery) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(5, Reg("n1", "web1", "web", {"rails"})).ok());
  ASSERT_TRUE(s.EnsureRegistration(6, Reg("n2", "web2", "web", {"v2"})).ok());
  std::map<std::string, std::vector<std::string>> services;
  EXPECT_EQ(s.Services(&services, nullptr), 6u);
  EXPECT_EQ(services["web"], (std::vector<std::string>{"rails", "v2"}));
  std::vector<ServiceInstance> inst;
  EXPECT_EQ(s.ServiceNodes("web", false, &inst, nullptr), 6u);
  ASSERT_EQ(inst.size(), 2u);
  EXPECT_EQ(inst[0].node.node, "n1");
  EXPECT_EQ(inst[0].service.create_index, 5u);
  std::vector<Node> nodes;
  EXPECT_EQ(s.Nodes(&nodes, nullptr), 6u);
  EXPECT_EQ(nodes.size(), 2u);
}

TEST(CatalogTest, ReRegisteringTheSameIsANoop) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(5, Reg("n1", "web1", "web")).ok());
  ASSERT_TRUE(s.EnsureRegistration(9, Reg("n1", "web1", "web")).ok());
  std::vector<ServiceInstance> inst;
  EXPECT_EQ(s.ServiceNodes("web", false, &inst, nullptr), 5u);
  EXPECT_EQ(inst[0].service.modify_index, 5u);
}

TEST(CatalogTest, ChecksFollowTheirService) {
  StateStore s;
  auto r = Reg("n1", "web1", "web", {"t"});
  HealthCheck c;
  c.check_id = "service:web1";
  c.service_id = "web1";
  c.status = "passing";
  r.checks.push_back(c);
  ASSERT_TRUE(s.EnsureRegistration(5, r).ok());
  std::vector<HealthCheck> checks;
  s.ServiceChecks("web", &checks, nullptr);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].service_name, "web");
  EXPECT_EQ(checks[0].service_tags, std::vector<std::string>{"t"});
  HealthCheck orphan;
  orphan.check_id = "x";
  orphan.service_id = "nope";
  auto bad = Reg("n1");
  bad.checks.push_back(orphan);
  EXPECT_FALSE(s.EnsureRegistration(6, bad).ok());
  ASSERT_TRUE(s.Deregister(7, DeregisterRequest{"n1", "web1", ""}).ok());
  checks.clear();
  s.ChecksInState("any", &checks, nullptr);
  EXPECT_TRUE(checks.empty());
  std::vector<ServiceInstance> inst;
  EXPECT_EQ(s.ServiceNodes("web", true, &inst, nullptr), 7u);  // the extinction index
  EXPECT_TRUE(inst.empty());
}

TEST(CatalogTest, ServiceWatchesAreIndependent) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(5, Reg("n1", "a1", "a")).ok());
  ASSERT_TRUE(s.EnsureRegistration(6, Reg("n1", "b1", "b")).ok());
  auto wa = std::make_shared<CountingWaiter>(), wb = std::make_shared<CountingWaiter>();
  WatchSet sa, sb;
  sa.set_waiter(wa);
  sb.set_waiter(wb);
  std::vector<ServiceInstance> inst;
  s.ServiceNodes("a", true, &inst, &sa);
  s.ServiceNodes("b", true, &inst, &sb);
  auto r = Reg("n2", "a2", "a");
  ASSERT_TRUE(s.EnsureRegistration(7, r).ok());
  EXPECT_EQ(wa->fired, 1);
  EXPECT_EQ(wb->fired, 0);
}

TEST(CatalogTest, NodeCheckTouchesEveryServiceOnNode) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(5, Reg("n1", "a1", "a")).ok());
  auto w = std::make_shared<CountingWaiter>();
  WatchSet ws;
  ws.set_waiter(w);
  std::vector<ServiceInstance> inst;
  s.ServiceNodes("a", true, &inst, &ws);
  auto r = Reg("n1");
  HealthCheck c;
  c.check_id = "serfHealth";
  c.status = "passing";
  r.checks.push_back(c);
  ASSERT_TRUE(s.EnsureRegistration(8, r).ok());
  EXPECT_EQ(w->fired, 1);
  inst.clear();
  EXPECT_EQ(s.ServiceNodes("a", true, &inst, nullptr), 8u);
  ASSERT_EQ(inst[0].checks.size(), 1u);
}

TEST(CatalogTest, SnapshotKeepsCatalog) {
  StateStore s;
  auto r = Reg("n1", "web1", "web", {"x"});
  r.service->meta["env"] = "prod";
  r.service->tagged_addresses["lan"] = ServiceAddress{"10.0.0.1", 8080};
  r.service->weights.passing = 3;
  HealthCheck c;
  c.check_id = "service:web1";
  c.service_id = "web1";
  r.checks.push_back(c);
  ASSERT_TRUE(s.EnsureRegistration(5, r).ok());
  StateStore t;
  ASSERT_TRUE(t.RestoreSnapshot(s.EncodeSnapshot()).ok());
  std::vector<ServiceInstance> inst;
  EXPECT_EQ(t.ServiceNodes("web", true, &inst, nullptr), 5u);
  ASSERT_EQ(inst.size(), 1u);
  EXPECT_TRUE(inst[0].service.SameAs(r.service.value()));
  EXPECT_EQ(inst[0].checks.size(), 1u);
}

}  // namespace
}  // namespace consulate::state
