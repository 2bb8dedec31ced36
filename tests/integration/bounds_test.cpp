// Bounded resources on the signaling listener, against the binary: clients
// that stop reading, sockets that stay silent, one address opening too many
// connections, and TCP_NODELAY read back from the server's own socket.

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "tests/integration/http_client.hpp"
#include "tests/integration/test_support.hpp"
#include "tests/integration/turn_support.hpp"

namespace sbtest {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// A WebSocket client on a raw socket whose receive buffer is tiny, so that
// once it stops reading, the server's writes to it stall within a few KiB.
class RawClient {
public:
    explicit RawClient(std::uint16_t port, int receive_buffer = 4096) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~RawClient() {
        if (fd_ >= 0) ::close(fd_);
    }

    bool upgrade() {
        const std::string req =
            "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        return send_all(req) && read_until("\r\n\r\n", 5s).find(" 101 ") != std::string::npos;
    }
    bool send_text(std::string_view payload) {
        std::string f;
        f.push_back('\x81');
        if (payload.size() < 126) {
            f.push_back(static_cast<char>(0x80 | payload.size()));
        } else {
            f.push_back(static_cast<char>(0x80 | 126));
            f.push_back(static_cast<char>(payload.size() >> 8));
            f.push_back(static_cast<char>(payload.size()));
        }
        f.append(4, '\0');  // a zero mask: the payload goes as it is
        f += payload;
        return send_all(f);
    }
    // Reads until `marker` is in what was read (or the timeout).
    std::string read_until(std::string_view marker, std::chrono::milliseconds timeout) {
        const auto deadline = Steady::now() + timeout;
        while (in_.find(marker) == std::string::npos && Steady::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            char buf[4096];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) break;
            in_.append(buf, static_cast<std::size_t>(n));
        }
        return in_;
    }
    // The local port, to find the server's end of this connection.
    std::uint16_t local_port() const {
        sockaddr_in a{};
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        return ntohs(a.sin_port);
    }
    bool connected() const { return connected_; }

private:
    bool send_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    int fd_ = -1;
    bool connected_ = false;
    std::string in_;
};

double metric(std::uint16_t port, const std::string& name) {
    const auto r = http_get(port, "/metrics");
    return turnit::metric_value(r.body, name).value_or(-1);
}

class BoundsTest : public ServerTest {};

// GET /healthz until it answers `wanted` (0: the connection is closed at
// accept) or 5 s pass; the last status.
int healthz_until(std::uint16_t port, int wanted) {
    int status = -1;
    for (auto until = Steady::now() + 5s; status != wanted && Steady::now() < until;) {
        status = http_get(port, "/healthz", false, {}, 2s).status;
        if (status != wanted) std::this_thread::sleep_for(20ms);
    }
    return status;
}

