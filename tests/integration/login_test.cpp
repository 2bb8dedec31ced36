// login, the envelope (id echo, error shapes), pre-login rules, JWT
// verification and the error budget (PROTOCOL.md "Envelope", "login").

#include <regex>

#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

constexpr const char* kSecret = "jwt-test-secret-0123456789abcdef0123456789-0123456789abcdef0123";

class LoginTransportTest : public TransportTest {};

TEST_P(LoginTransportTest, LoginReplyCarriesEveryField) {
    ASSERT_TRUE(start(base_config()));
    auto c = client();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_text(R"({"type":"login","id":1,"userId":"alice"})"));
    auto m = next_msg(*c);
    ASSERT_TRUE(m) << c->last_error();
    EXPECT_EQ(m->type(), "login") << *m;
    EXPECT_EQ(m->integer("id"), 1) << *m;
    EXPECT_EQ(m->boolean("success"), true) << *m;
    EXPECT_EQ(m->str("userId"), "alice") << *m;
    EXPECT_FALSE(m->str("sessionId").empty()) << *m;
    EXPECT_EQ(m->str("protocol"), "switchboard.v1") << *m;
    EXPECT_FALSE(m->str("resumeToken").empty()) << *m;
    // Defaults: heartbeat 25 s / 60 s, resume window 30 s.
    const auto* hb = m->get("heartbeat");
    ASSERT_TRUE(hb && hb->IsObject()) << *m;
    ASSERT_TRUE(hb->HasMember("interval") && (*hb)["interval"].IsNumber()) << *m;
    ASSERT_TRUE(hb->HasMember("timeout") && (*hb)["timeout"].IsNumber()) << *m;
    EXPECT_EQ((*hb)["interval"].GetDouble(), 25.0) << *m;
    EXPECT_EQ((*hb)["timeout"].GetDouble(), 60.0) << *m;
    const auto* window = m->get("resumeWindow");
    ASSERT_TRUE(window && window->IsNumber()) << *m;
    EXPECT_EQ(window->GetDouble(), 30.0) << *m;
    EXPECT_EQ(m->boolean("resumed"), false) << *m;
}

TEST_P(LoginTransportTest, SessionIdsAreDistinctPerLogin) {
    ASSERT_TRUE(start(base_config()));
    std::optional<Msg> a, b;
    auto ca = logged_in("alice", &a);
    auto cb = logged_in("bob", &b);
    ASSERT_TRUE(ca && cb);
    EXPECT_NE(a->str("sessionId"), b->str("sessionId"));
    EXPECT_NE(a->str("resumeToken"), b->str("resumeToken"));
}

INSTANTIATE_TEST_SUITE_P(Transports, LoginTransportTest, ::testing::Values(false, true),
                         transport_name);

class LoginTest : public ServerTest {};

TEST_F(LoginTest, IdIsEchoedExactly) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = client();
    ASSERT_TRUE(c);
    // A string id, before login (ping) and on an error reply.
    ASSERT_TRUE(c->send_text(R"({"type":"ping","id":"abc"})"));
    auto m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), "pong") << *m;
    EXPECT_EQ(m->str("id"), "abc") << *m;

    // A number spelled 1.5e3 comes back spelled 1.5e3, not 1500 or 1500.0.
    ASSERT_TRUE(c->send_text(R"({"type":"ping","id":1.5e3})"));
    m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_TRUE(std::regex_search(m->raw, std::regex(R"("id"\s*:\s*1\.5e3\s*[,}])"))) << *m;

    ASSERT_TRUE(c->send_text(R"({"type":"join","id":"req-7","roomId":"r1"})"));
    m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_TRUE(is_error_reply(m, "join", "not-logged-in"));
    EXPECT_EQ(m->str("id"), "req-7") << *m;

    ASSERT_TRUE(c->send_text(R"({"type":"login","id":"L-1","userId":"alice"})"));
    m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->str("id"), "L-1") << *m;

    // After login too, on a success reply with a large integer id.
    ASSERT_TRUE(c->send_text(R"({"type":"join","id":9007199254740993,"roomId":"r1"})"));
    m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_TRUE(std::regex_search(m->raw, std::regex(R"("id"\s*:\s*9007199254740993\s*[,}])")))
        << *m;
}

TEST_F(LoginTest, RequestWithoutIdGetsReplyWithoutId) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = client();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_text(R"({"type":"login","userId":"alice"})"));
    auto m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_FALSE(m->has("id")) << *m;
}

