// TURN listeners: a second process must not silently share a UDP port.

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;

class TurnListenTest : public TurnTest {};

// Regression (was a bug): turn/io/worker.cpp open_udp sets SO_REUSEPORT
// on the listening sockets so that the workers of one process share a port.
// The kernel lets any other process of the same user join that group too:
// a second switchboard (or a restart racing the old process) starts "fine"
// on the same UDP port and the kernel splits the clients between the two
// processes, whose allocations, nonces and quotas know nothing of each
// other (one run: of 20 Bindings, 7 went to the first, 13 to the second). The TCP
// listener does fail with "Address already in use", so this test has no
// TCP listener.
TEST_F(TurnListenTest, SecondProcessCannotShareTheUdpPort) {
    TurnServerSpec spec;
    spec.tcp = false;
    ASSERT_TRUE(start_turn(spec));
    const std::string yaml =
        "log: {level: debug}\nsignaling: {listen: \"127.0.0.1:0\", static_dir: \"\"}\n"
        "turn: {secret: \"" +
        kTurnSecret + "\", listen_udp: [\"127.0.0.1:" + std::to_string(udp_port_) +
        "\"], listen_tcp: []}\n";
    auto second = ServerProcess::from_yaml(yaml, 5s);
    if (second.started()) {
        // Show the damage: Bindings are split between the two processes.
        for (int i = 0; i < 20; ++i) {
            auto s = StunSocket::connect(Proto::udp, "127.0.0.1", udp_port_);
            if (s && s->send(binding_request(stun::TransactionId::random()))) (void)s->receive(1s);
        }
        const auto a = http_get(server_->port(), "/metrics");
        const auto b = http_get(second.port(), "/metrics");
        ADD_FAILURE() << "a second server started on UDP port " << udp_port_
                      << " already used by the first; "
                      << "Bindings answered: first "
                      << metric_value(a.body, "switchboard_turn_requests_total",
                                      R"(method="Binding")")
                             .value_or(-1)
                      << ", second "
                      << metric_value(b.body, "switchboard_turn_requests_total",
                                      R"(method="Binding")")
                             .value_or(-1);
        return;
    }
    EXPECT_NE(second.log().find("in use"), std::string::npos) << second.log();
}

