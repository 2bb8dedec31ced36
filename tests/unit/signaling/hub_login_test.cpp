// Hub: login (modes none and jwt), login state, the error budget, and
// session replacement (PROTOCOL.md "Envelope", "login").
#include "shared/crypto.hpp"
#include "tests/unit/signaling/hub_fixture.hpp"

namespace switchboard::signaling::testing {
namespace {

using HubLogin = HubTest;

TEST_F(HubLogin, ModeNoneReplyHasEveryField) {
    config_.signaling.heartbeat_interval = std::chrono::seconds(25);
    config_.signaling.heartbeat_timeout = std::chrono::seconds(60);
    const auto c = open();
    const auto reply = request(c, R"({"type":"login","id":1,"userId":"alice"})");
    EXPECT_EQ(type_of(reply), "login");
    EXPECT_EQ(field(reply, "id"), "1");
    EXPECT_EQ(field(reply, "success"), "true");
    EXPECT_EQ(field(reply, "userId"), "alice");
    EXPECT_GE(field(reply, "sessionId").size(), 16u);
    EXPECT_EQ(field(reply, "heartbeat"), R"({"interval":25,"timeout":60})");
    EXPECT_EQ(field(reply, "protocol"), "switchboard.v1");
    EXPECT_GE(field(reply, "resumeToken").size(), 32u);
    EXPECT_EQ(field(reply, "resumeWindow"), "30");
    EXPECT_EQ(field(reply, "resumed"), "false");
    // TURN credentials are for room members: active once in a room.
    EXPECT_FALSE(hub().user_active("alice"));
    EXPECT_EQ(hub().session_count(), 1u);
}

TEST_F(HubLogin, SessionIdsAndResumeTokensDifferPerSession) {
    login("alice");
    login("bob");
    EXPECT_NE(session_id_["alice"], session_id_["bob"]);
    EXPECT_NE(resume_token_["alice"], resume_token_["bob"]);
}

TEST_F(HubLogin, ModeNoneNeedsAValidUserId) {
    const auto c = open();
    for (std::string_view frame :
         {R"({"type":"login","id":2})", R"({"type":"login","id":2,"token":"x"})",
          R"({"type":"login","id":2,"userId":"a b"})", R"({"type":"login","id":2,"userId":""})"}) {
        const auto reply = request(c, frame);
        EXPECT_EQ(field(reply, "error"), "bad-request") << frame;
        EXPECT_EQ(field(reply, "id"), "2");
        EXPECT_EQ(field(reply, "success"), "false");
        EXPECT_NE(field(reply, "message"), "<absent>");
    }
    EXPECT_EQ(field(request(c, R"({"type":"join","roomId":"r1"})"), "error"), "not-logged-in");
    EXPECT_EQ(hub().session_count(), 0u);
}

TEST_F(HubLogin, JwtValidTokenLogsInWithSubAndName) {
    use_jwt();
    const auto alice = login_jwt("alice", token("alice", "Alice"));
    const auto bob = login_jwt("bob", token("bob"));
    join(bob, "r1");
    const auto reply = join(alice, "r1");
    EXPECT_EQ(field(reply, "users"), R"([{"userId":"bob"}])");
    EXPECT_EQ(take(bob),
              std::vector<std::string>{
                  R"({"type":"user-joined","roomId":"r1","userId":"alice","name":"Alice"})"});
}

TEST_F(HubLogin, ReloadTakesTheNewJwtSecretForNewLoginsOnly) {
    use_jwt();
    const auto alice = login_jwt("alice", token("alice"));
    auto next = std::make_shared<shared::Config>(config_);
    next->auth.jwt_secret = std::string(40, 'n');
    hub().reload(next);
    // The live session goes on.
    EXPECT_EQ(field(join(alice, "r1"), "success"), "true");
    // A token signed with the old secret no longer logs in; one with the new does.
    const auto c = open();
    EXPECT_EQ(field(request(c, R"({"type":"login","token":")" + token("bob") + R"("})"), "error"),
              "unauthorized");
    shared::JwtClaims claims;
    claims.sub = "bob";
    claims.exp = clock_.unix_seconds() + 60;
    EXPECT_EQ(field(request(c, R"({"type":"login","token":")" +
                                   shared::mint_jwt(next->auth.jwt_secret, claims) + R"("})"),
                    "userId"),
              "bob");
}