TEST_F(LoginTest, PingBeforeLoginGetsPongWithServerTime) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = client();
    ASSERT_TRUE(c);
    std::int64_t before = unix_now_ms();
    ASSERT_TRUE(c->send_text(R"({"type":"ping","id":5})"));
    auto m = next_msg(*c);
    std::int64_t after = unix_now_ms();
    ASSERT_TRUE(m) << c->last_error();
    EXPECT_EQ(m->type(), "pong") << *m;
    EXPECT_EQ(m->integer("id"), 5) << *m;
    EXPECT_FALSE(m->has("success")) << *m;
    const auto* t = m->get("time");
    ASSERT_TRUE(t && t->IsNumber()) << *m;
    // Unix milliseconds, same host clock: within a second of our own reading.
    EXPECT_GE(t->GetDouble(), static_cast<double>(before - 1000)) << *m;
    EXPECT_LE(t->GetDouble(), static_cast<double>(after + 1000)) << *m;
}

TEST_F(LoginTest, RequestsBeforeLoginAreNotLoggedIn) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = client();
    ASSERT_TRUE(c);
    const char* requests[] = {
        R"({"type":"join","id":1,"roomId":"r1"})",
        R"({"type":"leave","id":2,"roomId":"r1"})",
        R"({"type":"signal","id":3,"roomId":"r1","to":"bob","data":{}})",
        R"({"type":"room-users","id":4,"roomId":"r1"})",
        R"({"type":"ice-servers","id":5,"roomId":"r1"})",
    };
    const char* types[] = {"join", "leave", "signal", "room-users", "ice-servers"};
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(c->send_text(requests[i]));
        EXPECT_TRUE(is_error_reply(next_msg(*c), types[i], "not-logged-in", i + 1));
    }
}

TEST_F(LoginTest, UnknownTypeBeforeLoginIsUnknownType) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = client();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_text(R"({"type":"frobnicate","id":11})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c), "frobnicate", "unknown-type", 11));
    // And after login.
    ASSERT_TRUE(c->send_text(R"({"type":"login","id":12,"userId":"alice"})"));
    auto m = next_msg(*c);
    ASSERT_TRUE(m && m->is_success());
    ASSERT_TRUE(c->send_text(R"({"type":"frobnicate","id":13})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c), "frobnicate", "unknown-type", 13));
}

TEST_F(LoginTest, MalformedFramesGetErrorsAndConnectionStaysOpen) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = client();
    ASSERT_TRUE(c);

    ASSERT_TRUE(c->send_text("this is not json"));
    auto m = next_msg(*c);
    ASSERT_TRUE(m) << c->last_error();
    EXPECT_EQ(m->type(), "error") << *m;
    EXPECT_EQ(m->str("error"), "invalid-json") << *m;
    EXPECT_TRUE(m->get("message") && m->get("message")->IsString()) << *m;

    ASSERT_TRUE(c->send_text("[1,2,3]"));
    m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), "error") << *m;
    EXPECT_EQ(m->str("error"), "invalid-json") << *m;

    ASSERT_TRUE(c->send_text(R"({"id":7,"userId":"alice"})"));
    m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), "error") << *m;
    EXPECT_EQ(m->str("error"), "bad-request") << *m;
    EXPECT_EQ(m->integer("id"), 7) << *m;
    EXPECT_TRUE(m->get("message") && m->get("message")->IsString()) << *m;

    ASSERT_TRUE(c->send_text(R"({"type":42,"id":8})"));
    m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), "error") << *m;
    EXPECT_EQ(m->str("error"), "bad-request") << *m;
    EXPECT_EQ(m->integer("id"), 8) << *m;

    // Still usable (default budget is 10).
    ASSERT_TRUE(c->send_text(R"({"type":"login","id":9,"userId":"alice"})"));
    m = next_msg(*c);
    ASSERT_TRUE(m) << c->last_error();
    EXPECT_TRUE(m->is_success()) << *m;
}

TEST_F(LoginTest, UnknownFieldsAreIgnored) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = client();
    ASSERT_TRUE(c);
    ASSERT_TRUE(
        c->send_text(R"({"type":"login","id":1,"userId":"alice","future":{"x":[1,2]},"v":2})"));
    auto m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
}