// Local ports of the UDP sockets process `pid` holds, from /proc/net/udp
// (v4) or /proc/net/udp6 (v6) joined with /proc/<pid>/fd.
std::multiset<std::uint16_t> udp_ports_of(int pid, bool v6) {
    std::set<std::string> inodes;
    const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
    if (DIR* d = ::opendir(fd_dir.c_str())) {
        while (dirent* e = ::readdir(d)) {
            char target[256];
            const auto n =
                ::readlink((fd_dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
            if (n <= 0) continue;
            target[n] = '\0';
            std::smatch m;
            const std::string t(target);
            if (std::regex_match(t, m, std::regex(R"(socket:\[([0-9]+)\])"))) inodes.insert(m[1]);
        }
        ::closedir(d);
    }
    std::multiset<std::uint16_t> ports;
    std::ifstream in(v6 ? "/proc/net/udp6" : "/proc/net/udp");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string sl, local, remote, st, queues, timer, retr, uid, timeout, inode;
        fields >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode;
        if (!inodes.count(inode)) continue;
        const auto colon = local.find(':');
        if (colon == std::string::npos) continue;
        ports.insert(static_cast<std::uint16_t>(std::stoul(local.substr(colon + 1), nullptr, 16)));
    }
    return ports;
}

// Each worker thread has its own SO_REUSEPORT socket on every UDP listen
// address, all on the advertised port (DESIGN.md rule 4).
TEST_F(TurnListenTest, EveryWorkerListensOnTheAdvertisedUdpPort) {
    TurnServerSpec spec;
    spec.tcp = false;
    spec.threads = 2;
    ASSERT_TRUE(start_turn(spec));
    const auto ports = udp_ports_of(server_->pid(), false);
    ASSERT_FALSE(ports.empty()) << "cannot see the server's sockets in /proc";
    EXPECT_EQ(ports.count(udp_port_), 2u) << "expected one socket per worker";
    for (const auto p : ports) EXPECT_EQ(p, udp_port_) << "a UDP socket on another port";
}

// Regression (was a bug): turn/io/turn_server.cpp TurnServer::start,
// for a listen_udp entry with port 0, copies the port the first worker got
// with `w->udp_port(0)`, i.e. from the FIRST listen address, not from the
// one just bound. For ["127.0.0.1:0", "[::1]:0"] with 2 threads, worker 0
// sits on [::1]:<random> (never advertised, never reached) and worker 1 on
// [::1]:<the IPv4 port>, which is what the log and the iceServers announce.
TEST_F(TurnListenTest, PortZeroOnASecondUdpAddressIsSharedByAllWorkers) {
    {
        std::string error;
        if (!StunSocket::connect(Proto::udp, "::1", 9, &error))
            GTEST_SKIP() << "no IPv6 loopback: " << error;
    }
    const std::string yaml =
        "log: {level: debug}\nthreads: 2\nsignaling: {listen: \"127.0.0.1:0\", static_dir: \"\"}\n"
        "turn: {secret: \"" +
        kTurnSecret +
        "\", listen_udp: [\"127.0.0.1:0\", \"[::1]:0\"], "
        "listen_tcp: []}\n";
    server_ = std::make_unique<ServerProcess>(ServerProcess::from_yaml(yaml));
    ASSERT_TRUE(server_->started()) << server_->error();
    std::smatch m;
    const std::string log = server_->log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(turn listening on udp \[::1\]:([0-9]+))")))
        << log;
    const auto advertised = static_cast<std::uint16_t>(std::stoi(m[1]));
    const auto v6 = udp_ports_of(server_->pid(), true);
    ASSERT_EQ(v6.size(), 2u) << "expected one [::1] socket per worker";
    for (const auto p : v6)
        EXPECT_EQ(p, advertised) << "a worker listens on [::1]:" << p << ", not on the advertised "
                                 << advertised;
}

// The part that works: a TCP port in use stops the start-up with a clear error.
TEST_F(TurnListenTest, TcpPortInUseFailsTheStartUp) {
    ASSERT_TRUE(start_turn({}));
    const std::string yaml =
        "log: {level: debug}\nsignaling: {listen: \"127.0.0.1:0\", static_dir: \"\"}\n"
        "turn: {secret: \"" +
        kTurnSecret + "\", listen_udp: [], listen_tcp: [\"127.0.0.1:" + std::to_string(tcp_port_) +
        "\"]}\n";
    auto second = ServerProcess::from_yaml(yaml, 5s);
    EXPECT_FALSE(second.started()) << second.log();
    EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
    EXPECT_TRUE(server_->running());
}

class TurnStreamLimitTest : public TurnTest {};

// turn.max_stream_connections bounds TCP/TLS client connections: one past
// the limit is closed at once (and counted), a freed slot is reusable.
TEST_F(TurnStreamLimitTest, ConnectionsBeyondTheLimitAreClosedAndCounted) {
    TurnServerSpec spec;
    spec.extra_turn = "max_stream_connections: 1";
    ASSERT_TRUE(start_turn(spec));
    auto first = TurnClient::connect(Proto::tcp, "127.0.0.1", tcp_port_, "u", "p");
    ASSERT_TRUE(first);
    const auto ok = first->binding();
    ASSERT_TRUE(ok && ok->success());

    auto second = TurnClient::connect(Proto::tcp, "127.0.0.1", tcp_port_, "u", "p");
    if (second) {
        EXPECT_FALSE(second->binding()) << "a second connection was served past the limit";
    }
    const auto m = http_get(server_->port(), "/metrics");
    EXPECT_EQ(metric_value(m.body, "switchboard_turn_streams_refused_total").value_or(-1), 1);

    // Freeing the slot lets the next one in (bounded wait for the close to land).
    first.reset();
    std::optional<StunResponse> again;
    for (int i = 0; i < 40 && !(again && again->success()); ++i) {
        std::this_thread::sleep_for(50ms);
        auto third = TurnClient::connect(Proto::tcp, "127.0.0.1", tcp_port_, "u", "p");
        if (third) again = third->binding();
    }
    ASSERT_TRUE(again && again->success());
}

}  // namespace
}  // namespace sbtest::turnit