TEST_F(HubLogin, JwtModeIgnoresUserIdAndNeedsAToken) {
    use_jwt();
    const auto c = open();
    EXPECT_EQ(field(request(c, R"({"type":"login","id":1,"userId":"alice"})"), "error"),
              "bad-request");
    EXPECT_EQ(field(request(c, R"({"type":"login","id":1,"token":42})"), "error"), "bad-request");
    const auto reply =
        request(c, R"({"type":"login","userId":"mallory","token":")" + token("alice") + R"("})");
    EXPECT_EQ(field(reply, "userId"), "alice");
    EXPECT_FALSE(hub().user_active("mallory"));
}

TEST_F(HubLogin, JwtRejectedTokensAreUnauthorized) {
    use_jwt();
    shared::JwtClaims claims;
    claims.sub = "alice";
    claims.exp = clock_.unix_seconds() + 3600;
    const auto b64 = [](std::string_view s) {
        return shared::base64url_encode(shared::as_bytes(s));
    };
    const std::string payload = R"({"sub":"alice","exp":)" + std::to_string(claims.exp) + "}";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"expired beyond leeway", token("alice", std::nullopt, std::nullopt, -31)},
        {"bad signature", shared::mint_jwt("another-secret-of-at-least-32-bytes!!", claims)},
        {"alg none", b64(R"({"alg":"none","typ":"JWT"})") + "." + b64(payload) + "."},
        {"not a jwt", "garbage"},
        {"empty", ""},
    };
    for (const auto& [what, jwt] : cases) {
        const auto c = open();
        const auto reply = request(c, R"({"type":"login","id":"L","token":")" + jwt + R"("})");
        EXPECT_EQ(type_of(reply), "login") << what;
        EXPECT_EQ(field(reply, "id"), "L") << what;
        EXPECT_EQ(field(reply, "success"), "false") << what;
        EXPECT_EQ(field(reply, "error"), "unauthorized") << what;
        // The connection stays open and logged out.
        EXPECT_FALSE(outbox_.close_code(c)) << what;
        EXPECT_EQ(field(request(c, R"({"type":"room-users"})"), "error"), "not-logged-in") << what;
    }
    EXPECT_EQ(hub().session_count(), 0u);
}

TEST_F(HubLogin, JwtExpiryHasThirtySecondsOfLeeway) {
    use_jwt();
    login_jwt("alice", token("alice", std::nullopt, std::nullopt, -29));
}

TEST_F(HubLogin, JwtRoomsClaimLimitsJoins) {
    use_jwt();
    const auto c = login_jwt("alice", token("alice", std::nullopt, std::vector<std::string>{"r1"}));
    join(c, "r1");
    const auto reply = request(c, R"({"type":"join","id":3,"roomId":"r2"})");
    EXPECT_EQ(field(reply, "success"), "false");
    EXPECT_EQ(field(reply, "error"), "unauthorized");
    EXPECT_EQ(field(reply, "roomId"), "r2");

    const auto none = login_jwt("bob", token("bob", std::nullopt, std::vector<std::string>{}));
    EXPECT_EQ(field(request(none, R"({"type":"join","roomId":"r1"})"), "error"), "unauthorized");

    const auto any =
        login_jwt("carol", token("carol", std::nullopt, std::vector<std::string>{"*"}));
    join(any, "anything");
}

