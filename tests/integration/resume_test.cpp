// Resuming a dropped session within the window (PROTOCOL.md "Resume after a
// dropped connection").

#include <thread>

#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

class ResumeTest : public ServerTest {
protected:
    bool pair(const std::string& window) {
        ServerConfig cfg;
        cfg.set("resume", "{window: " + window + "}");
        if (!start(cfg)) return false;
        alice_ = logged_in("alice", &alice_login_);
        bob_ = logged_in("bob");
        if (!alice_ || !bob_) return false;
        if (!joined(*alice_, "r1") || !joined(*bob_, "r1")) return false;
        return next_of_type(*alice_, "user-joined").has_value();
    }
    std::optional<Msg> resume(WsClient& c, const std::string& user, const std::string& token) {
        if (!c.send_text(R"({"type":"login","id":77,"userId":)" + json_string(user) +
                         R"(,"resume":)" + json_string(token) + "}"))
            return std::nullopt;
        return reply_to(c, 77);
    }
    std::unique_ptr<WsClient> alice_, bob_;
    std::optional<Msg> alice_login_;
};

TEST_F(ResumeTest, ResumeWithinWindowDeliversBufferedSignalsInOrder) {
    ASSERT_TRUE(pair("5s"));
    const std::string session = alice_login_->str("sessionId");
    const std::string token = alice_login_->str("resumeToken");
    ASSERT_FALSE(token.empty());
    alice_->drop();
    // Nothing observable tells us when the server has noticed the drop; give
    // it a moment so the signals below are buffered rather than written to
    // the dead socket.
    std::this_thread::sleep_for(300ms);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(bob_->send_text(R"({"type":"signal","id":)" + std::to_string(10 + i) +
                                    R"(,"roomId":"r1","to":"alice","data":"n)" + std::to_string(i) +
                                    "\"}"));
        auto r = reply_to(*bob_, 10 + i);
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->is_success()) << "alice is still a member during the window: " << *r;
    }

    auto again = client();
    ASSERT_TRUE(again);
    auto m = resume(*again, "alice", token);
    ASSERT_TRUE(m) << again->last_error();
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->boolean("resumed"), true) << *m;
    EXPECT_EQ(m->str("sessionId"), session) << *m;
    EXPECT_FALSE(m->str("resumeToken").empty()) << *m;
    EXPECT_NE(m->str("resumeToken"), token) << "a new resume token: " << *m;
    // The buffered signals come right after the login reply, in order.
    for (int i = 0; i < 3; ++i) {
        auto s = next_msg(*again);
        ASSERT_TRUE(s) << i;
        EXPECT_EQ(s->type(), "signal") << *s;
        EXPECT_EQ(s->str("from"), "bob") << *s;
        EXPECT_NE(s->raw.find(R"("data":"n)" + std::to_string(i) + "\""), std::string::npos) << *s;
    }
    // Live traffic flows both ways, still in r1 without re-joining.
    ASSERT_TRUE(
        bob_->send_text(R"({"type":"signal","id":20,"roomId":"r1","to":"alice","data":"live"})"));
    auto ack = reply_to(*bob_, 20);
    ASSERT_TRUE(ack && ack->is_success()) << dump(*bob_);
    auto live = next_of_type(*again, "signal");
    ASSERT_TRUE(live);
    EXPECT_NE(live->raw.find(R"("data":"live")"), std::string::npos) << *live;
    ASSERT_TRUE(
        again->send_text(R"({"type":"signal","id":21,"roomId":"r1","to":"bob","data":"back"})"));
    auto back = next_of_type(*bob_, "signal");
    ASSERT_TRUE(back) << dump(*bob_);
    EXPECT_EQ(back->str("from"), "alice") << *back;
    // bob never saw alice leave or re-join.
    auto seen = sync(*bob_);
    ASSERT_TRUE(seen);
    for (const auto& e : *seen) {
        EXPECT_NE(e.type(), "user-left") << e;
        EXPECT_NE(e.type(), "user-joined") << e;
    }
}

TEST_F(ResumeTest, ResumeWithJwt) {
    const std::string secret = "resume-jwt-secret-0123456789abcdef0123";
    ServerConfig cfg;
    cfg.jwt(secret);
    cfg.set("resume", "{window: 5s}");
    ASSERT_TRUE(start(cfg));
    std::optional<Msg> login;
    auto a = logged_in_jwt(make_jwt(secret, "alice"), &login);
    auto b = logged_in_jwt(make_jwt(secret, "bob"));
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    a->drop();
    std::this_thread::sleep_for(200ms);
    auto again = client();
    ASSERT_TRUE(again);
    ASSERT_TRUE(again->send_text(R"({"type":"login","id":5,"token":)" +
                                 json_string(make_jwt(secret, "alice")) + R"(,"resume":)" +
                                 json_string(login->str("resumeToken")) + "}"));
    auto m = reply_to(*again, 5);
    ASSERT_TRUE(m) << dump(*again);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->boolean("resumed"), true) << *m;
    EXPECT_EQ(m->str("sessionId"), login->str("sessionId")) << *m;
    EXPECT_TRUE(no_message_of_type(*b, "user-left"));
}

