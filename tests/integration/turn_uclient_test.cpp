// Interoperability with coturn's test client: turnutils_uclient allocates
// relays with TURN REST credentials (-W secret), binds channels or uses Send
// indications (-s), and sends -m clients x -n messages through the relay to
// turnutils_peer (a UDP echo peer), which sends them back. Every message
// must come back: zero loss, tot_send_msgs == tot_recv_msgs == m * n.
//
// -c (no RTCP) gives one allocation per client, as in the runs verified by
// hand; without it uclient allocates RTP/RTCP pairs (EVEN-PORT with the R
// bit, then RESERVATION-TOKEN), covered by one UDP case below. TLS is
// -t -S (-S alone would be DTLS, which this server does not offer).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;

// True once something holds UDP 127.0.0.1:port (the peer is up).
bool udp_port_taken(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool taken = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0;
    ::close(fd);
    return taken;
}

// The kernel's UDP counters (this network namespace): datagrams dropped for
// full receive/send buffers happen outside the server.
std::string udp_snmp() {
    std::ifstream in("/proc/net/snmp");
    std::string line, out;
    while (std::getline(in, line)) {
        if (line.rfind("Udp:", 0) == 0) out += line + "\n";
    }
    return out;
}

struct UclientResult {
    std::optional<int> exit_code;
    std::string output;
    long sent = -1;
    long received = -1;
    long lost = -1;
    // What the server counted during the run.
    double server_to_peer = -1;
    double server_from_peer = -1;
    double server_drops = -1;
};

UclientResult parse_uclient(std::optional<int> code, std::string out) {
    UclientResult r;
    r.exit_code = code;
    r.output = std::move(out);
    std::smatch m;
    // The final totals line has no "msz=" in front of it.
    static const std::regex totals(
        R"(start_mclient: tot_send_msgs=([0-9]+), tot_recv_msgs=([0-9]+))");
    for (std::sregex_iterator it(r.output.begin(), r.output.end(), totals), end; it != end; ++it) {
        r.sent = std::stol((*it)[1]);
        r.received = std::stol((*it)[2]);
    }
    if (std::regex_search(r.output, m,
                          std::regex(R"(Total lost packets ([0-9]+) \(([0-9.]+)%\))"))) {
        r.lost = std::stol(m[1]);
    }
    return r;
}

std::string tail(const std::string& s, std::size_t n = 4000) {
    return s.size() <= n ? s : "...\n" + s.substr(s.size() - n);
}

// The run finished (within `timeout_s`), exited 0, and sent and got back
// all `messages` with none lost.
::testing::AssertionResult delivered_all(const UclientResult& r, long messages, int timeout_s) {
    if (!r.exit_code) {
        return ::testing::AssertionFailure()
               << "turnutils_uclient did not finish within " << timeout_s << " s:\n"
               << tail(r.output);
    }
    if (*r.exit_code != 0 || r.sent != messages || r.received != messages || r.lost != 0) {
        return ::testing::AssertionFailure()
               << "exit " << *r.exit_code << ", sent " << r.sent << ", received " << r.received
               << ", lost " << r.lost << " (expected " << messages << " each way, 0 lost):\n"
               << tail(r.output);
    }
    return ::testing::AssertionSuccess();
}

class UclientFixture : public TurnTest {
protected:
    // Starts turnutils_peer on a free port; false (with a failure) if it
    // does not come up.
    bool start_peer(const std::string& peer_tool) {
        for (int attempt = 0; attempt < 4; ++attempt) {
            peer_port_ = free_port();
            peer_ = std::make_unique<Subprocess>(
                std::vector<std::string>{peer_tool, "-p", std::to_string(peer_port_), "-L",
                                         "127.0.0.1"},
                server_->dir() / "peer.log");
            const auto deadline = std::chrono::steady_clock::now() + 5s;
            while (std::chrono::steady_clock::now() < deadline && peer_->running()) {
                if (udp_port_taken(peer_port_)) return true;
                std::this_thread::sleep_for(20ms);
            }
            peer_.reset();
        }
        ADD_FAILURE() << "turnutils_peer did not start";
        return false;
    }

