// SIGTERM drains TURN too (DESIGN.md "Command line": stop accepting
// allocations, let relays finish up to a deadline, exit 0), and the TURN
// side's work shows in /metrics on the signaling listener.

#include <csignal>
#include <thread>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"
#include "turn/stun/error_code.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

class TurnShutdownTest : public TurnTest {};

TEST_F(TurnShutdownTest, RelaysFlowThroughTheDrainUntilItsDeadlineThenExitZero) {
    TurnServerSpec spec;
    spec.tls = true;
    spec.allow_peers = R"(["127.0.0.1/32"])";
    spec.extra_top = "shutdown: {drain: 2s}";
    ASSERT_TRUE(start_turn(spec));
    // One allocation per transport, each with a permission and traffic.
    UdpPeer peer;
    ASSERT_TRUE(peer.ok());
    std::vector<std::unique_ptr<TurnClient>> clients;
    for (const auto proto : {Proto::udp, Proto::tcp, Proto::tls}) {
        const auto creds = rest_credentials("alice");
        const std::uint16_t port = proto == Proto::udp   ? udp_port_
                                   : proto == Proto::tcp ? tcp_port_
                                                         : tls_port_;
        std::string error;
        auto c =
            TurnClient::connect(proto, "127.0.0.1", port, creds.username, creds.password, &error);
        ASSERT_TRUE(c) << to_string(proto) << ": " << error;
        const auto r = c->allocate();
        ASSERT_TRUE(r && r->success())
            << to_string(proto) << ": " << (r ? r->describe() : "no response");
        const auto p = c->create_permission({peer.local_address()});
        ASSERT_TRUE(p && p->success());
        ASSERT_TRUE(c->send_indication(peer.local_address(), to_bytes("before")));
        ASSERT_TRUE(peer.receive(3s)) << to_string(proto);
        clients.push_back(std::move(c));
    }
    const auto t0 = Steady::now();
    server_->terminate();
    // Draining: every relay still carries data.
    for (auto& c : clients) {
        ASSERT_TRUE(c->send_indication(peer.local_address(), to_bytes("during")));
        EXPECT_TRUE(peer.receive(3s)) << "a relay stopped during the drain";
    }
    EXPECT_TRUE(server_->running()) << "exited before shutdown.drain with live allocations";
    const auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code) << "still running 10 s after SIGTERM with a 2 s drain";
    EXPECT_EQ(*code, 0);
    EXPECT_GE(Steady::now() - t0, 1500ms) << "the drain did not wait for the live allocations";
    EXPECT_LT(Steady::now() - t0, 10s);
    // TCP/TLS clients see their connection end.
    EXPECT_TRUE(clients[1]->socket().wait_closed(2s));
    EXPECT_TRUE(clients[2]->socket().wait_closed(2s));
}

TEST_F(TurnShutdownTest, TheDrainEndsAsSoonAsTheLastAllocationGoes) {
    TurnServerSpec spec;
    spec.allow_peers = R"(["127.0.0.1/32"])";
    spec.extra_top = "shutdown: {drain: 60s}";
    ASSERT_TRUE(start_turn(spec));
    UdpPeer peer;
    ASSERT_TRUE(peer.ok());
    const auto creds = rest_credentials("alice");
    auto c =
        TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, creds.username, creds.password);
    ASSERT_TRUE(c);
    const auto r = c->allocate();
    ASSERT_TRUE(r && r->success()) << (r ? r->describe() : "no response");
    ASSERT_TRUE(c->create_permission({peer.local_address()}));
    server_->terminate();
    ASSERT_TRUE(c->send_indication(peer.local_address(), to_bytes("during")));
    EXPECT_TRUE(peer.receive(3s)) << "the relay stopped at SIGTERM";
    EXPECT_FALSE(server_->wait_exit(300ms))
        << "exited with an allocation alive and 60 s of drain left";
    const auto t0 = Steady::now();
    const auto deleted = c->refresh(0);
    ASSERT_TRUE(deleted && deleted->success());
    const auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code) << "still running after the last allocation went";
    EXPECT_EQ(*code, 0);
    EXPECT_LT(Steady::now() - t0, 5s);
}

TEST_F(TurnShutdownTest, DrainRefusesNewAllocationsButKeepsExistingOnes) {
    TurnServerSpec spec;
    spec.extra_top = "shutdown: {drain: 3s}";
    ASSERT_TRUE(start_turn(spec));
    const auto creds = rest_credentials("alice");
    auto existing =
        TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, creds.username, creds.password);
    ASSERT_TRUE(existing);
    const auto r = existing->allocate();
    ASSERT_TRUE(r && r->success()) << (r ? r->describe() : "no response");

    // The live allocation keeps the process draining (up to its 3 s
    // deadline), so it is still there to answer.
    server_->terminate();
    const auto deadline = Steady::now() + 3s;
    bool draining = false;
    while (Steady::now() < deadline && !draining) {
        draining = server_->log().find("draining") != std::string::npos;
        if (!draining) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(draining) << "no 'draining' log line after SIGTERM";

    // New allocations: 508 with a reason (the worker learns of the drain
    // through a posted call: poll briefly).
    std::optional<StunResponse> refused;
    for (int i = 0; i < 20; ++i) {
        auto fresh =
            TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, creds.username, creds.password);
        ASSERT_TRUE(fresh);
        refused = fresh->allocate();
        if (refused && refused->error_code == stun::kErrorInsufficientCapacity) break;
        if (!server_->running()) break;
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_TRUE(refused) << "no answer to an Allocate while draining";
    EXPECT_EQ(refused->error_code, stun::kErrorInsufficientCapacity) << *refused;
    EXPECT_EQ(refused->reason, "Server Shutting Down") << *refused;
    // The existing allocation still refreshes.
    const auto refreshed = existing->refresh();
    ASSERT_TRUE(refreshed) << "no answer to a Refresh while draining";
    EXPECT_TRUE(refreshed->success()) << *refreshed;

    const auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code) << "still running 10 s after SIGTERM";
    EXPECT_EQ(*code, 0);
}

