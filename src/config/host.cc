// What the config builder reads from the host: its name and its interface addresses, selected as
// Consul's ipaddr package (ipaddr/detect.go) does for advertise-address detection.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>

#include "config/internal.h"

namespace consulate::config::internal {
namespace {

struct Block {
  int family;
  unsigned char prefix[16];
  int bits;
};

// ipaddr's privateBlocks (RFC 6890 special-purpose ranges). An address in none of them counts as
// public.
const Block kPrivateBlocks[] = {
    {AF_INET, {10}, 8},
    {AF_INET, {100, 64}, 10},
    {AF_INET, {127}, 8},
    {AF_INET, {169, 254}, 16},
    {AF_INET, {172, 16}, 12},
    {AF_INET, {192, 0, 0}, 24},
    {AF_INET, {192, 0, 2}, 24},
    {AF_INET, {192, 168}, 16},
    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128},
    {AF_INET6, {0xfe, 0x80}, 10},
    {AF_INET6, {0xfc, 0x00}, 7},
    {AF_INET6, {0xfe, 0xc0}, 10},
    {AF_INET6, {0x20, 0x01, 0x0d, 0xb8}, 32},
};

bool InBlock(int family, const unsigned char* addr, const Block& b) {
  if (family != b.family) return false;
  int full = b.bits / 8, rest = b.bits % 8;
  if (std::memcmp(addr, b.prefix, full) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (addr[full] & mask) == (b.prefix[full] & mask);
}

bool IsPrivate(int family, const unsigned char* addr) {
  for (const Block& b : kPrivateBlocks)
    if (InBlock(family, addr, b)) return true;
  return false;
}

// Addresses of interfaces that are up and not loopback (ipaddr.activeInterfaceAddresses).
template <typename Pred>
std::vector<std::string> Collect(int family, Pred keep) {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != family) continue;
    if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    char buf[INET6_ADDRSTRLEN];
    const unsigned char* raw;
    if (family == AF_INET) {
      auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      raw = reinterpret_cast<const unsigned char*>(&sin->sin_addr);
      inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
    } else {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      raw = reinterpret_cast<const unsigned char*>(&sin6->sin6_addr);
      inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf));
    }
    if (keep(raw)) out.emplace_back(buf);
  }
  freeifaddrs(list);
  return out;
}

}  // namespace

std::vector<std::string> HostPrivateIPv4() {
  return Collect(AF_INET, [](const unsigned char* a) { return IsPrivate(AF_INET, a); });
}

std::vector<std::string> HostPublicIPv6() {
  return Collect(AF_INET6, [](const unsigned char* a) { return !IsPrivate(AF_INET6, a); });
}

std::vector<std::string> HostInterfaceIPs(std::string_view name) {
  std::vector<std::string> v4, v6;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return v4;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || name != i->ifa_name) continue;
    char buf[INET6_ADDRSTRLEN];
    if (i->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof(buf));
      v4.emplace_back(buf);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, buf,
                sizeof(buf));
      v6.emplace_back(buf);
    }
  }
  freeifaddrs(list);
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

}  // namespace consulate::config::internal