TEST_F(LoginTest, ErrorBudgetClosesWith1008AfterReplyingToTheLastError) {
    ServerConfig cfg;
    cfg.set("error_budget", "3");
    ASSERT_TRUE(start(cfg));
    auto c = client();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_text("nope"));
    auto m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->str("error"), "invalid-json") << *m;
    // Non-error traffic in between does not count.
    ASSERT_TRUE(c->send_text(R"({"type":"ping","id":1})"));
    m = next_msg(*c);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), "pong") << *m;
    ASSERT_TRUE(c->send_text(R"({"type":"bogus","id":2})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c), "bogus", "unknown-type", 2));
    ASSERT_TRUE(c->send_text(R"({"id":3})"));
    m = next_msg(*c);
    ASSERT_TRUE(m) << "the third error must still be answered; " << c->last_error();
    EXPECT_EQ(m->type(), "error") << *m;
    EXPECT_EQ(m->str("error"), "bad-request") << *m;
    EXPECT_EQ(m->integer("id"), 3) << *m;
    EXPECT_EQ(c->wait_close(kWait), 1008) << c->last_error();
}

TEST_F(LoginTest, FailedLoginsCountAgainstTheErrorBudget) {
    ServerConfig cfg;
    cfg.set("error_budget", "2");
    ASSERT_TRUE(start(cfg));
    auto c = client();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_text(R"({"type":"login","id":1,"userId":"bad user"})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c), "login", "bad-request", 1));
    ASSERT_TRUE(c->send_text(R"({"type":"login","id":2})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c), "login", "bad-request", 2));
    EXPECT_EQ(c->wait_close(kWait), 1008) << c->last_error();
}

TEST_F(LoginTest, SecondLoginOnSameConnectionIsAlreadyLoggedIn) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = logged_in("alice");
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_text(R"({"type":"login","id":2,"userId":"alice"})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c), "login", "already-logged-in", 2));
    ASSERT_TRUE(c->send_text(R"({"type":"login","id":3,"userId":"bob"})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c), "login", "already-logged-in", 3));
    // Still logged in as alice.
    EXPECT_TRUE(joined(*c, "r1"));
}

TEST_F(LoginTest, UserIdSyntaxIsEnforced) {
    ASSERT_TRUE(start(ServerConfig{}));
    const std::string too_long(129, 'a');
    const std::vector<std::string> bad = {"",       "al ice", "alice!", "al/ice", "ali\\u00e9ce",
                                          too_long, "a\\\"b", "a#b",    "a,b"};
    auto c = client();
    ASSERT_TRUE(c);
    std::int64_t id = 1;
    for (const auto& user : bad) {
        ASSERT_TRUE(c->send_text(R"({"type":"login","id":)" + std::to_string(id) +
                                 R"(,"userId":")" + user + "\"}"));
        EXPECT_TRUE(is_error_reply(next_msg(*c), "login", "bad-request", id)) << "userId " << user;
        ++id;
        if (c->closed()) break;  // error budget (default 10) must not be reached with 9 bad ids
    }
    ASSERT_FALSE(c->closed());
    // Non-string userId.
    auto c2 = client();
    ASSERT_TRUE(c2);
    ASSERT_TRUE(c2->send_text(R"({"type":"login","id":1,"userId":42})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c2), "login", "bad-request", 1));
    // Exactly 128 bytes of every allowed character class is fine.
    std::string max_id = "Az09._:@-";
    max_id += std::string(128 - max_id.size(), 'x');
    ASSERT_TRUE(c2->send_text(R"({"type":"login","id":2,"userId":")" + max_id + "\"}"));
    auto m = next_msg(*c2);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->str("userId"), max_id) << *m;
}

TEST_F(LoginTest, TokenLoginIsRefusedInModeNoneOrNeedsUserId) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto c = client();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_text(R"({"type":"login","id":1})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c), "login", "bad-request", 1));
}

// --- JWT mode --------------------------------------------------------------

class JwtLoginTest : public ServerTest {
protected:
    void SetUp() override {
        ServerConfig cfg;
        cfg.jwt(kSecret);
        ASSERT_TRUE(start(cfg));
        c_ = client();
        ASSERT_TRUE(c_);
    }
    std::optional<Msg> login_with(const std::string& token_json, std::int64_t id) {
        if (!c_->send_text(R"({"type":"login","id":)" + std::to_string(id) + R"(,"token":)" +
                           token_json + "}"))
            return std::nullopt;
        return next_msg(*c_);
    }
    std::unique_ptr<WsClient> c_;
};

TEST_F(JwtLoginTest, ValidTokenLogsIn) {
    auto m = login_with(json_string(make_jwt(kSecret, "alice")), 1);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->str("userId"), "alice") << *m;
    EXPECT_EQ(m->integer("id"), 1) << *m;
}

TEST_F(JwtLoginTest, ExpiredTokenIsUnauthorized) {
    auto m = login_with(json_string(make_jwt(kSecret, "alice", -300)), 1);
    EXPECT_TRUE(is_error_reply(m, "login", "unauthorized", 1));
}

TEST_F(JwtLoginTest, ExpiryHasThirtySecondsOfLeeway) {
    auto m = login_with(json_string(make_jwt(kSecret, "alice", -5)), 1);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << "expired 5 s ago is within the 30 s leeway: " << *m;
}

TEST_F(JwtLoginTest, NotYetValidTokenIsUnauthorized) {
    auto m = login_with(json_string(make_jwt(kSecret, "alice", 3600,
                                             R"("nbf":)" + std::to_string(unix_now() + 600))),
                        1);
    EXPECT_TRUE(is_error_reply(m, "login", "unauthorized", 1));
}

TEST_F(JwtLoginTest, BadSignatureIsUnauthorized) {
    auto m = login_with(json_string(make_jwt("some-other-secret", "alice")), 1);
    EXPECT_TRUE(is_error_reply(m, "login", "unauthorized", 1));
    // A tampered payload with the original signature.
    std::string good = make_jwt(kSecret, "alice");
    auto first_dot = good.find('.');
    auto second_dot = good.find('.', first_dot + 1);
    std::string payload = base64url_decode(good.substr(first_dot + 1, second_dot - first_dot - 1));
    auto pos = payload.find("alice");
    ASSERT_NE(pos, std::string::npos);
    payload.replace(pos, 5, "admin");
    std::string forged =
        good.substr(0, first_dot + 1) + base64url(payload) + good.substr(second_dot);
    m = login_with(json_string(forged), 2);
    EXPECT_TRUE(is_error_reply(m, "login", "unauthorized", 2));
}

TEST_F(JwtLoginTest, AlgNoneAndOtherAlgsAreUnauthorized) {
    std::string payload = R"({"sub":"alice","exp":)" + std::to_string(unix_now() + 3600) + "}";
    std::string none = base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(payload) + ".";
    EXPECT_TRUE(is_error_reply(login_with(json_string(none), 1), "login", "unauthorized", 1));
    // alg none with a (valid HS256) signature attached anyway.
    std::string none_signed = make_jwt_raw(kSecret, R"({"alg":"none","typ":"JWT"})", payload);
    EXPECT_TRUE(
        is_error_reply(login_with(json_string(none_signed), 2), "login", "unauthorized", 2));
    // HS512 header with an HS256 signature: alg is pinned, not negotiated.
    std::string hs512 = make_jwt_raw(kSecret, R"({"alg":"HS512","typ":"JWT"})", payload);
    EXPECT_TRUE(is_error_reply(login_with(json_string(hs512), 3), "login", "unauthorized", 3));
}

TEST_F(JwtLoginTest, MalformedTokenIsUnauthorized) {
    EXPECT_TRUE(is_error_reply(login_with(R"("not-a-jwt")", 1), "login", "unauthorized", 1));
    EXPECT_TRUE(is_error_reply(login_with(R"("a.b.c")", 2), "login", "unauthorized", 2));
}

TEST_F(JwtLoginTest, TokenWithoutSubOrExpIsUnauthorized) {
    std::string no_sub = make_jwt_raw(kSecret, R"({"alg":"HS256","typ":"JWT"})",
                                      R"({"exp":)" + std::to_string(unix_now() + 3600) + "}");
    EXPECT_TRUE(is_error_reply(login_with(json_string(no_sub), 1), "login", "unauthorized", 1));
    std::string no_exp =
        make_jwt_raw(kSecret, R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"alice"})");
    EXPECT_TRUE(is_error_reply(login_with(json_string(no_exp), 2), "login", "unauthorized", 2));
    std::string bad_sub = make_jwt(kSecret, "bad user");
    EXPECT_TRUE(is_error_reply(login_with(json_string(bad_sub), 3), "login", "unauthorized", 3));
}

TEST_F(JwtLoginTest, MissingOrMistypedTokenIsBadRequest) {
    ASSERT_TRUE(c_->send_text(R"({"type":"login","id":1})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c_), "login", "bad-request", 1));
    EXPECT_TRUE(is_error_reply(login_with("12345", 2), "login", "bad-request", 2));
    // A userId does not replace a token in jwt mode.
    ASSERT_TRUE(c_->send_text(R"({"type":"login","id":3,"userId":"alice"})"));
    auto m = next_msg(*c_);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->boolean("success"), false) << *m;
}

TEST_F(JwtLoginTest, FailedLoginLeavesConnectionUsable) {
    EXPECT_TRUE(is_error_reply(login_with(json_string(make_jwt("wrong", "alice")), 1), "login",
                               "unauthorized", 1));
    ASSERT_TRUE(c_->send_text(R"({"type":"join","id":2,"roomId":"r1"})"));
    EXPECT_TRUE(is_error_reply(next_msg(*c_), "join", "not-logged-in", 2));
    auto m = login_with(json_string(make_jwt(kSecret, "alice")), 3);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
}

}  // namespace
}  // namespace sbtest