TEST_F(ResumeTest, ResumedSessionCanResumeAgainWithTheNewToken) {
    ASSERT_TRUE(pair("5s"));
    alice_->drop();
    std::this_thread::sleep_for(200ms);
    auto c2 = client();
    ASSERT_TRUE(c2);
    auto m = resume(*c2, "alice", alice_login_->str("resumeToken"));
    ASSERT_TRUE(m && m->boolean("resumed") == true) << (m ? m->raw : "");
    std::string token2 = m->str("resumeToken");
    c2->drop();
    std::this_thread::sleep_for(200ms);
    auto c3 = client();
    ASSERT_TRUE(c3);
    auto m3 = resume(*c3, "alice", token2);
    ASSERT_TRUE(m3);
    EXPECT_EQ(m3->boolean("resumed"), true) << *m3;
    EXPECT_EQ(m3->str("sessionId"), alice_login_->str("sessionId")) << *m3;
    EXPECT_TRUE(no_message_of_type(*bob_, "user-left"));
}

TEST_F(ResumeTest, WrongTokenStartsFreshSessionAndReplacesTheOld) {
    ASSERT_TRUE(pair("5s"));
    alice_->drop();
    std::this_thread::sleep_for(200ms);
    auto again = client();
    ASSERT_TRUE(again);
    auto m = resume(*again, "alice", "definitely-not-the-token");
    ASSERT_TRUE(m) << again->last_error();
    EXPECT_TRUE(m->is_success()) << "a wrong resume token is not an error: " << *m;
    EXPECT_EQ(m->boolean("resumed"), false) << *m;
    EXPECT_NE(m->str("sessionId"), alice_login_->str("sessionId")) << *m;
    auto left = next_of_type(*bob_, "user-left");
    ASSERT_TRUE(left);
    EXPECT_EQ(left->str("userId"), "alice") << *left;
    EXPECT_EQ(left->str("reason"), "replaced") << *left;
    // A fresh session: not in r1.
    ASSERT_TRUE(again->send_text(R"({"type":"room-users","id":5,"roomId":"r1"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*again, 5), "room-users", "not-in-room", 5));
}

TEST_F(ResumeTest, AnotherUsersTokenDoesNotResume) {
    ASSERT_TRUE(pair("5s"));
    alice_->drop();
    std::this_thread::sleep_for(200ms);
    auto mallory = client();
    ASSERT_TRUE(mallory);
    auto m = resume(*mallory, "mallory", alice_login_->str("resumeToken"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->boolean("resumed"), false) << *m;
    EXPECT_EQ(m->str("userId"), "mallory") << *m;
    EXPECT_NE(m->str("sessionId"), alice_login_->str("sessionId")) << *m;
    // alice's session is untouched: still listed during the window.
    ASSERT_TRUE(bob_->send_text(R"({"type":"room-users","id":3,"roomId":"r1"})"));
    auto ru = reply_to(*bob_, 3);
    ASSERT_TRUE(ru);
    EXPECT_NE(ru->raw.find("\"alice\""), std::string::npos) << *ru;
}

TEST_F(ResumeTest, ResumeAfterTheWindowIsAFreshSession) {
    ASSERT_TRUE(pair("1s"));
    alice_->drop();
    auto left = next_of_type(*bob_, "user-left", 5s);
    ASSERT_TRUE(left);
    EXPECT_EQ(left->str("reason"), "disconnected") << *left;
    auto again = client();
    ASSERT_TRUE(again);
    auto m = resume(*again, "alice", alice_login_->str("resumeToken"));
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->boolean("resumed"), false) << *m;
}

TEST_F(ResumeTest, CleanCloseCannotBeResumed) {
    ASSERT_TRUE(pair("5s"));
    ASSERT_TRUE(alice_->close(1000));
    auto left = next_of_type(*bob_, "user-left");
    ASSERT_TRUE(left);
    EXPECT_EQ(left->str("reason"), "left") << *left;
    auto again = client();
    ASSERT_TRUE(again);
    auto m = resume(*again, "alice", alice_login_->str("resumeToken"));
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->boolean("resumed"), false) << *m;
}

TEST_F(ResumeTest, ResumeBufferOverflowEndsTheSession) {
    ServerConfig cfg;
    cfg.set("resume", "{window: 10s, buffer: 4}");
    ASSERT_TRUE(start(cfg));
    alice_ = logged_in("alice", &alice_login_);
    bob_ = logged_in("bob");
    ASSERT_TRUE(alice_ && bob_);
    ASSERT_TRUE(joined(*alice_, "r1"));
    ASSERT_TRUE(joined(*bob_, "r1"));
    alice_->drop();
    std::this_thread::sleep_for(300ms);
    // Buffer holds 4; the session ends when it overflows (well before 10 s).
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(
            bob_->send_text(R"({"type":"signal","roomId":"r1","to":"alice","ack":false,"data":)" +
                            std::to_string(i) + "}"));
    }
    auto left = next_of_type(*bob_, "user-left", 3s);
    ASSERT_TRUE(left) << "overflowing the resume buffer must end the session before the window";
    EXPECT_EQ(left->str("userId"), "alice") << *left;
    EXPECT_EQ(left->str("reason"), "disconnected") << *left;
}

}  // namespace
}  // namespace sbtest
