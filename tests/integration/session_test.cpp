// How sessions end: close 1000, dropped TCP (with and without a resume
// window), replacement by a second login, heartbeat timeout
// (PROTOCOL.md "Resume after a dropped connection", "ping", "login").

#include <thread>

#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

using Steady = std::chrono::steady_clock;
constexpr const char* kSessionSecret = "session-jwt-secret-0123456789abcdef";

::testing::AssertionResult is_user_left(const std::optional<Msg>& m, const std::string& room,
                                        const std::string& user, const std::string& reason) {
    if (!m) return ::testing::AssertionFailure() << "no user-left (" << reason << ")";
    if (m->type() != "user-left" || m->str("roomId") != room || m->str("userId") != user ||
        m->str("reason") != reason)
        return ::testing::AssertionFailure()
               << "expected user-left " << room << "/" << user << " " << reason << ": " << m->raw;
    return ::testing::AssertionSuccess();
}

class SessionTest : public ServerTest {
protected:
    // alice and bob logged in and both in r1, bob's user-joined consumed.
    bool pair(const ServerConfig& cfg) {
        if (!start(cfg)) return false;
        alice_ = logged_in("alice", &alice_login_);
        bob_ = logged_in("bob");
        if (!alice_ || !bob_) return false;
        if (!joined(*alice_, "r1") || !joined(*bob_, "r1")) return false;
        return next_of_type(*alice_, "user-joined").has_value();
    }
    std::unique_ptr<WsClient> alice_, bob_;
    std::optional<Msg> alice_login_;
};

TEST_F(SessionTest, CloseWith1000EndsSessionAtOnce) {
    // Default resume window (30 s) must not apply to a clean close.
    ASSERT_TRUE(pair(ServerConfig{}));
    auto t0 = Steady::now();
    ASSERT_TRUE(alice_->close(1000));
    EXPECT_TRUE(is_user_left(next_of_type(*bob_, "user-left"), "r1", "alice", "left"));
    EXPECT_LT(Steady::now() - t0, 2s);
    // The room no longer lists alice.
    ASSERT_TRUE(bob_->send_text(R"({"type":"room-users","id":1,"roomId":"r1"})"));
    auto m = reply_to(*bob_, 1);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->raw.find("\"alice\""), std::string::npos) << *m;
}

TEST_F(SessionTest, DroppedConnectionWithoutWindowIsDisconnected) {
    ServerConfig cfg;
    cfg.set("resume", "{window: 0}");
    ASSERT_TRUE(pair(cfg));
    alice_->drop();
    EXPECT_TRUE(is_user_left(next_of_type(*bob_, "user-left"), "r1", "alice", "disconnected"));
}

TEST_F(SessionTest, DroppedConnectionIsKeptForTheResumeWindow) {
    ServerConfig cfg;
    cfg.set("resume", "{window: 1s}");
    ASSERT_TRUE(pair(cfg));
    auto t0 = Steady::now();
    alice_->drop();
    // Well inside the window: peers see nothing and the room still lists alice.
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(no_message_of_type(*bob_, "user-left"));
    ASSERT_TRUE(bob_->send_text(R"({"type":"room-users","id":1,"roomId":"r1"})"));
    auto m = reply_to(*bob_, 1);
    ASSERT_TRUE(m);
    EXPECT_NE(m->raw.find("\"alice\""), std::string::npos)
        << "still a member during the window: " << *m;
    // After the window: disconnected.
    auto left = next_of_type(*bob_, "user-left", 5s);
    auto elapsed = Steady::now() - t0;
    EXPECT_TRUE(is_user_left(left, "r1", "alice", "disconnected"));
    EXPECT_GE(elapsed, 900ms) << "user-left came before the 1 s window passed";
    EXPECT_LT(elapsed, 4s);
}

TEST_F(SessionTest, CloseWithOtherCodeIsADropNotALeave) {
    // Only 1000 ends a session at once; 1001 (a browser tab going away) keeps
    // it for the resume window like a dropped connection.
    ServerConfig cfg;
    cfg.set("resume", "{window: 1s}");
    ASSERT_TRUE(pair(cfg));
    auto t0 = Steady::now();
    ASSERT_TRUE(alice_->close(1001));
    EXPECT_TRUE(no_message_of_type(*bob_, "user-left"));
    auto left = next_of_type(*bob_, "user-left", 5s);
    EXPECT_TRUE(is_user_left(left, "r1", "alice", "disconnected"));
    EXPECT_GE(Steady::now() - t0, 900ms);
}

