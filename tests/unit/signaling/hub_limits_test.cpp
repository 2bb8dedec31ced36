// Hub: rate limit, slow consumers, shutdown and metrics
// (PROTOCOL.md "Rate limit", "Close codes", "goaway").
#include "tests/unit/signaling/hub_fixture.hpp"

namespace switchboard::signaling::testing {
namespace {

class HubLimits : public HubTest {
protected:
    HubLimits() {
        config_.signaling.rate_limit.burst = 5;
        config_.signaling.rate_limit.messages_per_second = 1;
    }
    std::string ping(ConnectionId c, int id) {
        return request(c, R"({"type":"ping","id":)" + std::to_string(id) + "}");
    }
};

TEST_F(HubLimits, TheMessageAfterTheBurstIsRateLimitedWithItsId) {
    const auto c = open();
    for (int i = 1; i <= 5; ++i) EXPECT_EQ(type_of(ping(c, i)), "pong") << i;
    const auto dropped = ping(c, 6);
    EXPECT_EQ(type_of(dropped), "ping");
    EXPECT_EQ(field(dropped, "id"), "6");
    EXPECT_EQ(field(dropped, "success"), "false");
    EXPECT_EQ(field(dropped, "error"), "rate-limited");
    EXPECT_TRUE(metrics_contain("switchboard_signaling_rate_limited_total 1"));

    clock_.advance(std::chrono::seconds(1));  // refills one token
    EXPECT_EQ(type_of(ping(c, 7)), "pong");
    EXPECT_EQ(field(ping(c, 8), "error"), "rate-limited");
    clock_.advance(std::chrono::seconds(60));  // refills up to the burst, no further
    for (int i = 0; i < 5; ++i) EXPECT_EQ(type_of(ping(c, 9)), "pong");
    EXPECT_EQ(field(ping(c, 10), "error"), "rate-limited");
    EXPECT_FALSE(outbox_.close_code(c));
}

TEST_F(HubLimits, UnparsableFramesAreRateLimitedToo) {
    const auto c = open();
    for (int i = 0; i < 5; ++i) ping(c, i);
    const auto dropped = request(c, R"({"id":3})");
    EXPECT_EQ(type_of(dropped), "error");
    EXPECT_EQ(field(dropped, "error"), "rate-limited");
    EXPECT_EQ(field(dropped, "id"), "3");
    EXPECT_EQ(field(request(c, R"({"type":"hello","id":4})"), "error"), "rate-limited");
}

TEST_F(HubLimits, ARateLimitedSignalIsNotDelivered) {
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "r1");
    join(b, "r1");
    outbox_.clear_frames();
    for (int i = 0; i < 3; ++i) send(a, R"({"type":"signal","ack":false,"data":1})");
    const auto dropped = request(a, R"({"type":"signal","id":"s","data":"lost"})");
    EXPECT_EQ(field(dropped, "error"), "rate-limited");
    EXPECT_EQ(field(dropped, "id"), "s");
    EXPECT_EQ(take(b).size(), 3u);
}

TEST_F(HubLimits, MoreThanBurstDroppedInARowCloses4029) {
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "r1");
    join(b, "r1");
    outbox_.clear_frames();
    for (int i = 0; i < 3; ++i) ping(a, i);  // bucket empty
    for (int i = 0; i < 5; ++i) EXPECT_EQ(field(ping(a, i), "error"), "rate-limited");
    EXPECT_FALSE(outbox_.close_code(a));
    send(a, R"({"type":"ping","id":99})");
    const auto& h = outbox_.history(a);
    ASSERT_GE(h.size(), 2u);
    EXPECT_EQ(field(h[h.size() - 2], "id"), "99");
    EXPECT_EQ(h.back(), "<close 4029>");
    EXPECT_EQ(take(b), std::vector<std::string>{user_left("r1", "alice", "disconnected")});
    EXPECT_FALSE(hub().user_active("alice"));
}

TEST_F(HubLimits, AnAcceptedMessageResetsTheDropCount) {
    const auto c = open();
    for (int i = 0; i < 5; ++i) ping(c, i);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 5; ++i) EXPECT_EQ(field(ping(c, i), "error"), "rate-limited");
        clock_.advance(std::chrono::seconds(1));
        EXPECT_EQ(type_of(ping(c, 0)), "pong");
    }
    EXPECT_FALSE(outbox_.close_code(c));
}

TEST_F(HubLimits, ASlowConsumerIsClosedAndItsSessionEnds) {
    config_.signaling.rate_limit.burst = 1000;
    const auto a = login("alice");
    const auto b = login("bob");
    const auto c = login("carol");
    for (auto conn : {a, b, c}) join(conn, "r1");
    outbox_.clear_frames();
    outbox_.set_full(b);

    send(a, R"({"type":"signal","id":1,"data":"x"})");
    EXPECT_EQ(outbox_.close_code(b), close_code::policy);
    EXPECT_EQ(outbox_.refused(b), 1u);
    EXPECT_FALSE(hub().user_active("bob"));
    EXPECT_EQ(hub().connection_count(), 2u);
    const std::string relayed = R"({"type":"signal","roomId":"r1","from":"alice","data":"x"})";
    EXPECT_EQ(take(a), (std::vector<std::string>{R"({"type":"signal","id":1,"success":true})",
                                                 user_left("r1", "bob", "disconnected")}));
    EXPECT_EQ(take(c), (std::vector<std::string>{relayed, user_left("r1", "bob", "disconnected")}));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_slow_consumer_closes_total 1"));
}