TEST_F(HubLogin, SecondLoginOnOneConnectionIsAlreadyLoggedIn) {
    const auto c = login("alice");
    const auto reply = request(c, R"({"type":"login","id":9,"userId":"bob"})");
    EXPECT_EQ(field(reply, "error"), "already-logged-in");
    EXPECT_EQ(field(reply, "id"), "9");
    EXPECT_FALSE(hub().user_active("bob"));
    join(c, "r1");  // still alice, still logged in
}

TEST_F(HubLogin, EveryRequestButPingNeedsLogin) {
    const auto c = open();
    for (std::string_view type : {"join", "leave", "signal", "room-users", "ice-servers"}) {
        const auto ok = request(c, R"({"type":")" + std::string(type) +
                                       R"(","id":5,"roomId":"r1","to":"bob","data":1})");
        EXPECT_EQ(type_of(ok), type);
        EXPECT_EQ(field(ok, "id"), "5");
        EXPECT_EQ(field(ok, "success"), "false");
        EXPECT_EQ(field(ok, "error"), "not-logged-in");
    }
}

TEST_F(HubLogin, PingWorksBeforeLogin) {
    const auto c = open();
    EXPECT_EQ(request(c, R"({"type":"ping","id":5})"),
              R"({"type":"pong","id":5,"time":)" + std::to_string(clock_.unix_millis()) + "}");
}

TEST_F(HubLogin, SyntaxIsCheckedBeforeLoginState) {
    const auto c = open();
    EXPECT_EQ(field(request(c, R"({"type":"hello","id":1})"), "error"), "unknown-type");
    EXPECT_EQ(field(request(c, R"({"type":"join","id":1})"), "error"), "bad-request");
    const auto bad_json = request(c, "{");
    EXPECT_EQ(type_of(bad_json), "error");
    EXPECT_EQ(field(bad_json, "error"), "invalid-json");
    const auto no_type = request(c, R"({"id":"x"})");
    EXPECT_EQ(type_of(no_type), "error");
    EXPECT_EQ(field(no_type, "error"), "bad-request");
    EXPECT_EQ(field(no_type, "id"), "x");
    EXPECT_EQ(field(no_type, "success"), "<absent>");
}

// ---------------------------------------------------------------- error budget

TEST_F(HubLogin, TheNthErrorIsAnsweredThenTheConnectionClosesWith1008) {
    config_.signaling.error_budget = 3;
    const auto c = open();
    send(c, "nope");
    send(c, R"({"type":"hello"})");
    EXPECT_FALSE(outbox_.close_code(c));
    send(c, R"({"type":"join"})");
    const auto& h = outbox_.history(c);
    ASSERT_EQ(h.size(), 4u);
    EXPECT_EQ(field(h[2], "error"), "bad-request");
    EXPECT_EQ(h[3], "<close 1008>");
    // The hub forgot the connection: later frames are ignored.
    send(c, R"({"type":"ping"})");
    EXPECT_EQ(outbox_.history(c).size(), 4u);
    EXPECT_EQ(hub().connection_count(), 0u);
}

TEST_F(HubLogin, FailedLoginsSpendTheBudget) {
    config_.signaling.error_budget = 3;
    const auto c = open();
    send(c, R"({"type":"login"})");
    send(c, R"({"type":"login","userId":"a b"})");
    EXPECT_FALSE(outbox_.close_code(c));
    send(c, R"({"type":"login"})");
    EXPECT_EQ(outbox_.close_code(c), close_code::policy);

    use_jwt();
    hub_.reset();
    const auto d = open();
    for (int i = 0; i < 3; ++i) send(d, R"({"type":"login","token":"bad"})");
    EXPECT_EQ(outbox_.close_code(d), close_code::policy);

    const auto e = login_jwt("alice", token("alice"));
    send(e, R"({"type":"login","token":"x"})");
    send(e, R"({"type":"login","token":"x"})");
    send(e, R"({"type":"login","token":"x"})");
    EXPECT_EQ(outbox_.close_code(e), close_code::policy) << "already-logged-in is a failed login";
}

