// Hub: how sessions end, the resume window and resuming
// (PROTOCOL.md "Resume after a dropped connection", "ping").
#include "tests/unit/signaling/hub_fixture.hpp"

namespace switchboard::signaling::testing {
namespace {

class HubResume : public HubTest {
protected:
    void SetUp() override { start(); }
    // The hub holds config_ by reference as an immutable struct: a test that
    // needs other settings changes config_, then starts over with a new hub.
    void restart() {
        hub_.reset();
        start();
    }
    void start() {
        alice_ = login("alice");
        bob_ = login("bob");
        join(alice_, "r1");
        join(bob_, "r1");
        outbox_.clear_frames();
    }
    std::string resume_frame(std::string_view token) {
        return R"({"type":"login","id":"R","userId":"alice","resume":")" + std::string(token) +
               R"("})";
    }
    void signal_alice(int n) {
        send(bob_,
             R"({"type":"signal","to":"alice","ack":false,"data":)" + std::to_string(n) + "}");
    }
    ConnectionId alice_ = 0, bob_ = 0;
};

TEST_F(HubResume, NormalCloseEndsTheSessionAtOnce) {
    hub().on_close(alice_, Disconnect::normal);
    EXPECT_EQ(take(bob_), std::vector<std::string>{user_left("r1", "alice", "left")});
    EXPECT_FALSE(hub().user_active("alice"));
    EXPECT_EQ(hub().session_count(), 1u);
    EXPECT_EQ(hub().connection_count(), 1u);
}

TEST_F(HubResume, ADroppedSessionWaitsOutTheWindow) {
    hub().on_close(alice_, Disconnect::dropped);
    EXPECT_TRUE(take(bob_).empty());
    EXPECT_TRUE(hub().user_active("alice"));
    EXPECT_EQ(field(request(bob_, R"({"type":"room-users"})"), "users"),
              R"([{"userId":"alice"},{"userId":"bob"}])");

    clock_.advance(std::chrono::milliseconds(29'999));
    hub().tick();
    EXPECT_TRUE(take(bob_).empty());
    EXPECT_TRUE(hub().user_active("alice"));

    clock_.advance(std::chrono::milliseconds(1));
    hub().tick();
    EXPECT_EQ(take(bob_), std::vector<std::string>{user_left("r1", "alice", "disconnected")});
    EXPECT_FALSE(hub().user_active("alice"));
    EXPECT_EQ(hub().session_count(), 1u);
}

TEST_F(HubResume, AHeartbeatTimeoutEndsWithReasonTimeout) {
    hub().on_close(alice_, Disconnect::heartbeat_timeout);
    EXPECT_TRUE(take(bob_).empty());
    clock_.advance(std::chrono::seconds(30));
    hub().tick();
    EXPECT_EQ(take(bob_), std::vector<std::string>{user_left("r1", "alice", "timeout")});
}

TEST_F(HubResume, WithoutAWindowADropEndsTheSessionAtOnce) {
    config_.signaling.resume_window = std::chrono::milliseconds(0);
    restart();
    hub().on_close(alice_, Disconnect::dropped);
    EXPECT_EQ(take(bob_), std::vector<std::string>{user_left("r1", "alice", "disconnected")});
    EXPECT_FALSE(hub().user_active("alice"));
}

TEST_F(HubResume, ResumingRestoresTheSessionAndFlushesTheBuffer) {
    hub().on_close(alice_, Disconnect::dropped);
    signal_alice(1);
    signal_alice(2);
    send(bob_, R"({"type":"signal","ack":false,"data":3})");  // broadcast: buffered too
    EXPECT_TRUE(take(bob_).empty());
    clock_.advance(std::chrono::seconds(29));
    hub().tick();

    const auto c = open();
    send(c, resume_frame(resume_token_["alice"]));
    const auto frames = take(c);
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(type_of(frames[0]), "login");
    EXPECT_EQ(field(frames[0], "id"), R"(R)");
    EXPECT_EQ(field(frames[0], "success"), "true");
    EXPECT_EQ(field(frames[0], "resumed"), "true");
    EXPECT_EQ(field(frames[0], "sessionId"), session_id_["alice"]);
    EXPECT_NE(field(frames[0], "resumeToken"), resume_token_["alice"]);
    EXPECT_GE(field(frames[0], "resumeToken").size(), 32u);
    for (int i = 1; i <= 3; ++i) {
        EXPECT_EQ(frames[i], R"({"type":"signal","roomId":"r1","from":"bob","data":)" +
                                 std::to_string(i) + "}");
    }

    // Peers saw nothing; live traffic flows to the new connection.
    EXPECT_TRUE(take(bob_).empty());
    signal_alice(4);
    EXPECT_EQ(field(take(c).at(0), "data"), "4");
    clock_.advance(std::chrono::minutes(5));
    hub().tick();
    EXPECT_TRUE(take(bob_).empty());
    EXPECT_TRUE(hub().user_active("alice"));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_resumes_total 1"));
}

TEST_F(HubResume, AResumeTokenWorksOnce) {
    hub().on_close(alice_, Disconnect::dropped);
    const auto first = open();
    EXPECT_EQ(field(request(first, resume_frame(resume_token_["alice"])), "resumed"), "true");
    hub().on_close(first, Disconnect::dropped);
    const auto second = open();
    EXPECT_EQ(field(request(second, resume_frame(resume_token_["alice"])), "resumed"), "false");
}

TEST_F(HubResume, AConnectionFailedForCauseGetsNoWindow) {
    hub().on_close(alice_, Disconnect::failed);
    EXPECT_EQ(take(bob_), std::vector<std::string>{user_left("r1", "alice", "disconnected")});
    EXPECT_FALSE(hub().user_active("alice"));
}

TEST_F(HubResume, AWrongResumeTokenStartsAFreshSessionAndReplaces) {
    hub().on_close(alice_, Disconnect::dropped);
    const auto c = open();
    const auto reply = request(c, resume_frame("not-the-token"));
    EXPECT_EQ(field(reply, "success"), "true");
    EXPECT_EQ(field(reply, "resumed"), "false");
    EXPECT_NE(field(reply, "sessionId"), session_id_["alice"]);
    EXPECT_EQ(take(bob_), std::vector<std::string>{user_left("r1", "alice", "replaced")});
    EXPECT_EQ(field(request(c, R"({"type":"room-users","roomId":"r1"})"), "error"), "not-in-room");
    // The window passing later changes nothing.
    clock_.advance(std::chrono::minutes(1));
    hub().tick();
    EXPECT_TRUE(take(bob_).empty());
    join(c, "r1");
    EXPECT_TRUE(hub().user_active("alice"));
}

TEST_F(HubResume, AResumeAfterTheWindowIsAFreshLogin) {
    hub().on_close(alice_, Disconnect::dropped);
    clock_.advance(std::chrono::seconds(30));
    hub().tick();
    take(bob_);
    const auto c = open();
    EXPECT_EQ(field(request(c, resume_frame(resume_token_["alice"])), "resumed"), "false");
    EXPECT_TRUE(take(bob_).empty()) << "the session already ended; nobody to replace";
}

TEST_F(HubResume, ResumingWhileTheOldSocketIsStillOpenClosesIt) {
    const auto c = open();
    EXPECT_EQ(field(request(c, resume_frame(resume_token_["alice"])), "resumed"), "true");
    EXPECT_EQ(outbox_.close_code(alice_), close_code::replaced);
    EXPECT_TRUE(take(bob_).empty());
    signal_alice(7);
    EXPECT_EQ(take(c).size(), 1u);
    EXPECT_TRUE(take(alice_).empty());
}

TEST_F(HubResume, ResumeWorksInJwtModeToo) {
    use_jwt();
    hub_.reset();  // no restart(): its logins are mode none
    const auto a = login_jwt("alice", token("alice"));
    hub().on_close(a, Disconnect::dropped);
    const auto c = open();
    const auto reply = request(c, R"({"type":"login","token":")" + token("alice") +
                                      R"(","resume":")" + resume_token_["alice"] + R"("})");
    EXPECT_EQ(field(reply, "resumed"), "true");
}

