// The tables and listings of `catalog nodes`, `catalog services` and `maint`, byte for byte as
// Consul 1.8.7 prints them for the same data.
#include "cli/listings.h"

#include <gtest/gtest.h>

#include "cli/text.h"

namespace consulate::cli {
namespace {

TEST(ColumnizeTest, PadsAllButTheLastColumnAndTrimsCells) {
  EXPECT_EQ(Columnize({{"Node", "ID", "Address", "DC"}, {"vm", "6f6f3706", "127.0.0.1", "dc1"}}),
            "Node  ID        Address    DC\n"
            "vm    6f6f3706  127.0.0.1  dc1");
  // Cells are trimmed; an empty last cell leaves the glue behind; widths count code points.
  EXPECT_EQ(Columnize({{" a ", "b"}, {"ünï", ""}}), "a    b\nünï  ");
  EXPECT_EQ(Columnize({}), "");
  // Rows may be shorter than others.
  EXPECT_EQ(Columnize({{"a", "b", "c"}, {"long"}}), "a     b  c\nlong");
}

std::vector<api::CatalogNode> SampleNodes() {
  api::CatalogNode ext;
  ext.node = "ext-node-long-name";
  ext.address = "10.0.0.1";
  ext.datacenter = "dc1";
  ext.tagged_addresses = {{"wan", "1.2.3.4"}};
  ext.meta = {{"a|b", "c d"}, {"z", ""}};
  api::CatalogNode vm;
  vm.id = "6f6f3706-fd78-e848-db06-59e8ee82319c";
  vm.node = "vm";
  vm.address = "127.0.0.1";
  vm.datacenter = "dc1";
  vm.tagged_addresses = {{"lan", "127.0.0.1"},
                         {"lan_ipv4", "127.0.0.1"},
                         {"wan", "127.0.0.1"},
                         {"wan_ipv4", "127.0.0.1"}};
  vm.meta = {{"consul-network-segment", ""}};
  return {ext, vm};
}

TEST(FormatCatalogNodesTest, ShortIdsAndAlignment) {
  EXPECT_EQ(FormatCatalogNodes(SampleNodes(), false),
            "Node                ID        Address    DC\n"
            "ext-node-long-name            10.0.0.1   dc1\n"
            "vm                  6f6f3706  127.0.0.1  dc1");
}

TEST(FormatCatalogNodesTest, DetailedShowsFullIdsAddressesAndMeta) {
  EXPECT_EQ(FormatCatalogNodes(SampleNodes(), true),
            "Node                ID                                    Address    DC   "
            "TaggedAddresses                                                       Meta\n"
            "ext-node-long-name                                        10.0.0.1   dc1  "
            "wan=1.2.3.4                                                           a|b=c d, z=\n"
            "vm                  6f6f3706-fd78-e848-db06-59e8ee82319c  127.0.0.1  dc1  "
            "lan=127.0.0.1, lan_ipv4=127.0.0.1, wan=127.0.0.1, wan_ipv4=127.0.0.1  "
            "consul-network-segment=");
}

TEST(FormatCatalogNodesTest, IdIsCutAtItsFirstDashOnly) {
  api::CatalogNode n;
  n.node = "n";
  n.id = "nodash";
  EXPECT_EQ(FormatCatalogNodes({n}, false), "Node  ID      Address  DC\nn     nodash           ");
  n.id = "-lead";
  EXPECT_EQ(FormatCatalogNodes({n}, false), "Node  ID     Address  DC\nn     -lead           ");
}

TEST(FormatCatalogServicesTest, NamesOnePerLine) {
  EXPECT_EQ(FormatCatalogServices({{"web", {"primary"}}, {"consul", {}}, {"a1", {}}}, false),
            "a1\nconsul\nweb");
}

TEST(FormatCatalogServicesTest, TagsColumnSortedAndTrimmedAtTheEnd) {
  EXPECT_EQ(FormatCatalogServices({{"a1", {}},
                                   {"consul", {}},
                                   {"db", {"b", "a"}},
                                   {"extsvc", {"t2", "t1", " sp "}},
                                   {"web", {"primary"}}},
                                  true),
            "a1          \n"
            "consul      \n"
            "db          a,b\n"
            "extsvc       sp ,t1,t2\n"
            "web         primary");
  // The last line's padding goes with the trimming.
  EXPECT_EQ(FormatCatalogServices({{"db", {"a"}}, {"zz", {}}}, true), "db      a\nzz");
}

TEST(FormatMaintenanceTest, NodeAndServiceBlocks) {
  std::vector<api::AgentCheck> checks(3);
  checks[0].check_id = "_node_maintenance";
  checks[0].notes =
      "Maintenance mode is enabled for this node, but no reason was provided. "
      "This is a default message.";
  checks[1].check_id = "_service_maintenance:web";
  checks[1].service_id = "web";
  checks[1].notes = "kernel upgrade";
  checks[2].check_id = "serfHealth";
  EXPECT_EQ(FormatMaintenance("vm", checks),
            "Node:\n"
            "  Name:   vm\n"
            "  Reason: Maintenance mode is enabled for this node, but no reason was provided. "
            "This is a default message.\n"
            "\n"
            "Service:\n"
            "  ID:     web\n"
            "  Reason: kernel upgrade\n"
            "\n");
  EXPECT_EQ(FormatMaintenance("vm", {checks[2]}), "");
}

TEST(DecodeAgentChecksTest, SortedByIdAndNullIsEmpty) {
  Result<std::vector<api::AgentCheck>> checks = api::DecodeAgentChecks(
      R"({"serfHealth":{"CheckID":"serfHealth","Node":"vm","Status":"passing"},
          "_node_maintenance":{"CheckID":"_node_maintenance","Notes":"why","ServiceID":""}})");
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_EQ((*checks)[0].check_id, "_node_maintenance");
  EXPECT_EQ((*checks)[0].notes, "why");
  EXPECT_EQ((*checks)[1].node, "vm");
  EXPECT_EQ((*checks)[1].status, "passing");
  EXPECT_TRUE(api::DecodeAgentChecks("null")->empty());
  EXPECT_FALSE(api::DecodeAgentChecks("[").ok());
}

TEST(DecodeCatalogTest, NodesServicesAndNode) {
  Result<std::vector<api::CatalogNode>> nodes = api::DecodeCatalogNodes(
      R"([{"ID":"i","Node":"n","Address":"a","Datacenter":"dc1",
           "TaggedAddresses":{"lan":"1.1.1.1"},"Meta":null}])");
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ((*nodes)[0].tagged_addresses.at("lan"), "1.1.1.1");
  EXPECT_TRUE((*nodes)[0].meta.empty());

  auto services = api::DecodeCatalogServices(R"({"consul":[],"web":["b","a"]})");
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(services->at("web"), (std::vector<std::string>{"b", "a"}));

  auto instances = api::DecodeCatalogService(
      R"([{"ID":"i","Node":"n","Address":"a","Datacenter":"d","NodeMeta":{"k":"v"},
           "ServiceID":"web1","ServiceName":"web","ServiceTags":["t"]}])");
  ASSERT_TRUE(instances.ok());
  EXPECT_EQ((*instances)[0].node_meta.at("k"), "v");
  EXPECT_EQ((*instances)[0].service_tags, std::vector<std::string>{"t"});

  auto node = api::DecodeCatalogNode(
      R"({"Node":{"Node":"vm"},"Services":{"b":{"ID":"b","Service":"web","Tags":["x"]},
                                           "a":{"ID":"a","Service":"web","Tags":null}}})");
  ASSERT_TRUE(node.ok());
  ASSERT_TRUE(node->has_value());
  EXPECT_EQ((*node)->node.node, "vm");
  ASSERT_EQ((*node)->services.size(), 2u);
  EXPECT_EQ((*node)->services[0].id, "a");
  EXPECT_EQ((*node)->services[1].tags, std::vector<std::string>{"x"});
  EXPECT_FALSE(api::DecodeCatalogNode("null")->has_value());
}

TEST(CatalogQueryParamsTest, NodeMetaAsKeyColonValue) {
  api::CatalogQuery q;
  q.near = "_agent";
  q.node_meta = {{"c", "d"}, {"a", "b=c"}};
  q.filter = "Node == \"x\"";
  EXPECT_EQ(api::CatalogQueryParams(q), (api::Params{{"near", "_agent"},
                                                     {"node-meta", "a:b=c"},
                                                     {"node-meta", "c:d"},
                                                     {"filter", "Node == \"x\""}}));
  EXPECT_TRUE(api::CatalogQueryParams({}).empty());
}

}  // namespace
}  // namespace consulate::cli