TEST_F(HubLimits, ASenderWhoseOwnQueueIsFullIsClosed) {
    config_.signaling.rate_limit.burst = 1000;
    const auto a = login("alice");
    outbox_.set_full(a);
    send(a, R"({"type":"ping"})");
    EXPECT_EQ(outbox_.close_code(a), close_code::policy);
    EXPECT_FALSE(hub().user_active("alice"));
}

TEST_F(HubLimits, ShutdownSendsGoawayThenCloses1001Everywhere) {
    config_.signaling.rate_limit.burst = 1000;
    const auto anonymous = open();
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "r1");
    join(b, "r1");
    outbox_.clear_frames();
    hub().shutdown("shutdown", 1500);
    const std::string goaway = R"({"type":"goaway","reason":"shutdown","reconnectAfterMs":1500})";
    for (auto c : {anonymous, a, b}) {
        const auto& h = outbox_.history(c);
        ASSERT_GE(h.size(), 2u) << c;
        EXPECT_EQ(h[h.size() - 2], goaway) << c;
        EXPECT_EQ(h.back(), "<close 1001>") << c;
        EXPECT_EQ(outbox_.closes(c).size(), 1u) << c;
    }
    EXPECT_EQ(hub().connection_count(), 0u);
    EXPECT_TRUE(metrics_contain("switchboard_signaling_connections 0"));
}

// Regression: a drain must detach sessions like any dropped socket, so that
// the resume window still ends them.
TEST_F(HubLimits, SessionsOutliveADrainThatNobodyResumes) {
    config_.signaling.rate_limit.burst = 1000;
    const auto a = login("alice");
    join(a, "r1");
    hub().shutdown("draining", 1000);
    hub().on_close(a, Disconnect::dropped);  // what the transport reports next
    clock_.advance(std::chrono::minutes(5));
    hub().tick();
    EXPECT_FALSE(hub().user_active("alice"));
    EXPECT_EQ(hub().session_count(), 0u);
    EXPECT_EQ(hub().room_count(), 0u);
}

TEST_F(HubLimits, ASessionCanBeResumedAfterADrain) {
    config_.signaling.rate_limit.burst = 1000;
    const auto a = login("alice");
    join(a, "r1");
    hub().shutdown("draining", 1000);
    const auto c = open();
    const auto reply = request(
        c, R"({"type":"login","userId":"alice","resume":")" + resume_token_["alice"] + R"("})");
    EXPECT_EQ(field(reply, "resumed"), "true");
    EXPECT_EQ(field(request(c, R"({"type":"room-users"})"), "users"), R"([{"userId":"alice"}])");
}

TEST_F(HubLimits, MetricsCountWhatHappened) {
    config_.signaling.rate_limit.burst = 1000;
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "r1");
    join(b, "r1");
    send(a, R"({"type":"join"})");                 // bad-request
    send(a, R"({"type":"nope"})");                 // unknown-type
    send(a, "[");                                  // invalid-json
    send(a, R"({"type":"leave","roomId":"r9"})");  // not-in-room
    send(a, R"({"type":"signal","to":"bob","data":1})");
    EXPECT_TRUE(metrics_contain(R"(switchboard_signaling_errors_total{code="bad-request"} 1)"));
    EXPECT_TRUE(metrics_contain(R"(switchboard_signaling_errors_total{code="unknown-type"} 1)"));
    EXPECT_TRUE(metrics_contain(R"(switchboard_signaling_errors_total{code="invalid-json"} 1)"));
    EXPECT_TRUE(metrics_contain(R"(switchboard_signaling_errors_total{code="not-in-room"} 1)"));
    EXPECT_TRUE(metrics_contain(R"(switchboard_signaling_errors_total{code="room-full"} 0)"));
    EXPECT_TRUE(metrics_contain(R"(switchboard_signaling_messages_total{type="login"} 2)"));
    EXPECT_TRUE(metrics_contain(R"(switchboard_signaling_messages_total{type="join"} 2)"));
    EXPECT_TRUE(metrics_contain(R"(switchboard_signaling_messages_total{type="signal"} 1)"));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_signals_relayed_total 1"));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_connections 2"));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_sessions 2"));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_rooms 1"));

    hub().on_close(a, Disconnect::normal);
    hub().on_close(b, Disconnect::normal);
    EXPECT_TRUE(metrics_contain("switchboard_signaling_connections 0"));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_sessions 0"));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_rooms 0"));
}

}  // namespace
}  // namespace switchboard::signaling::testing