TEST_F(HubResume, ABufferThatFillsUpIsKept) {
    config_.signaling.resume_buffer = 3;
    restart();
    hub().on_close(alice_, Disconnect::dropped);
    for (int i = 0; i < 3; ++i) signal_alice(i);
    EXPECT_TRUE(take(bob_).empty());
    const auto c = open();
    send(c, resume_frame(resume_token_["alice"]));
    EXPECT_EQ(take(c).size(), 4u);
}

TEST_F(HubResume, ABufferOverflowEndsTheSession) {
    config_.signaling.resume_buffer = 3;
    restart();
    hub().on_close(alice_, Disconnect::dropped);
    for (int i = 0; i < 4; ++i) signal_alice(i);
    EXPECT_EQ(take(bob_), std::vector<std::string>{user_left("r1", "alice", "disconnected")});
    EXPECT_FALSE(hub().user_active("alice"));
    EXPECT_TRUE(metrics_contain("switchboard_signaling_resume_buffer_overflows_total 1"));
    const auto c = open();
    EXPECT_EQ(field(request(c, resume_frame(resume_token_["alice"])), "resumed"), "false");
}

TEST_F(HubResume, UserActiveFollowsTheSession) {
    EXPECT_TRUE(hub().user_active("alice"));
    EXPECT_FALSE(hub().user_active("nobody"));
    hub().on_close(alice_, Disconnect::dropped);
    clock_.advance(std::chrono::seconds(10));
    hub().tick();
    EXPECT_TRUE(hub().user_active("alice"));
    clock_.advance(std::chrono::seconds(20));
    hub().tick();
    EXPECT_FALSE(hub().user_active("alice"));
}

TEST_F(HubResume, AClosedConnectionIsForgotten) {
    hub().on_close(alice_, Disconnect::dropped);
    send(alice_, R"({"type":"ping"})");
    EXPECT_TRUE(take(alice_).empty());
    hub().on_close(alice_, Disconnect::normal);  // a second report changes nothing
    EXPECT_TRUE(take(bob_).empty());
    EXPECT_TRUE(hub().user_active("alice"));
}

}  // namespace
}  // namespace switchboard::signaling::testing
