// cli::Main as a user meets it: dispatch, help, flag errors, argument checks and the messages
// printed before any request is made. Outputs were compared with Consul 1.8.7.
#include "cli/cli.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/base64.h"

namespace consulate::cli {
namespace {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome RunCli(std::vector<std::string> args, std::string stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = Main(args, in, out, err);
  return {code, out.str(), err.str()};
}

// An address on 127.0.0.1 that nothing listens on.
std::string RefusedAddress() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

const char* const kTopLevel[] = {
    "acl",         "agent",    "catalog",   "config", "connect",  "debug",   "event",    "exec",
    "force-leave", "info",     "intention", "join",   "keygen",   "keyring", "kv",       "leave",
    "lock",        "login",    "logout",    "maint",  "members",  "monitor", "operator", "reload",
    "rtt",         "services", "snapshot",  "tls",    "validate", "version", "watch"};

TEST(CliMainTest, NoArgumentsListsCommandsOnStderr) {
  Outcome o = RunCli({});
  EXPECT_EQ(o.code, 127);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err.rfind("Usage: consul [--version] [--help] <command> [<args>]\n\n"
                        "Available commands are:\n",
                        0),
            0u);
  EXPECT_NE(o.err.find("\n    force-leave    Forces a member of the cluster to enter the \"left\" "
                       "state\n"),
            std::string::npos);
  EXPECT_EQ(o.err.substr(o.err.size() - 2), "\n\n");
  for (const char* name : kTopLevel) {
    EXPECT_NE(o.err.find("\n    " + std::string(name) + " "), std::string::npos) << name;
  }
}

TEST(CliMainTest, HelpGoesToStdout) {
  for (const char* flag : {"-h", "-help", "--help"}) {
    Outcome o = RunCli({flag});
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(o.out, TopLevelHelp() + "\n");
    EXPECT_EQ(o.err, "");
  }
}

TEST(CliMainTest, UnknownCommand) {
  EXPECT_EQ(RunCli({"foo"}).code, 127);
  EXPECT_EQ(RunCli({"help"}).code, 127);
  EXPECT_EQ(RunCli({"kv get"}).code, 127);  // one argument holding two words
  EXPECT_EQ(RunCli({"--", "kv"}).code, 127);
}

TEST(CliMainTest, ParentCommandPrintsSubcommands) {
  Outcome o = RunCli({"kv"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err.rfind("Usage: consul kv <subcommand> [options] [args]\n", 0), 0u);
  EXPECT_NE(o.err.find("\n\nSubcommands:\n"
                       "    delete    Removes data from the KV store\n"
                       "    export    Exports a tree from the KV store as JSON\n"
                       "    get       Retrieves or lists data from the KV store\n"
                       "    import    Imports a tree stored as JSON to the KV store\n"
                       "    put       Sets or updates data in the KV store\n"),
            std::string::npos);
  Outcome help = RunCli({"kv", "-h"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out, o.err);
}

TEST(CliMainTest, VersionFlagsBeforeTheCommand) {
  for (const char* flag : {"-v", "-version", "--version"}) {
    Outcome o = RunCli({flag, "kv"});
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(o.out.rfind("Consul v1.8.7\n", 0), 0u);
  }
  // After the command it is the command's flag.
  EXPECT_EQ(RunCli({"kv", "get", "-v"}).err.rfind("flag provided but not defined: -v\nUsage:\n", 0),
            0u);
}

TEST(CliMainTest, FlagsBeforeTheCommand) {
  Outcome o = RunCli({"-foo", "kv", "get"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err.rfind("Invalid flags before the subcommand. If these flags are for\n"
                        "the subcommand, please put them after the subcommand.\n\n"
                        "Usage: consul kv get [options] [KEY_OR_PREFIX]\n",
                        0),
            0u);
}

TEST(CliMainTest, CommandHelpAnywhereBeforeDoubleDash) {
  Outcome o = RunCli({"kv", "get", "a", "-h"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out.rfind("Usage: consul kv get [options] [KEY_OR_PREFIX]\n", 0), 0u);
  EXPECT_NE(o.out.find("\nHTTP API Options\n\n  -ca-file=<value>\n"), std::string::npos);
  EXPECT_NE(o.out.find("\nCommand Options\n\n  -base64\n"), std::string::npos);
  EXPECT_NE(o.out.find("\n  -separator=<string>\n"), std::string::npos);
  EXPECT_NE(o.out.find("\n  -http-addr=<address>\n"), std::string::npos);
  EXPECT_NE(o.out.find("\n  -namespace=<default>\n"), std::string::npos);
  EXPECT_EQ(o.out.back(), '\n');
  EXPECT_NE(o.out[o.out.size() - 2], '\n');
}

TEST(CliMainTest, KnownAndUnimplementedCommands) {
  EXPECT_TRUE(IsKnownCommand("agent"));
  EXPECT_TRUE(IsKnownCommand("kv put"));
  EXPECT_TRUE(IsKnownCommand("acl token create"));
  EXPECT_FALSE(IsKnownCommand("kv foo"));
  std::vector<std::string> missing = UnimplementedCommands();
  EXPECT_NE(std::find(missing.begin(), missing.end(), "exec"), missing.end());
  EXPECT_EQ(std::find(missing.begin(), missing.end(), "kv put"), missing.end());
  EXPECT_EQ(std::find(missing.begin(), missing.end(), "agent"), missing.end());

  Outcome o = RunCli({"exec"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Error: \"exec\" is not implemented in this version of Consulate\n");
  o = RunCli({"acl", "token", "create", "-x"});
  EXPECT_EQ(o.err, "Error: \"acl token create\" is not implemented in this version of Consulate\n");
  EXPECT_EQ(RunCli({"agent"}).code, 1);
}

TEST(CliVersionTest, PrettyAndJson) {
  Outcome o = RunCli({"version"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out,
            "Consul v1.8.7\nRevision consulate-" CONSULATE_VERSION
            "\nProtocol 2 spoken by default, understands 2 to 3 (agent will automatically use "
            "protocol >2 when speaking to compatible agents)\n\n");
  o = RunCli({"version", "-format=json"});
  EXPECT_EQ(o.out, "{\n   \"Version\": \"1.8.7\",\n   \"Revision\": \"consulate-" CONSULATE_VERSION
                   "\",\n   \"Prerelease\": \"\",\n   \"RPC\": {\n      \"Default\": 2,\n"
                   "      \"Min\": 2,\n      \"Max\": 3\n   }\n}\n");
  o = RunCli({"version", "-format=xml"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Unknown format: xml\n");
}

TEST(CliKeygenTest, ThirtyTwoRandomBytes) {
  Outcome a = RunCli({"keygen"});
  Outcome b = RunCli({"keygen"});
  ASSERT_EQ(a.code, 0);
  ASSERT_EQ(a.out.size(), 45u);
  Result<std::string> key = Base64Decode(a.out.substr(0, 44));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 32u);
  EXPECT_NE(a.out, b.out);
  EXPECT_EQ(RunCli({"keygen", "-x"}).err, "flag provided but not defined: -x\nUsage:\n");
}

TEST(CliKvPutTest, ArgumentChecks) {
  EXPECT_EQ(RunCli({"kv", "put"}).err, "Error! Missing KEY argument\n");
  EXPECT_EQ(RunCli({"kv", "put", "a", "b", "c"}).err,
            "Error! Too many arguments (expected 1 or 2, got 3)\n");
  EXPECT_EQ(RunCli({"kv", "put", "-cas", "x", "y"}).err, "Must specify -modify-index with -cas!\n");
  EXPECT_EQ(RunCli({"kv", "put", "-acquire", "x", "y"}).err,
            "Error! Missing -session (required with -acquire and -release)\n");
  // The session check comes before the CAS check.
  EXPECT_EQ(RunCli({"kv", "put", "-cas", "-release", "x"}).err,
            "Error! Missing -session (required with -acquire and -release)\n");
  EXPECT_EQ(RunCli({"kv", "put", "x", "@/nonexistent/file"}).err,
            "Error! Failed to read file: open /nonexistent/file: no such file or directory\n");
  Outcome o = RunCli({"kv", "put", "-base64", "-cas", "x", "!!"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err,
            "Error! Cannot base 64 decode data: illegal base64 data at input byte 0\n"
            "Must specify -modify-index with -cas!\n");
  o = RunCli({"kv", "put", "-flags=abc", "x", "y"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(
      o.err.rfind("invalid value \"abc\" for flag -flags: parse error\nUsage:\n  -acquire\n", 0),
      0u);
  EXPECT_NE(o.err.find("\n  -flags uint\n"), std::string::npos);
  EXPECT_NE(o.err.find("\n  -http-addr address\n"), std::string::npos);
}

TEST(CliKvPutTest, ConnectionErrorsNameTheRequest) {
  std::string addr = RefusedAddress();
  std::string dial = "dial tcp " + addr + ": connect: connection refused";
  EXPECT_EQ(RunCli({"kv", "put", "-http-addr=" + addr, "x", "y"}).err,
            "Error! Failed writing data: Put \"http://" + addr + "/v1/kv/x\": " + dial + "\n");
  EXPECT_EQ(
      RunCli({"kv", "put", "-http-addr=" + addr, "-flags=5", "-cas", "-modify-index=3", "x"}).err,
      "Error! Did not write to x: Put \"http://" + addr + "/v1/kv/x?cas=3&flags=5\": " + dial +
          "\n");
  EXPECT_EQ(
      RunCli({"kv", "put", "-http-addr=" + addr, "-acquire", "-session=s", "x"}).err,
      "Error! Failed writing data: Put \"http://" + addr + "/v1/kv/x?acquire=s\": " + dial + "\n");
  // Consul prints the key rather than the error here.
  EXPECT_EQ(RunCli({"kv", "put", "-http-addr=" + addr, "-release", "-session=s", "x"}).err,
            "Error! Failed writing data: x\n");
  EXPECT_EQ(RunCli({"kv", "put", "-http-addr=ftp://x", "x"}).err,
            "Error connecting to Consul agent: Unknown protocol scheme: ftp\n");
}

TEST(CliKvGetTest, ArgumentChecksAndErrors) {
  EXPECT_EQ(RunCli({"kv", "get"}).err, "Error! Missing KEY argument\n");
  EXPECT_EQ(RunCli({"kv", "get", "a", "b"}).err, "Too many arguments (expected 1, got 2)\n");
  EXPECT_EQ(
      RunCli({"kv", "get", "-stale=x", "a"})
          .err.rfind("invalid boolean value \"x\" for -stale: strconv.ParseBool: parsing \"x\": "
                     "invalid syntax\nUsage:\n",
                     0),
      0u);
  std::string addr = RefusedAddress();
  std::string dial = "dial tcp " + addr + ": connect: connection refused";
  EXPECT_EQ(RunCli({"kv", "get", "-http-addr=" + addr, "/x"}).err,
            "Error querying Consul agent: Get \"http://" + addr + "/v1/kv/x\": " + dial + "\n");
  EXPECT_EQ(RunCli({"kv", "get", "-keys", "-stale", "-datacenter=dc1", "-http-addr=" + addr}).err,
            "Error querying Consul agent: Get \"http://" + addr +
                "/v1/kv/?dc=dc1&keys=&separator=%2F&stale=\": " + dial + "\n");
  EXPECT_EQ(RunCli({"kv", "get", "-token-file=/nonexistent/t", "x"}).err,
            "Error connecting to Consul agent: Error loading token file: open /nonexistent/t: no "
            "such file or directory\n");
}

TEST(CliKvDeleteTest, ArgumentChecks) {
  EXPECT_EQ(RunCli({"kv", "delete"}).err, "Error! Missing KEY argument\n");
  EXPECT_EQ(RunCli({"kv", "delete", "a", "b"}).err, "Too many arguments (expected 1, got 2)\n");
  EXPECT_EQ(RunCli({"kv", "delete", "-cas", "a"}).err, "Must specify -modify-index with -cas!\n");
  EXPECT_EQ(RunCli({"kv", "delete", "-modify-index=3", "a"}).err,
            "Cannot specify -modify-index without -cas!\n");
  EXPECT_EQ(RunCli({"kv", "delete", "-cas", "-recurse", "-modify-index=3", "a"}).err,
            "Cannot specify both -cas and -recurse!\n");
  std::string addr = RefusedAddress();
  std::string dial = "dial tcp " + addr + ": connect: connection refused";
  EXPECT_EQ(RunCli({"kv", "delete", "-http-addr=" + addr, "-recurse", "p"}).err,
            "Error! Did not delete prefix p: Delete \"http://" + addr +
                "/v1/kv/p?recurse=\": " + dial + "\n");
  EXPECT_EQ(RunCli({"kv", "delete", "-http-addr=" + addr, "k"}).err,
            "Error deleting key k: Delete \"http://" + addr + "/v1/kv/k\": " + dial + "\n");
}

TEST(CliKvImportTest, DataChecksAndJsonErrors) {
  EXPECT_EQ(RunCli({"kv", "import"}).err, "Error! Missing DATA argument\n");
  EXPECT_EQ(RunCli({"kv", "import", ""}).err, "Error! Empty DATA argument\n");
  EXPECT_EQ(RunCli({"kv", "import", "a", "b"}).err,
            "Error! Too many arguments (expected 1, got 2)\n");
  EXPECT_EQ(RunCli({"kv", "import", "garbage"}).err,
            "Cannot unmarshal data: invalid character 'g' looking for beginning of value\n");
  EXPECT_EQ(RunCli({"kv", "import", "-"}, "").err,
            "Cannot unmarshal data: unexpected end of JSON input\n");
  Outcome o = RunCli({"kv", "import", "-"}, "[]");
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(RunCli({"kv", "import", "[{\"key\":\"k\",\"value\":\"!!\"}]"}).err,
            "Error base 64 decoding value for key k: illegal base64 data at input byte 0\n");

  std::string path = ::testing::TempDir() + "/consulate_import_test.json";
  std::ofstream(path) << "[{\"flags\":\"x\"}]";
  EXPECT_EQ(RunCli({"kv", "import", "@" + path}).err,
            "Cannot unmarshal data: json: cannot unmarshal string into Go struct field "
            "Entry.flags of type uint64\n");
  std::remove(path.c_str());

  std::string addr = RefusedAddress();
  EXPECT_EQ(RunCli({"kv", "import", "-http-addr=" + addr, "[{\"key\":\"a\",\"value\":\"\"}]"}).err,
            "Error! Failed writing data for key a: Put \"http://" + addr + "/v1/kv/a\": dial tcp " +
                addr + ": connect: connection refused\n");
}

TEST(CliKvExportTest, Errors) {
  EXPECT_EQ(RunCli({"kv", "export", "a", "b"}).err, "Too many arguments (expected 1, got 2)\n");
  std::string addr = RefusedAddress();
  EXPECT_EQ(RunCli({"kv", "export", "-http-addr=" + addr, "p"}).err,
            "Error querying Consul agent: Get \"http://" + addr + "/v1/kv/p?recurse=\": dial tcp " +
                addr + ": connect: connection refused\n");
}

TEST(CliInfoLeaveTest, Errors) {
  std::string addr = RefusedAddress();
  std::string dial = "dial tcp " + addr + ": connect: connection refused";
  EXPECT_EQ(RunCli({"info", "-http-addr=" + addr}).err,
            "Error querying agent: Get \"http://" + addr + "/v1/agent/self\": " + dial + "\n");
  EXPECT_EQ(RunCli({"leave", "-http-addr=" + addr}).err,
            "Error leaving: Put \"http://" + addr + "/v1/agent/leave\": " + dial + "\n");
  Outcome o = RunCli({"leave", "x", "y"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Error found unexpected args: [x y]\n");
  EXPECT_EQ(o.out.rfind("Usage: consul leave [options]\n", 0), 0u);
}

TEST(CliValidateTest, ArgumentChecks) {
  EXPECT_EQ(RunCli({"validate"}).err, "Must specify at least one config file or directory\n");
  EXPECT_EQ(RunCli({"validate", "-config-format=yaml", "x"}).err,
            "-config-format must be either 'hcl' or 'json\n");
  Outcome o = RunCli({"validate", "-quiet=x", "a"});
  EXPECT_EQ(o.code, 1);
  // Consul's validate repeats the flag error after the usage.
  EXPECT_EQ(o.err.substr(o.err.size() - 51),
            "\ninvalid boolean value \"x\" for -quiet: parse error\n");
}

}  // namespace
}  // namespace consulate::cli
