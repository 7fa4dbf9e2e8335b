// Not a test: how many entries per second three real servers in one process commit and apply
// with N proposals in flight, without HTTP: each server has its own data dir (fsync on), server
// port on 127.0.0.1-3 and Raft thread, and they talk over TCP. The figure to compare with the
// entries/s Debian's libraft 0.15 reached here (issue 3: 24-30k with 64 in flight).
//
//   raft_cluster_bench [seconds=5] [in_flight=64] [value_bytes=128] [dir=/tmp]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fsm/command.h"
#include "server/server.h"

namespace consulate::server {
namespace {

using Clock = std::chrono::steady_clock;

struct Bench {
  std::vector<std::unique_ptr<Server>> servers;
  int leader = -1;
  std::string value;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0}, failed{0}, next_key{0};
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;  // GUARDED_BY(mu)

  // Keeps one proposal in flight per call chain: each answer proposes the next.
  void ProposeOne() {
    fsm::KVSCommand cmd;
    cmd.op = state::KVOp::kSet;
    cmd.entry.key = "bench/k" + std::to_string(next_key++ % 1000);
    cmd.entry.value = value;
    servers[leader]->Propose(fsm::EncodeKVS(cmd), [this](const fsm::ApplyResult& r) {
      (r.status.ok() ? done : failed)++;
      if (!stop.load()) {
        ProposeOne();
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      if (--outstanding == 0) cv.notify_all();
    });
  }
};

int Main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
  const int in_flight = argc > 2 ? std::atoi(argv[2]) : 64;
  const size_t value_bytes = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 128;
  const std::string base = std::string(argc > 4 ? argv[4] : "/tmp") + "/raft_cluster_bench." +
                           std::to_string(::getpid());
  Bench b;
  b.value.assign(value_bytes, 'v');
  for (int i = 0; i < 3; ++i) {
    Options o;
    o.data_dir = base + "/s" + std::to_string(i + 1);
    o.node_id = "00000000-0000-0000-0000-00000000000" + std::to_string(i + 1);
    o.node_name = "s" + std::to_string(i + 1);
    o.rpc_bind = "127.0.0." + std::to_string(i + 1);
    o.rpc_port = 0;
    o.bootstrap_expect = 3;
    o.raft_multiplier = 1;
    auto s = Server::Open(o, Logger());
    if (!s.ok()) {
      std::fprintf(stderr, "open: %s\n", s.status().ToString().c_str());
      return 1;
    }
    b.servers.push_back(std::move(*s));
  }
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      b.servers[i]->ServerSeen(
          ServerInfo{"00000000-0000-0000-0000-00000000000" + std::to_string(j + 1),
                     "s" + std::to_string(j + 1), b.servers[j]->RpcAddress(), 3});
    }
  }
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (b.leader < 0 && Clock::now() < deadline) {
    for (int i = 0; i < 3; ++i)
      if (b.servers[i]->IsLeader()) b.leader = i;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (b.leader < 0) {
    std::fprintf(stderr, "no leader\n");
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the leader's first entries
  b.outstanding = in_flight;
  const auto start = Clock::now();
  for (int i = 0; i < in_flight; ++i) b.ProposeOne();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const uint64_t committed = b.done.load();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  b.stop = true;
  {
    std::unique_lock<std::mutex> lock(b.mu);
    b.cv.wait_for(lock, std::chrono::seconds(10), [&] { return b.outstanding == 0; });
  }
  std::printf(
      "3 servers, %d in flight, %zu-byte values, fsync on: %.0f entries/s applied "
      "(%llu in %.1f s, %llu failed)\n",
      in_flight, value_bytes, static_cast<double>(committed) / elapsed,
      static_cast<unsigned long long>(committed), elapsed,
      static_cast<unsigned long long>(b.failed.load()));
  for (auto& s : b.servers) s->Shutdown();
  std::error_code ec;
  std::filesystem::remove_all(base, ec);
  return 0;
}

}  // namespace
}  // namespace consulate::server

int main(int argc, char** argv) { return consulate::server::Main(argc, argv); }