    UclientResult run_uclient(const std::string& tool, std::vector<std::string> flags,
                              std::uint16_t port, int clients, int messages,
                              std::chrono::seconds timeout = 60s, bool no_rtcp = true) {
        std::vector<std::string> argv = {tool};
        argv.insert(argv.end(), flags.begin(), flags.end());
        if (no_rtcp) argv.push_back("-c");
        const std::vector<std::string> rest = {"-e",       "127.0.0.1",
                                               "-r",       std::to_string(peer_port_),
                                               "-p",       std::to_string(port),
                                               "-W",       kTurnSecret,
                                               "-u",       "alice",
                                               "-m",       std::to_string(clients),
                                               "-n",       std::to_string(messages),
                                               "-l",       "170",
                                               "127.0.0.1"};
        argv.insert(argv.end(), rest.begin(), rest.end());
        snmp_before_ = udp_snmp();
        const auto before = server_counters();
        Subprocess client(argv, server_->dir() / "uclient.log");
        if (!client.started()) return {};
        auto code = client.wait_exit(timeout);
        client.kill();
        auto r = parse_uclient(code, client.output());
        const auto after = server_counters();
        r.server_to_peer = after[0] - before[0];
        r.server_from_peer = after[1] - before[1];
        r.server_drops = after[2] - before[2];
        r.output = "$ " + client.command_line() + "\n" + r.output;
        if (r.lost != 0 || r.sent != r.received) r.output += "\n" + diagnostics();
        return r;
    }

    // Relayed packets to and from peers, and packets the server dropped.
    std::array<double, 3> server_counters() {
        const auto m = http_get(server_->port(), "/metrics");
        return {
            metric_value(m.body, "switchboard_turn_relayed_packets_total", R"(direction="to_peer")")
                .value_or(0),
            metric_value(m.body, "switchboard_turn_relayed_packets_total",
                         R"(direction="from_peer")")
                .value_or(0),
            metric_value(m.body, "switchboard_turn_dropped_total").value_or(0)};
    }

    // Where packets went missing: the server's own drop counters, and the
    // kernel's UDP buffer errors.
    std::string diagnostics() {
        std::string out =
            "---- kernel UDP counters (before the run, now) ----\n" + snmp_before_ + udp_snmp();
        const auto m = http_get(server_->port(), "/metrics");
        out += "---- server TURN counters ----\n";
        std::istringstream in(m.body);
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("switchboard_turn_", 0) == 0) out += line + "\n";
        }
        return out;
    }

    void TearDown() override {
        peer_.reset();
        TurnTest::TearDown();
    }

    std::unique_ptr<Subprocess> peer_;
    std::uint16_t peer_port_ = 0;
    std::string snmp_before_;
};

struct UclientCase {
    Proto proto;
    bool send_indications;
};

// turnutils_uclient -W mints REST usernames that expire a day ahead: an
// external minter with a longer TTL, which the server accepts only with a
// credential_ttl to match (docs/turn.md "REST credentials").
constexpr const char* kUclientTtl = "credential_ttl: 24h";

class TurnUclientTest : public UclientFixture, public ::testing::WithParamInterface<UclientCase> {};