// The issue's scenario: four clients join rooms and stop reading while a
// peer in each room sends them 60 kB signals within the rate limit. Before
// v2 the server's RSS grew from 11 to 74 MB and all four were still
// connected 30 s later.
TEST_F(BoundsTest,
       StuckReadersAreDroppedWithinHeartbeatTimeoutPlusWriteTimeoutAndMemoryStaysBounded) {
    ServerConfig cfg;
    cfg.set("heartbeat", "{interval: 1s, timeout: 3s}")
        .set("write_timeout", "2s")
        .set("resume", "{window: 0}")
        .set("rate_limit", "{messages_per_second: 50, burst: 50}");
    cfg.log_level = "info";
    ASSERT_TRUE(start(cfg));
    constexpr int kStuck = 4;
    std::vector<std::unique_ptr<RawClient>> stuck;
    std::vector<std::unique_ptr<WsClient>> peers;
    for (int i = 0; i < kStuck; ++i) {
        const std::string room = "r" + std::to_string(i);
        auto s = std::make_unique<RawClient>(server_->port());
        ASSERT_TRUE(s->connected() && s->upgrade());
        ASSERT_TRUE(s->send_text(R"({"type":"login","id":1,"userId":"stuck)" + std::to_string(i) +
                                 R"("})"));
        ASSERT_TRUE(s->send_text(R"({"type":"join","id":2,"roomId":")" + room + R"("})"));
        ASSERT_NE(s->read_until(R"("type":"join")", 5s).find(R"("success":true)"),
                  std::string::npos);
        auto p = logged_in("peer" + std::to_string(i));
        ASSERT_TRUE(p && joined(*p, room));
        stuck.push_back(std::move(s));
        peers.push_back(std::move(p));
    }
    const auto rss_before = rss_kib(server_->pid());
    ASSERT_GT(rss_before, 0);
    // From here the stuck clients read nothing and send nothing.
    const std::string data = "\"" + std::string(60'000, 'x') + "\"";
    const auto t0 = Steady::now();
    std::int64_t rss_max = rss_before;
    int sent = 0;
    bool all_gone = false;
    while (Steady::now() - t0 < 12s && !all_gone) {
        for (int i = 0; i < kStuck; ++i) {
            // 20 signals a second each, within the rate limit.
            peers[i]->send_text(R"({"type":"signal","ack":false,"to":"stuck)" + std::to_string(i) +
                                R"(","data":)" + data + "}");
            ++sent;
        }
        rss_max = std::max(rss_max, rss_kib(server_->pid()));
        all_gone = metric(server_->port(), "switchboard_signaling_connections") == kStuck;
        std::this_thread::sleep_for(50ms);
    }
    const auto elapsed = Steady::now() - t0;
    ASSERT_TRUE(all_gone) << "stuck readers still connected after 12 s (" << sent
                          << " signals sent); log:\n"
                          << server_->log();
    // heartbeat.timeout (3 s) + write_timeout (2 s) + a tick, and margin for this machine.
    EXPECT_LT(elapsed, 7s);
    // send_queue_bytes (1 MiB) each, bounded; plus slack for the allocator.
    EXPECT_LT(rss_max - rss_before, kStuck * 1024 + 3 * 1024)
        << "RSS grew from " << rss_before << " KiB to " << rss_max << " KiB";
    // Their peers were unaffected: a round trip each, and the stuck users' departure.
    for (int i = 0; i < kStuck; ++i) {
        auto left = next_of_type(*peers[i], "user-left", 5s);
        ASSERT_TRUE(left) << dump(*peers[i]);
        EXPECT_EQ(left->str("userId"), "stuck" + std::to_string(i));
        ASSERT_TRUE(peers[i]->send_text(R"({"type":"ping","id":77})"));
        EXPECT_TRUE(reply_to(*peers[i], 77));
    }
    EXPECT_GE(metric(server_->port(), "switchboard_signaling_slow_consumer_closes_total") +
                  metric(server_->port(), "switchboard_signaling_write_timeouts_total") +
                  metric(server_->port(), "switchboard_signaling_heartbeat_timeouts_total"),
              kStuck);
}

TEST_F(BoundsTest, AWriteWithNoProgressIsDroppedAtTheWriteTimeout) {
    // No slow-consumer close (a large byte bound) and no heartbeat timeout
    // in reach: only the write deadline can drop it.
    ServerConfig cfg;
    cfg.set("heartbeat", "{interval: 30s, timeout: 60s}")
        .set("write_timeout", "1s")
        .set("send_queue_bytes", "67108864")
        .set("resume", "{window: 0}")
        .set("rate_limit", "{messages_per_second: 1000, burst: 1000}");
    cfg.log_level = "info";
    ASSERT_TRUE(start(cfg));
    RawClient stuck(server_->port());
    ASSERT_TRUE(stuck.upgrade());
    ASSERT_TRUE(stuck.send_text(R"({"type":"login","id":1,"userId":"stuck"})"));
    ASSERT_TRUE(stuck.send_text(R"({"type":"join","id":2,"roomId":"r"})"));
    ASSERT_NE(stuck.read_until(R"("type":"join")", 5s).find(R"("success":true)"),
              std::string::npos);
    auto peer = logged_in("peer");
    ASSERT_TRUE(peer && joined(*peer, "r"));
    const std::string data = "\"" + std::string(60'000, 'x') + "\"";
    // 12 MB: more than the kernel buffers both ends hold (tcp_wmem's 4 MB at most).
    for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(
            peer->send_text(R"({"type":"signal","ack":false,"to":"stuck","data":)" + data + "}"));
    }
    ASSERT_TRUE(sync(*peer));  // all 200 were taken
    const auto t0 = Steady::now();
    while (Steady::now() - t0 < 5s &&
           metric(server_->port(), "switchboard_signaling_write_timeouts_total") < 1) {
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(metric(server_->port(), "switchboard_signaling_write_timeouts_total"), 1)
        << server_->log();
    EXPECT_LT(Steady::now() - t0, 3s);
    EXPECT_TRUE(next_of_type(*peer, "user-left", 3s)) << dump(*peer);
}

TEST_F(BoundsTest, NoLoginWithinTheLoginTimeoutCloses1008) {
    ServerConfig cfg;
    cfg.set("login_timeout", "1s");
    ASSERT_TRUE(start(cfg));
    auto idle = client();
    ASSERT_TRUE(idle);
    auto pinger = client();  // traffic is not a login
    ASSERT_TRUE(pinger);
    auto alice = logged_in("alice");
    ASSERT_TRUE(alice);
    const auto t0 = Steady::now();
    ASSERT_TRUE(pinger->send_text(R"({"type":"ping","id":1})"));
    EXPECT_EQ(idle->wait_close(5s), 1008);
    EXPECT_LT(Steady::now() - t0, 2500ms);
    EXPECT_EQ(pinger->wait_close(5s), 1008);
    ASSERT_TRUE(alice->send_text(R"({"type":"ping","id":2})"));
    EXPECT_TRUE(reply_to(*alice, 2)) << "a logged-in client is not affected";
    EXPECT_EQ(metric(server_->port(), "switchboard_signaling_login_timeouts_total"), 2);
}

TEST_F(BoundsTest, OneAddressGetsMaxConnectionsPerIpAndNoMore) {
    ServerConfig cfg;
    cfg.set("max_connections_per_ip", "3");
    ASSERT_TRUE(start(cfg));
    std::vector<std::unique_ptr<WsClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(logged_in("u" + std::to_string(i)));
        ASSERT_TRUE(held.back());
    }
    // The fourth is closed at accept: no HTTP answer at all.
    EXPECT_EQ(http_get(server_->port(), "/healthz", false, {}, 2s).status, 0);
    // One goes: a slot is free again.
    ASSERT_TRUE(held.back()->close(1000));
    held.pop_back();
    const int status = healthz_until(server_->port(), 200);
    EXPECT_EQ(status, 200);
    EXPECT_EQ(metric(server_->port(), "switchboard_signaling_connections_refused_total"), 1);
}

