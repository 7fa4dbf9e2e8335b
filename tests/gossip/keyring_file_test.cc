// The keyring file (serf's KeyringFile): Go's MarshalIndent layout, round trips, and errors.
#include "gossip/keyring_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/file_util.h"

namespace consulate::gossip {
namespace {

class KeyringFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keyring-file-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/local.keyring";
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  void Put(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }
  std::string Get() {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_, path_;
};

TEST_F(KeyringFileTest, WritesGoLayoutPrimaryFirstMode0600) {
  const std::string k1(16, '\x01'), k2(32, '\x02');
  ASSERT_TRUE(WriteKeyringFile(path_, {k1, k2}).ok());
  EXPECT_EQ(Get(),
            "[\n  \"AQEBAQEBAQEBAQEBAQEBAQ==\",\n  "
            "\"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\"\n]");
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto keys = ReadKeyringFile(path_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::vector<std::string>{k1, k2}));
}

TEST_F(KeyringFileTest, ReadsCompactJson) {
  Put(R"(["AQEBAQEBAQEBAQEBAQEBAQ=="])");
  auto keys = ReadKeyringFile(path_);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, std::vector<std::string>{std::string(16, '\x01')});
}

TEST_F(KeyringFileTest, Errors) {
  EXPECT_TRUE(ReadKeyringFile(path_).status().IsNotFound());
  Put("[]");
  EXPECT_EQ(ReadKeyringFile(path_).status().message(), "no keys present in keyring file: " + path_);
  for (const char* bad : {"", "{}", "[\"a\",]", "[\"AQ==\"] x", "[1]", "[\"!!\"]"}) {
    Put(bad);
    EXPECT_FALSE(ReadKeyringFile(path_).ok()) << bad;
  }
}

TEST_F(KeyringFileTest, UnsyncedWriteThenBackgroundSync) {
  const std::string k1(32, '\x03');
  ASSERT_TRUE(WriteKeyringFile(path_, {k1}, /*sync=*/false).ok());
  EXPECT_TRUE(SyncFileAndDir(path_).ok());
  const Status missing = SyncFileAndDir(dir_ + "/absent");
  EXPECT_TRUE(missing.IsIOError());
  EXPECT_NE(missing.message().find(dir_ + "/absent"), std::string::npos);
  {
    KeyringFileSyncer syncer(path_, Logger());
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(WriteKeyringFile(path_, {k1, std::string(16, static_cast<char>(i))},
                                   /*sync=*/false)
                      .ok());
      syncer.Request();
    }
  }  // joins after flushing what is pending
  auto keys = ReadKeyringFile(path_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::vector<std::string>{k1, std::string(16, '\x31')}));
  // A syncer that was never asked starts no thread and stops at once.
  KeyringFileSyncer idle(path_, Logger());
}

}  // namespace
}  // namespace consulate::gossip