TEST_F(SessionTest, SecondLoginReplacesTheOldSession) {
    ASSERT_TRUE(pair(ServerConfig{}));
    auto alice2 = logged_in("alice");
    ASSERT_TRUE(alice2);
    auto err = next_msg(*alice_);
    ASSERT_TRUE(err) << alice_->last_error();
    EXPECT_EQ(err->type(), "error") << *err;
    EXPECT_EQ(err->str("error"), "session-replaced") << *err;
    EXPECT_TRUE(err->get("message") && err->get("message")->IsString()) << *err;
    EXPECT_EQ(alice_->wait_close(kWait), 4001) << alice_->last_error();
    EXPECT_TRUE(is_user_left(next_of_type(*bob_, "user-left"), "r1", "alice", "replaced"));
    // The new session starts in no room; it can join and bob sees it arrive.
    ASSERT_TRUE(joined(*alice2, "r1"));
    auto ev = next_of_type(*bob_, "user-joined");
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->str("userId"), "alice") << *ev;
}

TEST_F(SessionTest, ReplacementInJwtModeToo) {
    ServerConfig cfg;
    cfg.jwt(kSessionSecret);
    ASSERT_TRUE(start(cfg));
    auto a1 = logged_in_jwt(make_jwt(kSessionSecret, "alice"));
    ASSERT_TRUE(a1);
    auto a2 = logged_in_jwt(make_jwt(kSessionSecret, "alice"));
    ASSERT_TRUE(a2);
    auto err = next_of_type(*a1, "error");
    ASSERT_TRUE(err);
    EXPECT_EQ(err->str("error"), "session-replaced") << *err;
    EXPECT_EQ(a1->wait_close(kWait), 4001);
}

TEST_F(SessionTest, HeartbeatTimeoutClosesWith4008AndPeersSeeTimeout) {
    ServerConfig cfg;
    cfg.set("heartbeat", R"({interval: "200ms", timeout: "1s"})");
    cfg.set("resume", "{window: 0}");
    ASSERT_TRUE(pair(cfg));
    auto ping_fields = alice_login_->get("heartbeat");
    ASSERT_TRUE(ping_fields && ping_fields->IsObject());
    // alice now stops reading (so she never answers the server's pings);
    // bob keeps reading, which answers pings, while he waits.
    auto t0 = Steady::now();
    auto left = next_of_type(*bob_, "user-left", 6s);
    auto elapsed = Steady::now() - t0;
    EXPECT_TRUE(is_user_left(left, "r1", "alice", "timeout"));
    EXPECT_GE(elapsed, 700ms);
    EXPECT_EQ(alice_->wait_close(kWait), 4008) << alice_->last_error();
    // bob, who answered pings, is still connected.
    EXPECT_TRUE(sync(*bob_)) << bob_->last_error();
}

TEST_F(SessionTest, HeartbeatTimeoutKeepsItsReasonAcrossTheResumeWindow) {
    ServerConfig cfg;
    cfg.set("heartbeat", R"({interval: "200ms", timeout: "1s"})");
    cfg.set("resume", "{window: 1s}");
    ASSERT_TRUE(pair(cfg));
    auto t0 = Steady::now();
    // alice goes silent: closed after ~1 s, then kept for the 1 s window.
    auto left = next_of_type(*bob_, "user-left", 8s);
    auto elapsed = Steady::now() - t0;
    EXPECT_TRUE(is_user_left(left, "r1", "alice", "timeout"));
    EXPECT_GE(elapsed, 1700ms) << "the resume window must follow the heartbeat timeout";
    EXPECT_EQ(alice_->wait_close(kWait), 4008) << dump(*alice_);
}

TEST_F(SessionTest, HeartbeatIntervalAndTimeoutAreReportedInLogin) {
    ServerConfig cfg;
    cfg.set("heartbeat", "{interval: 5s, timeout: 12s}");
    cfg.set("resume", "{window: 7s}");
    ASSERT_TRUE(start(cfg));
    std::optional<Msg> reply;
    auto c = logged_in("alice", &reply);
    ASSERT_TRUE(c);
    const auto* hb = reply->get("heartbeat");
    ASSERT_TRUE(hb && hb->IsObject()) << *reply;
    EXPECT_EQ((*hb)["interval"].GetDouble(), 5.0) << *reply;
    EXPECT_EQ((*hb)["timeout"].GetDouble(), 12.0) << *reply;
    ASSERT_TRUE(reply->get("resumeWindow") && reply->get("resumeWindow")->IsNumber()) << *reply;
    EXPECT_EQ(reply->get("resumeWindow")->GetDouble(), 7.0) << *reply;
}

TEST_F(SessionTest, ActiveClientSurvivesManyHeartbeatIntervals) {
    ServerConfig cfg;
    cfg.set("heartbeat", R"({interval: "100ms", timeout: "700ms"})");
    ASSERT_TRUE(start(cfg));
    auto c = logged_in("alice");
    ASSERT_TRUE(c);
    // Reading for 1.5 s (two timeouts) answers the server's pings.
    auto t0 = Steady::now();
    while (Steady::now() - t0 < 1500ms) {
        c->recv(100ms);
        ASSERT_FALSE(c->closed()) << "closed with " << c->close_code().value_or(-1);
    }
    EXPECT_TRUE(sync(*c));
}

}  // namespace
}  // namespace sbtest