// Connections that have not upgraded to WebSocket (here: idle ones that
// never send a request) are capped overall; a WebSocket no longer counts.
TEST_F(BoundsTest, ConnectionsNotUpgradedAreCappedByMaxHttpConnections) {
    ServerConfig cfg;
    cfg.set("max_http_connections", "3");
    ASSERT_TRUE(start(cfg));
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 3; ++i) {
        idle.push_back(std::make_unique<RawClient>(server_->port()));
        ASSERT_TRUE(idle.back()->connected());
    }
    // The fourth is closed at accept (bounded retries: the three must have been accepted first).
    int status = healthz_until(server_->port(), 0);
    EXPECT_EQ(status, 0);
    // One upgrades: it is a WebSocket now, and a slot is free.
    ASSERT_TRUE(idle.front()->upgrade());
    status = healthz_until(server_->port(), 200);
    EXPECT_EQ(status, 200);
    const auto m = http_get(server_->port(), "/metrics").body;
    EXPECT_GE(turnit::metric_value(m, "switchboard_signaling_connections_refused_total",
                                   R"(limit="http")")
                  .value_or(-1),
              1);
    EXPECT_EQ(turnit::metric_value(m, "switchboard_signaling_connections_refused_total",
                                   R"(limit="per_ip")")
                  .value_or(-1),
              0);
}

// The server's end of the connection whose client side has `client_port`,
// copied into this process (pidfd_getfd, Linux 5.6; the test runs as root or
// as the server's parent).
int server_socket_for(int pid, std::uint16_t client_port) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) return -1;
    int found = -1;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(dir.c_str());
    while (d != nullptr && found < 0) {
        const dirent* e = ::readdir(d);
        if (e == nullptr) break;
        if (e->d_name[0] == '.') continue;
        const int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, std::atoi(e->d_name), 0));
        if (fd < 0) continue;
        sockaddr_in peer{};
        socklen_t len = sizeof peer;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) == 0 &&
            peer.sin_family == AF_INET && ntohs(peer.sin_port) == client_port) {
            found = fd;
        } else {
            ::close(fd);
        }
    }
    if (d != nullptr) ::closedir(d);
    ::close(pidfd);
    return found;
}

TEST_F(BoundsTest, EveryAcceptedSignalingSocketHasTcpNodelay) {
    ASSERT_TRUE(start(ServerConfig{}));
    RawClient c(server_->port());
    ASSERT_TRUE(c.connected() && c.upgrade());
    const int fd = server_socket_for(server_->pid(), c.local_port());
    ASSERT_GE(fd, 0)
        << "cannot find the server's socket (pidfd_getfd needs Linux 5.6 and ptrace rights)";
    int nodelay = 0;
    socklen_t len = sizeof nodelay;
    ASSERT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
    EXPECT_EQ(nodelay, 1)
        << "Nagle would hold the second small frame of a burst for the peer's delayed ACK";
    ::close(fd);
}

}  // namespace
}  // namespace sbtest
