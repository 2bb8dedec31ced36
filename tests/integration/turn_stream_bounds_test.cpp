// TURN over TCP and TLS against clients that stop reading: the bytes held
// for each are bounded by turn.stream_queue_bytes (everything counted), a
// write that makes no progress for turn.stream_write_timeout closes the
// connection, and others are served meanwhile; and the per-IP cap on stream
// connections (turn.max_stream_connections_per_ip).

#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;

class TurnStuckReaderTest : public TurnTest, public ::testing::WithParamInterface<Proto> {
protected:
    std::uint16_t port() const { return GetParam() == Proto::tls ? tls_port_ : tcp_port_; }

    // A client with a relay and a permission for `peer`; `receive_buffer`
    // small for one that will not read.
    std::unique_ptr<TurnClient> allocated(const std::string& user, const stun::Address& peer,
                                          stun::Address& relayed, int receive_buffer = 0) {
        std::string error;
        auto socket =
            StunSocket::connect(GetParam(), "127.0.0.1", port(), &error, 5s, receive_buffer);
        if (!socket) {
            ADD_FAILURE() << error;
            return nullptr;
        }
        const auto creds = rest_credentials(user);
        auto c = std::make_unique<TurnClient>(std::move(socket), creds.username, creds.password);
        const auto alloc = c->allocate();
        if (!(alloc && alloc->success() && alloc->xor_relayed)) {
            ADD_FAILURE() << (alloc ? alloc->describe() : "no response");
            return nullptr;
        }
        relayed = *alloc->xor_relayed;
        const auto permitted = c->create_permission({peer});
        if (!(permitted && permitted->success())) {
            ADD_FAILURE() << (permitted ? permitted->describe() : "no response");
            return nullptr;
        }
        return c;
    }

    double metric(const std::string& name, const std::string& label = "") {
        return metric_value(http_get(server_->port(), "/metrics").body, name, label).value_or(-1);
    }
};

TEST_P(TurnStuckReaderTest, EachHoldsAtMostTheQueueAndIsClosedWhenItsWriteStalls) {
    TurnServerSpec spec;
    spec.tls = GetParam() == Proto::tls;
    spec.allow_peers = R"(["127.0.0.1/32"])";
    spec.extra_turn = "stream_write_timeout: 2s";
    ASSERT_TRUE(start_turn(spec));
    UdpPeer peer;
    ASSERT_TRUE(peer.ok());

    constexpr int kStuck = 4;
    std::vector<std::unique_ptr<TurnClient>> stuck;
    std::vector<stun::Address> relays(kStuck);
    for (int i = 0; i < kStuck; ++i) {
        stuck.push_back(
            allocated("stuck" + std::to_string(i), peer.local_address(), relays[i], 4096));
        ASSERT_TRUE(stuck.back());
    }
    stun::Address healthy_relay;
    auto healthy = allocated("healthy", peer.local_address(), healthy_relay);
    ASSERT_TRUE(healthy);
    const auto rss_before = rss_kib(server_->pid());

    // 9.6 MB towards each stuck client, which reads none of it.
    const Bytes payload(1200, 0x5a);
    std::int64_t rss_max = rss_before;
    for (int round = 0; round < 8000; ++round) {
        for (const auto& relay : relays) ASSERT_TRUE(peer.send_to(relay, payload));
        if (round % 50 == 49) {
            std::this_thread::sleep_for(
                1ms);  // the relay sockets' kernel buffers are not the subject
            rss_max = std::max(rss_max, rss_kib(server_->pid()));
        }
    }
    // The healthy client is served meanwhile.
    const auto refreshed = healthy->refresh(600);
    ASSERT_TRUE(refreshed && refreshed->success())
        << (refreshed ? refreshed->describe() : "no response");

    // Each stuck write makes no progress for 2 s: all four are closed (bounded wait).
    double timeouts = 0;
    for (int i = 0; i < 100 && timeouts < kStuck; ++i) {
        rss_max = std::max(rss_max, rss_kib(server_->pid()));
        timeouts = metric("switchboard_turn_stream_write_timeouts_total");
        if (timeouts < kStuck) std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(timeouts, kStuck);
    EXPECT_GT(metric("switchboard_turn_stream_queue_drops_total"), 0);
    // 1 MiB each at most (the default stream_queue_bytes), plus TLS and
    // allocator slack; before the bound, each held 4 MiB queued plus the
    // batch in flight.
    RecordProperty("rss_growth_kib", std::to_string(rss_max - rss_before));
    std::printf("stuck TURN stream readers: server RSS %lld -> %lld KiB at most\n",
                static_cast<long long>(rss_before), static_cast<long long>(rss_max));
    EXPECT_LT(rss_max - rss_before, kStuck * 1024 + 4096)
        << "RSS " << rss_before << " -> " << rss_max << " KiB";
    for (auto& c : stuck) EXPECT_TRUE(c->socket().wait_closed(5s));
    const auto still = healthy->refresh(600);
    EXPECT_TRUE(still && still->success());
}

INSTANTIATE_TEST_SUITE_P(Turn, TurnStuckReaderTest, ::testing::Values(Proto::tcp, Proto::tls),
                         [](const ::testing::TestParamInfo<Proto>& info) {
                             return to_string(info.param);
                         });

class TurnStreamPerIpTest : public TurnTest {};

TEST_F(TurnStreamPerIpTest, ConnectionsPastThePerIpCapAreClosedAndCounted) {
    TurnServerSpec spec;
    spec.extra_turn = "max_stream_connections_per_ip: 2";
    ASSERT_TRUE(start_turn(spec));
    std::vector<std::unique_ptr<TurnClient>> clients;
    for (int i = 0; i < 2; ++i) {
        clients.push_back(TurnClient::connect(Proto::tcp, "127.0.0.1", tcp_port_, "u", "p"));
        ASSERT_TRUE(clients.back());
        const auto ok =
            clients.back()->socket().send(binding_request(stun::TransactionId::random()));
        ASSERT_TRUE(ok);
        ASSERT_TRUE(clients.back()->socket().receive(3s));
    }
    auto third = StunSocket::connect(Proto::tcp, "127.0.0.1", tcp_port_);
    if (third) {
        third->send(binding_request(stun::TransactionId::random()));
        EXPECT_FALSE(third->receive(2s)) << "a third connection from one IP was served";
    }
    const auto m = http_get(server_->port(), "/metrics").body;
    EXPECT_EQ(
        metric_value(m, "switchboard_turn_streams_refused_total", R"(limit="per_ip")").value_or(-1),
        1);
    EXPECT_EQ(
        metric_value(m, "switchboard_turn_streams_refused_total", R"(limit="total")").value_or(-1),
        0);
    // One closes: its slot is free again (bounded wait for the close to land).
    clients.pop_back();
    bool served = false;
    for (int i = 0; i < 40 && !served; ++i) {
        std::this_thread::sleep_for(50ms);
        auto next = StunSocket::connect(Proto::tcp, "127.0.0.1", tcp_port_);
        served =
            next && next->send(binding_request(stun::TransactionId::random())) && next->receive(1s);
    }
    EXPECT_TRUE(served);
}

}  // namespace
}  // namespace sbtest::turnit
