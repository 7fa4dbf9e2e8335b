// Test helper: loads packets captured from stock serf agents (tests/gossip/testdata/*.txt).
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace consulate::gossip::testing {

struct CapturedPacket {
  bool tcp = false;
  int src_port = 0;
  int dst_port = 0;
  std::string data;
};

inline std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::string ToHex(std::string_view data) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (char c : data) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

// Lines: "<udp|tcp> <src port> <dst port> <hex>"; '#' starts a comment line.
inline std::vector<CapturedPacket> LoadCapture(const std::string& name) {
  std::ifstream in(std::string(CONSULATE_GOSSIP_TESTDATA) + "/" + name);
  std::vector<CapturedPacket> out;
  std::string proto, hex;
  while (in >> std::ws && in.peek() != EOF) {
    if (in.peek() == '#') {
      std::getline(in, hex);
      continue;
    }
    CapturedPacket p;
    in >> proto >> p.src_port >> p.dst_port >> hex;
    p.tcp = proto == "tcp";
    p.data = FromHex(hex);
    out.push_back(std::move(p));
  }
  return out;
}

// golden_messages.txt: "<name> <hex>" lines made by gen_golden.go with Go's codec.
inline std::map<std::string, std::string> LoadGolden() {
  std::ifstream in(std::string(CONSULATE_GOSSIP_TESTDATA) + "/golden_messages.txt");
  std::map<std::string, std::string> out;
  std::string name, hex;
  while (in >> name >> hex) out[name] = FromHex(hex);
  return out;
}

}  // namespace consulate::gossip::testing
