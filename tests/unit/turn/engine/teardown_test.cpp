// The bridge and the connection lifecycle: drop_user, TCP close, the
// engine's destructor, and the metrics they move.
#include "engine_fixture.hpp"

namespace switchboard::turn::test {
namespace {

class EngineTeardown : public EngineFixture {};

TEST_F(EngineTeardown, DropUserRemovesAllOfThatUsersAllocations) {
    TestClient alice_udp = rest_client("alice", 40000);
    TestClient alice_tcp = rest_client("alice", 40001, Transport::tcp);
    TestClient bob = rest_client("bob", 40002);
    ASSERT_TRUE(allocate(alice_udp).is_success());
    ASSERT_TRUE(allocate(alice_tcp).is_success());
    ASSERT_TRUE(allocate(bob).is_success());
    const auto alice_relay = relay_of(alice_udp);
    engine().drop_user("alice", sink);
    EXPECT_EQ(engine().allocation_count(), 1u);
    EXPECT_EQ(sink.closed.size(), 2u);
    EXPECT_EQ(shared.per_user["alice"], 0);
    EXPECT_EQ(shared.per_user["bob"], 1);
    EXPECT_FALSE(shared.is_relayed(alice_relay.address));
    EXPECT_TRUE(shared.is_relayed(relay_of(bob).address));
    EXPECT_EQ(metrics.gauge("switchboard_turn_allocations", "").value(), 1);
    // Its client is now told there is no allocation.
    EXPECT_EQ(refresh(alice_udp, 600).error_code(), 437);
    engine().drop_user("nobody", sink);
    EXPECT_EQ(engine().allocation_count(), 1u);
}

TEST_F(EngineTeardown, DropUserSparesAStaticUserOfTheSameName) {
    // A signaling user may be called like a static TURN user; its session
    // ending must not tear down the test tool's relays.
    config.turn.static_users = {{"alice", "static-password"}};
    TestClient rest = rest_client("alice", 40000);
    TestClient fixed = static_client("alice", "static-password", 40001);
    ASSERT_TRUE(allocate(rest).is_success());
    ASSERT_TRUE(allocate(fixed).is_success());
    engine().drop_user("alice", sink);
    EXPECT_EQ(engine().allocation_count(), 1u);
    EXPECT_EQ(refresh(rest, 600).error_code(), 437);
    EXPECT_TRUE(refresh(fixed, 600).is_success());
}

TEST_F(EngineTeardown, DropUserTouchesOnlyThatUsersAllocations) {
    // 200 other users' allocations, and alice's 3: drop_user touches 3.
    shared.max_total = 1000;
    for (int i = 0; i < 200; ++i) {
        TestClient other =
            rest_client("user" + std::to_string(i), static_cast<std::uint16_t>(41000 + i));
        shared.active.insert("user" + std::to_string(i));
        ASSERT_TRUE(allocate(other).is_success());
    }
    for (std::uint16_t port : {40000, 40001, 40002}) {
        TestClient alice = rest_client("alice", port);
        ASSERT_TRUE(allocate(alice).is_success());
    }
    sink.closed.clear();
    engine().drop_user("alice", sink);
    EXPECT_EQ(sink.closed.size(), 3u);
    EXPECT_EQ(engine().allocation_count(), 200u);
    engine().drop_user("alice", sink);  // none left: nothing to do
    EXPECT_EQ(sink.closed.size(), 3u);
}

TEST_F(EngineTeardown, ClosedStreamTakesItsAllocation) {
    TestClient client = rest_client("alice", 40000, Transport::tls);
    ASSERT_TRUE(allocate(client).is_success());
    engine().on_client_closed(client.tuple, sink);
    EXPECT_EQ(engine().allocation_count(), 0u);
    EXPECT_EQ(sink.closed.size(), 1u);
    EXPECT_EQ(shared.total, 0);
    engine().on_client_closed(client.tuple, sink);  // twice is harmless
    EXPECT_EQ(sink.closed.size(), 1u);
}

TEST_F(EngineTeardown, DestructorGivesBackSharedState) {
    {
        Engine scoped(config, clock, shared, shared, metrics, nonce_key);
        TestClient client = rest_client("alice");
        client.nonce.clear();
        scoped.on_client_packet(client.tuple, client.request(stun::Method::allocate, udp(), false),
                                sink);
        client.nonce = Message(sink.to_client.back().bytes).text(stun::kAttrNonce);
        scoped.on_client_packet(client.tuple, client.request(stun::Method::allocate, udp()), sink);
        ASSERT_EQ(scoped.allocation_count(), 1u);
        EXPECT_EQ(shared.total, 1);
    }
    EXPECT_EQ(shared.total, 0);
    EXPECT_TRUE(shared.relayed.empty());
    EXPECT_EQ(metrics.gauge("switchboard_turn_allocations", "").value(), 0);
}

TEST_F(EngineTeardown, RequestAndErrorCountersAreExported) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());  // 401 (nonce), then success
    const std::string text = metrics.render_prometheus();
    EXPECT_NE(text.find("switchboard_turn_requests_total{method=\"Allocate\"} 1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("switchboard_turn_requests_total{method=\"Refresh\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("switchboard_turn_errors_total{code=\"401\"} 1"), std::string::npos);
    EXPECT_NE(text.find("switchboard_turn_allocations 1"), std::string::npos);
    EXPECT_NE(text.find("switchboard_turn_dropped_total{reason=\"malformed\"} 0"),
              std::string::npos);
}

}  // namespace
}  // namespace switchboard::turn::test