TEST_F(TurnShutdownTest, SigintWithATcpAllocationExitsZero) {
    TurnServerSpec spec;
    spec.extra_top = "shutdown: {drain: 1s}";
    ASSERT_TRUE(start_turn(spec));
    const auto creds = rest_credentials("alice");
    auto c =
        TurnClient::connect(Proto::tcp, "127.0.0.1", tcp_port_, creds.username, creds.password);
    ASSERT_TRUE(c);
    const auto r = c->allocate();
    ASSERT_TRUE(r && r->success());
    server_->send_signal(SIGINT);
    const auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
}

class TurnMetricsTest : public TurnTest {};

TEST_F(TurnMetricsTest, MetricsShowTurnTrafficAfterRequests) {
    TurnServerSpec spec;
    spec.allow_peers = R"(["127.0.0.1/32"])";
    ASSERT_TRUE(start_turn(spec));
    const auto before = http_get(server_->port(), "/metrics");
    ASSERT_EQ(before.status, 200);

    const auto creds = rest_credentials("alice");
    auto c =
        TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, creds.username, creds.password);
    ASSERT_TRUE(c);
    for (int i = 0; i < 3; ++i) {
        const auto b = c->binding();
        ASSERT_TRUE(b && b->success());
    }
    const auto a = c->allocate();  // one 401, then success
    ASSERT_TRUE(a && a->success());
    UdpPeer peer;
    ASSERT_TRUE(peer.ok());
    ASSERT_TRUE(c->create_permission({peer.local_address()}).value_or(StunResponse{}).success());
    ASSERT_TRUE(c->send_indication(peer.local_address(), to_bytes("12345")));
    ASSERT_TRUE(peer.receive(3s));
    ASSERT_TRUE(peer.send_to(*a->xor_relayed, to_bytes("abc")));
    ASSERT_TRUE(c->receive_data(3s));
    // A forbidden peer for a 403.
    const auto f = c->create_permission({address("10.0.0.1", 1)});
    ASSERT_TRUE(f);
    EXPECT_EQ(f->error_code, stun::kErrorForbidden);

    const auto m = http_get(server_->port(), "/metrics");
    ASSERT_EQ(m.status, 200);
    const std::string& t = m.body;
    EXPECT_NE(t.find("switchboard_turn_"), std::string::npos) << t;
    auto v = [&](const std::string& name, const std::string& label = "") {
        return metric_value(t, name, label).value_or(-1);
    };
    EXPECT_GE(v("switchboard_turn_requests_total", R"(method="Binding")"), 3) << t;
    EXPECT_GE(v("switchboard_turn_requests_total", R"(method="Allocate")"), 2) << t;
    EXPECT_GE(v("switchboard_turn_requests_total", R"(method="CreatePermission")"), 2) << t;
    EXPECT_EQ(v("switchboard_turn_allocations"), 1) << t;
    EXPECT_GE(v("switchboard_turn_allocations_total"), 1) << t;
    EXPECT_GE(v("switchboard_turn_errors_total", R"(code="401")"), 1) << t;
    EXPECT_GE(v("switchboard_turn_errors_total", R"(code="403")"), 1) << t;
    EXPECT_GE(v("switchboard_turn_relayed_packets_total", R"(direction="to_peer")"), 1) << t;
    EXPECT_GE(v("switchboard_turn_relayed_packets_total", R"(direction="from_peer")"), 1) << t;
    EXPECT_GE(v("switchboard_turn_relayed_bytes_total", R"(direction="to_peer")"), 5) << t;
    EXPECT_GE(v("switchboard_turn_relayed_bytes_total", R"(direction="from_peer")"), 3) << t;
    // HELP/TYPE lines for the family, as Prometheus expects.
    EXPECT_NE(t.find("# TYPE switchboard_turn_allocations gauge"), std::string::npos) << t;
    EXPECT_NE(t.find("# TYPE switchboard_turn_requests_total counter"), std::string::npos) << t;

    // Deleting the allocation brings the gauge back down.
    const auto gone = c->refresh(0);
    ASSERT_TRUE(gone && gone->success());
    const auto after = http_get(server_->port(), "/metrics");
    EXPECT_EQ(metric_value(after.body, "switchboard_turn_allocations").value_or(-1), 0)
        << after.body;
}

}  // namespace
}  // namespace sbtest::turnit
