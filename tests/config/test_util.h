// Temporary directories and files for config loading tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"

namespace consulate::config::testing {

// A fresh directory under $TMPDIR, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "consulate-config-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to <dir>/<name> (creating subdirectories) and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string Mkdir(const std::string& name) const {
    std::filesystem::path p = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(p);
    return p.string();
  }

 private:
  std::string path_;
};

// Host facts fixed for tests: one private IPv4 address, no public IPv6, a known host name.
inline LoadOptions HermeticOptions() {
  LoadOptions o;
  o.private_ipv4 = [] { return std::vector<std::string>{"10.1.2.3"}; };
  o.public_ipv6 = [] { return std::vector<std::string>{}; };
  o.hostname = [] { return std::string("test-host"); };
  return o;
}

}  // namespace consulate::config::testing
