// serf_ping_probe: an interop smoke test against a running stock serf (or Consul) agent. Not a
// ctest test: it needs a live peer. It
//   1. sends a memberlist ping over UDP and waits for the matching ack (and its Vivaldi payload),
//   2. does a TCP push/pull (join=false, no nodes of ours, so the agent merges nothing) and
//      decodes the agent's member list and serf state from the answer.
//
//   serf agent -node=a -bind=127.0.0.1:7946 -rpc-addr=127.0.0.1:7373 [-encrypt KEY]
//   serf_ping_probe 127.0.0.1 7946 a [KEY]
//
// Exit code 0 when both exchanges decoded. Loopback or lab addresses only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include "base/base64.h"
#include "gossip/messages.h"
#include "gossip/packet.h"
#include "gossip/serf_messages.h"

using namespace consulate;
using namespace consulate::gossip;

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  return 1;
}

std::string Hex(std::string_view s) {
  std::string out;
  char buf[3];
  for (char c : s) {
    std::snprintf(buf, sizeof(buf), "%02x", static_cast<uint8_t>(c));
    out += buf;
  }
  return out;
}

// Waits up to `ms` for fd to become readable.
bool WaitReadable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1;
}

int UdpPing(const sockaddr_in& peer, const std::string& node, const Keyring* ring) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return Fail("socket");
  const uint32_t seq = std::random_device{}();
  Ping ping;
  ping.seq_no = seq;
  ping.node = node;
  PacketWriteOptions options;
  options.keyring = ring;
  auto packet = EncodePacket(EncodeMessage(ping), options);
  if (!packet.ok()) return Fail(packet.status().ToString());
  const auto start = std::chrono::steady_clock::now();
  if (sendto(fd, packet->data(), packet->size(), 0, reinterpret_cast<const sockaddr*>(&peer),
             sizeof(peer)) < 0) {
    return Fail("sendto");
  }
  std::printf("udp: sent ping seq=%u to node %s (%zu bytes)\n", seq, node.c_str(), packet->size());
  char buf[65536];
  while (WaitReadable(fd, 2000)) {
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    const auto rtt = std::chrono::steady_clock::now() - start;
    std::printf("udp: received %zd bytes: %s%s\n", n,
                Hex(std::string_view(buf, std::min<ssize_t>(n, 48))).c_str(), n > 48 ? "..." : "");
    auto unpacked = UnpackPacket(std::string_view(buf, n), PacketReadOptions{ring});
    if (!unpacked.ok()) return Fail("unpack: " + unpacked.status().ToString());
    for (const auto& m : unpacked->messages) {
      if (m.type != MessageType::kAck) {
        std::printf("udp:   piggybacked message type %d\n", static_cast<int>(m.type));
        continue;
      }
      Ack ack;
      if (Status s = DecodeMessage(m.body, &ack); !s.ok()) return Fail("ack: " + s.ToString());
      if (ack.seq_no != seq) continue;
      serf::Coordinate c;
      Status s = serf::DecodeAckPayload(ack.payload, &c);
      std::printf("udp: ack seq=%u rtt=%.3f ms coordinate: %s (dims=%zu error=%.3f height=%g)\n",
                  ack.seq_no, std::chrono::duration<double, std::milli>(rtt).count(),
                  s.ok() ? "ok" : s.ToString().c_str(), c.vec.size(), c.error, c.height);
      close(fd);
      return 0;
    }
  }
  close(fd);
  return Fail("no ack within 2 s");
}

int TcpPushPull(const sockaddr_in& peer, const Keyring* ring) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Fail("socket");
  if (connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof(peer)) < 0)
    return Fail("connect");
  PushPull mine;  // no nodes, no user state: the agent merges nothing
  StreamWriteOptions options;
  options.compress = true;  // as stock agents do
  options.keyring = ring;
  auto framed = EncodeStream(EncodePushPull(mine), options);
  if (!framed.ok()) return Fail(framed.status().ToString());
  if (write(fd, framed->data(), framed->size()) != static_cast<ssize_t>(framed->size()))
    return Fail("write");
  std::printf("tcp: sent push/pull (%zu bytes)\n", framed->size());
  std::string buffer;
  char chunk[65536];
  StreamReadOptions read_options;
  read_options.keyring = ring;
  StreamMessage msg;
  size_t consumed = 0;
  while (consumed == 0) {
    if (!WaitReadable(fd, 3000)) return Fail("push/pull answer timed out");
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return Fail("connection closed before a whole answer");
    buffer.append(chunk, n);
    if (Status s = ReadStreamMessage(buffer, read_options, &msg, &consumed); !s.ok())
      return Fail(s.ToString());
  }
  close(fd);
  std::printf("tcp: received %zu bytes, message type %d\n", consumed, static_cast<int>(msg.type));
  if (msg.type == MessageType::kErr) {
    ErrResp err;
    (void)DecodeMessage(msg.body, &err);
    return Fail("remote error: " + err.error);
  }
  PushPull theirs;
  if (Status s = DecodePushPull(msg.body, &theirs); !s.ok()) return Fail(s.ToString());
  for (const auto& n : theirs.nodes) {
    std::map<std::string, std::string> tags;
    (void)serf::DecodeTags(n.meta, &tags);
    std::string tag_text;
    for (const auto& [k, v] : tags) tag_text += k + "=" + v + " ";
    char ip[INET_ADDRSTRLEN] = "?";
    if (n.addr.size() == 4) inet_ntop(AF_INET, n.addr.view().data(), ip, sizeof(ip));
    std::printf("tcp:   node %s %s:%u incarnation=%u state=%d vsn=%s tags: %s\n", n.name.c_str(),
                ip, n.port, n.incarnation, static_cast<int>(n.state), Hex(n.vsn).c_str(),
                tag_text.c_str());
  }
  if (theirs.user_state.empty()) return Fail("no serf user state");
  serf::SerfPushPull spp;
  if (Status s = serf::DecodeSerfMessage(std::string_view(theirs.user_state).substr(1), &spp);
      !s.ok()) {
    return Fail("serf push/pull: " + s.ToString());
  }
  size_t events = 0;
  for (const auto& slot : spp.events) events += slot ? slot->events.size() : 0;
  std::printf(
      "tcp:   serf ltime=%lu event_ltime=%lu query_ltime=%lu members=%zu left=%zu buffered "
      "events=%zu\n",
      static_cast<unsigned long>(spp.ltime), static_cast<unsigned long>(spp.event_ltime),
      static_cast<unsigned long>(spp.query_ltime), spp.status_ltimes.size(),
      spp.left_members.size(), events);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <ip> <port> <node-name> [base64 gossip key]\n", argv[0]);
    return 2;
  }
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
  if (inet_pton(AF_INET, argv[1], &peer.sin_addr) != 1) return Fail("bad IPv4 address");
  Keyring ring;
  if (argc > 4) {
    auto key = Base64Decode(argv[4]);
    if (!key.ok()) return Fail(key.status().ToString());
    auto created = Keyring::Create({}, *key);
    if (!created.ok()) return Fail(created.status().ToString());
    ring = std::move(created).value();
  }
  const Keyring* ring_ptr = ring.enabled() ? &ring : nullptr;
  const int udp = UdpPing(peer, argv[3], ring_ptr);
  const int tcp = TcpPushPull(peer, ring_ptr);
  std::printf("%s\n", udp == 0 && tcp == 0 ? "PROBE OK" : "PROBE FAILED");
  return udp == 0 && tcp == 0 ? 0 : 1;
}