TEST_F(HubLogin, OtherRefusalsDoNotSpendTheBudget) {
    config_.signaling.error_budget = 2;
    const auto c = open();
    for (int i = 0; i < 5; ++i) send(c, R"({"type":"join","roomId":"r1"})");  // not-logged-in
    EXPECT_FALSE(outbox_.close_code(c));
    const auto alice = login("alice");
    for (int i = 0; i < 5; ++i) {
        send(alice, R"({"type":"leave"})");                          // not-in-room
        send(alice, R"({"type":"room-users","roomId":"r9"})");       // not-in-room
        send(alice, R"({"type":"signal","roomId":"r9","data":1})");  // not-in-room
    }
    EXPECT_FALSE(outbox_.close_code(alice));
    EXPECT_EQ(take_type(alice, "leave").size(), 5u);
}

// ---------------------------------------------------------------- replacement

TEST_F(HubLogin, SecondLoginReplacesTheOldSession) {
    const auto old_conn = login("alice");
    const auto bob = login("bob");
    join(old_conn, "r1");
    join(bob, "r1");
    outbox_.clear_frames();

    const auto fresh = open();
    const auto reply = request(fresh, R"({"type":"login","userId":"alice"})");
    EXPECT_EQ(field(reply, "success"), "true");
    EXPECT_EQ(field(reply, "resumed"), "false");
    EXPECT_NE(field(reply, "sessionId"), session_id_["alice"]);

    const auto& h = outbox_.history(old_conn);
    ASSERT_GE(h.size(), 2u);
    EXPECT_EQ(type_of(h[h.size() - 2]), "error");
    EXPECT_EQ(field(h[h.size() - 2], "error"), "session-replaced");
    EXPECT_EQ(h.back(), "<close 4001>");
    EXPECT_EQ(take(bob), std::vector<std::string>{user_left("r1", "alice", "replaced")});
    // The new session starts outside every room.
    EXPECT_EQ(field(request(fresh, R"({"type":"room-users","roomId":"r1"})"), "error"),
              "not-in-room");
    // Frames from the replaced connection are ignored, its close is moot.
    send(old_conn, R"({"type":"ping"})");
    hub().on_close(old_conn, Disconnect::normal);
    EXPECT_EQ(hub().session_count(), 2u);
    join(fresh, "r1");
    EXPECT_TRUE(hub().user_active("alice"));
}

TEST_F(HubLogin, TheBridgeHearsOfSessionsThatEndWhileInARoom) {
    const auto alice = login("alice");
    join(alice, "r1");
    login("alice");  // replaces the session
    const auto bob = login("bob");
    join(bob, "r1");
    hub().on_close(bob, Disconnect::normal);
    login("carol");  // never in a room: never active
    EXPECT_EQ(gone(), (std::vector<std::string>{"alice:replaced", "bob:left"}));
    EXPECT_FALSE(bridge_.is_active_now("carol"));
}

TEST_F(HubLogin, LeavingTheLastRoomRevokesRelaysButLeavingOneOfTwoDoesNot) {
    const auto alice = login("alice");
    join(alice, "r1");
    join(alice, "r2");
    request(alice, R"({"type":"leave","roomId":"r1"})");
    EXPECT_TRUE(gone().empty());
    EXPECT_TRUE(bridge_.is_active_now("alice"));
    request(alice, R"({"type":"leave","roomId":"r2"})");
    EXPECT_EQ(gone(), (std::vector<std::string>{"alice:left"}));
    EXPECT_FALSE(bridge_.is_active_now("alice"));
    // The session lives on, but its TURN credentials no longer work.
    EXPECT_EQ(hub().session_count(), 1u);
    EXPECT_FALSE(hub().user_active("alice"));
    join(alice, "r1");
    EXPECT_TRUE(hub().user_active("alice"));
}

}  // namespace
}  // namespace switchboard::signaling::testing