TEST_P(TurnUclientTest, TenClientsHundredMessagesNoLoss) {
    SB_REQUIRE_COTURN_TOOL(uclient, "turnutils_uclient");
    SB_REQUIRE_COTURN_TOOL(peer, "turnutils_peer");
    const auto [proto, send_indications] = GetParam();
    TurnServerSpec spec;
    spec.tls = proto == Proto::tls;
    spec.allow_peers = R"(["127.0.0.1/32"])";
    spec.extra_turn = kUclientTtl;
    ASSERT_TRUE(start_turn(spec));
    ASSERT_TRUE(start_peer(peer));

    std::vector<std::string> flags;
    if (proto != Proto::udp) flags.push_back("-t");
    if (proto == Proto::tls) flags.push_back("-S");
    if (send_indications) flags.push_back("-s");
    constexpr int kClients = 10;
    constexpr int kPerClient = 100;
    constexpr int kMessages = kClients * kPerClient;
    // Strict over every transport. (turnutils_uclient reads one TURN message
    // per TLS record; the server writes each frame as its own record, see
    // turn/io/stream_connection.cpp, so TLS is held to zero loss too.)
    const UclientResult r = run_uclient(uclient, flags, proto == Proto::tls ? tls_port_ : udp_port_,
                                        kClients, kPerClient);
    ASSERT_TRUE(delivered_all(r, kMessages, 60));
    EXPECT_NE(r.output.find("Total lost packets 0 (0.000000%)"), std::string::npos)
        << tail(r.output);

    // The relayed traffic shows in /metrics, both directions.
    const auto metrics = http_get(server_->port(), "/metrics");
    ASSERT_EQ(metrics.status, 200);
    const auto to_peer = metric_value(metrics.body, "switchboard_turn_relayed_packets_total",
                                      R"(direction="to_peer")");
    const auto from_peer = metric_value(metrics.body, "switchboard_turn_relayed_packets_total",
                                        R"(direction="from_peer")");
    ASSERT_TRUE(to_peer && from_peer) << metrics.body;
    EXPECT_GE(*to_peer, 1000) << metrics.body;
    EXPECT_GE(*from_peer, 1000) << metrics.body;
    const auto created = metric_value(metrics.body, "switchboard_turn_allocations_total");
    ASSERT_TRUE(created) << metrics.body;
    EXPECT_GE(*created, 10) << metrics.body;
}

INSTANTIATE_TEST_SUITE_P(
    Turn, TurnUclientTest,
    ::testing::Values(UclientCase{Proto::udp, false}, UclientCase{Proto::udp, true},
                      UclientCase{Proto::tcp, false}, UclientCase{Proto::tcp, true},
                      UclientCase{Proto::tls, false}, UclientCase{Proto::tls, true}),
    [](const ::testing::TestParamInfo<UclientCase>& info) {
        return to_string(info.param.proto) +
               (info.param.send_indications ? "_send_indications" : "_channels");
    });

class TurnUclientLoadTest : public UclientFixture {};

TEST_F(TurnUclientLoadTest, TwentyClientsTwoHundredMessagesOverUdpNoLoss) {
    SB_REQUIRE_COTURN_TOOL(uclient, "turnutils_uclient");
    SB_REQUIRE_COTURN_TOOL(peer, "turnutils_peer");
    TurnServerSpec spec;
    spec.allow_peers = R"(["127.0.0.1/32"])";
    spec.extra_turn = kUclientTtl;
    ASSERT_TRUE(start_turn(spec));
    ASSERT_TRUE(start_peer(peer));
    const auto r = run_uclient(uclient, {}, udp_port_, 20, 200, 100s);
    EXPECT_TRUE(delivered_all(r, 4000, 100));
}

TEST_F(TurnUclientLoadTest, RtpRtcpPairsWithPortReservationsOverUdpNoLoss) {
    SB_REQUIRE_COTURN_TOOL(uclient, "turnutils_uclient");
    SB_REQUIRE_COTURN_TOOL(peer, "turnutils_peer");
    TurnServerSpec spec;
    spec.allow_peers = R"(["127.0.0.1/32"])";
    spec.extra_turn = kUclientTtl;
    ASSERT_TRUE(start_turn(spec));
    ASSERT_TRUE(start_peer(peer));
    // Without -c: each client allocates an even relay port with the R bit
    // and a second allocation with the RESERVATION-TOKEN (RFC 8656 7.2).
    const auto r = run_uclient(uclient, {}, udp_port_, 10, 100, 60s, /*no_rtcp=*/false);
    EXPECT_TRUE(delivered_all(r, 1000, 60));
    const auto metrics = http_get(server_->port(), "/metrics");
    const auto created = metric_value(metrics.body, "switchboard_turn_allocations_total");
    ASSERT_TRUE(created) << metrics.body;
    // uclient pairs an RTCP allocation (by RESERVATION-TOKEN) with every
    // other client's RTP one: 15 allocations for -m 10. More than one per
    // client proves the reservations were used; none was refused.
    EXPECT_GT(*created, 10) << metrics.body;
    EXPECT_EQ(
        metric_value(metrics.body, "switchboard_turn_errors_total", R"(code="508")").value_or(0), 0)
        << metrics.body;
}

}  // namespace
}  // namespace sbtest::turnit
