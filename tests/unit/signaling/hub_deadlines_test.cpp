// The hub's clock work (PROTOCOL.md "ping"; DESIGN.md rule 3): heartbeat
// pings and timeouts and the login deadline, all from the injected clock.

#include "tests/unit/signaling/hub_fixture.hpp"

namespace switchboard::signaling::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class HubDeadlinesTest : public HubTest {
protected:
    HubDeadlinesTest() {
        config_.signaling.heartbeat_interval = seconds(25);
        config_.signaling.heartbeat_timeout = seconds(60);
        config_.signaling.login_timeout = seconds(10);
    }

    // Advances the clock in tick-sized steps, ticking after each, as the io
    // layer does.
    void run_for(milliseconds total) {
        for (milliseconds done{0}; done < total; done += Hub::kTickPeriod) {
            clock_.advance(Hub::kTickPeriod);
            hub().tick();
        }
    }
};

TEST_F(HubDeadlinesTest, APingGoesOutEveryInterval) {
    const auto a = login("alice");
    hub().tick();
    run_for(seconds(24));
    EXPECT_EQ(outbox_.pings(a), 0u);
    run_for(seconds(1) + Hub::kTickPeriod);
    EXPECT_EQ(outbox_.pings(a), 1u);
    // Traffic keeps it alive; pings go on regardless.
    for (int i = 0; i < 4; ++i) {
        run_for(seconds(25));
        hub().on_activity(a);  // the pong
    }
    EXPECT_EQ(outbox_.pings(a), 5u);
    EXPECT_FALSE(outbox_.close_code(a));
}

TEST_F(HubDeadlinesTest, SilenceForTheTimeoutClosesWith4008AndKeepsTheSessionForResume) {
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "r");
    join(b, "r");
    hub().tick();
    run_for(seconds(59));
    hub().on_activity(b);  // bob answers pings; alice does not
    EXPECT_FALSE(outbox_.close_code(a));
    run_for(seconds(1) + Hub::kTickPeriod);
    EXPECT_EQ(outbox_.close_code(a), close_code::heartbeat_timeout);
    EXPECT_EQ(outbox_.closes(a).front().reason, "heartbeat timeout");
    EXPECT_FALSE(outbox_.close_code(b));
    // Detached, not ended: bob sees no user-left until the resume window passes.
    EXPECT_TRUE(take_type(b, "user-left").empty());
    EXPECT_TRUE(hub().user_active("alice"));
    run_for(config_.signaling.resume_window + seconds(1));
    const auto left = take_type(b, "user-left");
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(field(left.front(), "reason"), "timeout");
    EXPECT_TRUE(metrics_contain("switchboard_signaling_heartbeat_timeouts_total 1"));
}

TEST_F(HubDeadlinesTest, ATextFrameCountsAsTraffic) {
    const auto a = login("alice");
    hub().tick();
    for (int i = 0; i < 5; ++i) {
        run_for(seconds(30));
        send(a, R"({"type":"ping"})");
    }
    EXPECT_FALSE(outbox_.close_code(a));
}

TEST_F(HubDeadlinesTest, NoLoginWithinTheDeadlineClosesWith1008) {
    const auto idle = open();
    const auto pinger = open();  // traffic is not a login
    const auto late = open();
    hub().tick();
    run_for(seconds(9));
    send(pinger, R"({"type":"ping"})");
    request(late, R"({"type":"login","userId":"late"})");
    run_for(seconds(1) + Hub::kTickPeriod);
    EXPECT_EQ(outbox_.close_code(idle), close_code::policy);
    EXPECT_EQ(outbox_.closes(idle).front().reason, "login timeout");
    EXPECT_EQ(outbox_.close_code(pinger), close_code::policy);
    EXPECT_FALSE(outbox_.close_code(late));
    EXPECT_EQ(hub().connection_count(), 1u);
    EXPECT_TRUE(metrics_contain("switchboard_signaling_login_timeouts_total 2"));
}

TEST_F(HubDeadlinesTest, AResumeIsALogin) {
    const auto a = login("alice");
    join(a, "r");
    hub().on_close(a, Disconnect::dropped);
    const auto again = open();
    const auto reply = request(
        again, R"({"type":"login","userId":"alice","resume":")" + resume_token_["alice"] + R"("})");
    EXPECT_EQ(field(reply, "resumed"), "true") << reply;
    hub().tick();
    run_for(seconds(30));
    hub().on_activity(again);
    run_for(seconds(1));
    EXPECT_FALSE(outbox_.close_code(again));
}

TEST_F(HubDeadlinesTest, TheResumeBufferIsBoundedInBytes) {
    config_.signaling.resume_buffer = 1000;
    config_.signaling.resume_buffer_bytes = 4096;
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "r");
    join(b, "r");
    hub().on_close(a, Disconnect::dropped);
    const std::string data(1000, 'x');
    for (int i = 0; i < 3; ++i) {
        send(b, R"({"type":"signal","to":"alice","ack":false,"data":")" + data + R"("})");
    }
    EXPECT_TRUE(hub().user_active("alice")) << "3 signals of ~1 KB fit in 4 KiB";
    EXPECT_TRUE(take_type(b, "user-left").empty());
    send(b, R"({"type":"signal","to":"alice","ack":false,"data":")" + data + R"("})");
    const auto left = take_type(b, "user-left");
    ASSERT_EQ(left.size(), 1u) << "the 4th signal overflows 4 KiB: the session ends";
    EXPECT_EQ(field(left.front(), "reason"), "disconnected");
    EXPECT_TRUE(metrics_contain("switchboard_signaling_resume_buffer_overflows_total 1"));
}

}  // namespace
}  // namespace switchboard::signaling::testing
