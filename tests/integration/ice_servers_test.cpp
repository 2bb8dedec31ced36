// TURN credentials handed to room members: the iceServers shape in join
// replies, the ice-servers request and the unsolicited refresh push
// (PROTOCOL.md "join", "ice-servers", "Server-pushed events").

#include <regex>

#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

class IceServersTest : public ServerTest {};

TEST_F(IceServersTest, JoinReplyShapeAndCredentials) {
    std::uint16_t port = free_port();
    ASSERT_NE(port, 0);
    std::string p = std::to_string(port);
    ServerConfig cfg;
    cfg.public_host = "localhost";
    cfg.turn =
        R"({secret: "test-secret-0123456789abcdef0123456789", credential_ttl: 10m, listen_udp: ["127.0.0.1:)" +
        p + R"("], listen_tcp: ["127.0.0.1:)" + p + R"("]})";
    ASSERT_TRUE(start(cfg));
    auto alice = logged_in("alice");
    ASSERT_TRUE(alice);
    std::int64_t before = unix_now();
    auto m = join(*alice, "r1");
    std::int64_t after = unix_now();
    ASSERT_TRUE(m);
    ASSERT_TRUE(m->is_success()) << *m;

    const auto* ice = m->get("iceServers");
    ASSERT_TRUE(ice && ice->IsArray()) << *m;
    ASSERT_EQ(ice->Size(), 2u) << *m;
    const auto& stun = (*ice)[0];
    ASSERT_TRUE(stun.IsObject() && stun.HasMember("urls") && stun["urls"].IsArray()) << *m;
    ASSERT_EQ(stun["urls"].Size(), 1u) << *m;
    EXPECT_EQ(std::string(stun["urls"][0].GetString()), "stun:localhost:" + p) << *m;
    EXPECT_FALSE(stun.HasMember("username")) << *m;
    EXPECT_FALSE(stun.HasMember("credential")) << *m;

    const auto& turn = (*ice)[1];
    ASSERT_TRUE(turn.IsObject() && turn.HasMember("urls") && turn["urls"].IsArray()) << *m;
    ASSERT_EQ(turn["urls"].Size(), 2u) << *m;
    EXPECT_EQ(std::string(turn["urls"][0].GetString()), "turn:localhost:" + p + "?transport=udp")
        << *m;
    EXPECT_EQ(std::string(turn["urls"][1].GetString()), "turn:localhost:" + p + "?transport=tcp")
        << *m;
    ASSERT_TRUE(turn.HasMember("username") && turn["username"].IsString()) << *m;
    ASSERT_TRUE(turn.HasMember("credential") && turn["credential"].IsString()) << *m;
    std::string username = turn["username"].GetString();
    std::smatch sm;
    ASSERT_TRUE(std::regex_match(username, sm, std::regex(R"(([0-9]+):alice)"))) << username;
    std::int64_t exp = std::stoll(sm[1]);
    EXPECT_GE(exp, before + 600 - 2) << *m;
    EXPECT_LE(exp, after + 600 + 2) << *m;
    EXPECT_EQ(std::string(turn["credential"].GetString()),
              turn_password("test-secret-0123456789abcdef0123456789", username))
        << *m;
    EXPECT_EQ(m->integer("iceServersExpiresAt"), exp) << *m;
}

TEST_F(IceServersTest, PushedAtEightyPercentOfTheTtl) {
    std::uint16_t port = free_port();
    ASSERT_NE(port, 0);
    ServerConfig cfg;
    cfg.public_host = "localhost";
    // A 2 s TTL: the refresh is due 1.6 s after the credentials were minted.
    cfg.turn =
        R"({secret: "test-secret-0123456789abcdef0123456789", credential_ttl: 2s, listen_udp: ["127.0.0.1:)" +
        std::to_string(port) + R"("], listen_tcp: []})";
    ASSERT_TRUE(start(cfg));
    auto alice = logged_in("alice");
    ASSERT_TRUE(alice);
    auto t0 = std::chrono::steady_clock::now();
    auto j = join(*alice, "r1");
    ASSERT_TRUE(j && j->is_success()) << (j ? j->raw : dump(*alice));
    auto first_exp = j->integer("iceServersExpiresAt");
    ASSERT_TRUE(first_exp) << *j;
    auto push = next_of_type(*alice, "ice-servers", 5s);
    auto elapsed = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(push) << "no unsolicited ice-servers push " << dump(*alice);
    EXPECT_GE(elapsed, 1200ms) << *push;
    EXPECT_FALSE(push->has("id")) << *push;
    EXPECT_FALSE(push->has("success")) << *push;
    EXPECT_EQ(push->str("roomId"), "r1") << *push;
    const auto* ice = push->get("iceServers");
    ASSERT_TRUE(ice && ice->IsArray()) << *push;
    auto exp = push->integer("iceServersExpiresAt");
    ASSERT_TRUE(exp) << *push;
    EXPECT_GT(*exp, *first_exp) << *push;
    std::string username;
    for (const auto& srv : ice->GetArray()) {
        if (srv.IsObject() && srv.HasMember("username") && srv["username"].IsString())
            username = srv["username"].GetString();
    }
    EXPECT_EQ(username, std::to_string(*exp) + ":alice") << *push;
}

TEST_F(IceServersTest, RequestGivesFreshCredentials) {
    std::uint16_t port = free_port();
    ASSERT_NE(port, 0);
    ServerConfig cfg;
    cfg.public_host = "localhost";
    cfg.turn =
        R"({secret: "test-secret-0123456789abcdef0123456789", credential_ttl: 1h, listen_udp: ["127.0.0.1:)" +
        std::to_string(port) + R"("], listen_tcp: []})";
    ASSERT_TRUE(start(cfg));
    auto a = logged_in("alice");
    auto eve = logged_in("eve");
    ASSERT_TRUE(a && eve);
    ASSERT_TRUE(joined(*a, "r1"));
    std::int64_t before = unix_now();
    ASSERT_TRUE(a->send_text(R"({"type":"ice-servers","id":7,"roomId":"r1"})"));
    auto m = reply_to(*a, 7);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), "ice-servers") << *m;
    ASSERT_TRUE(m->is_success()) << *m;
    const auto* ice = m->get("iceServers");
    ASSERT_TRUE(ice && ice->IsArray()) << *m;
    std::string username, credential;
    for (const auto& s : ice->GetArray()) {
        if (s.IsObject() && s.HasMember("username") && s["username"].IsString()) {
            username = s["username"].GetString();
            ASSERT_TRUE(s.HasMember("credential") && s["credential"].IsString()) << *m;
            credential = s["credential"].GetString();
        }
    }
    ASSERT_FALSE(username.empty()) << "no TURN entry: " << *m;
    std::smatch sm;
    ASSERT_TRUE(std::regex_match(username, sm, std::regex(R"(([0-9]+):alice)"))) << username;
    std::int64_t exp = std::stoll(sm[1]);
    EXPECT_EQ(m->integer("iceServersExpiresAt"), exp) << *m;
    EXPECT_NEAR(static_cast<double>(exp), static_cast<double>(before + 3600), 5.0) << *m;
    EXPECT_EQ(credential, turn_password("test-secret-0123456789abcdef0123456789", username)) << *m;

    // roomId optional when in one room.
    ASSERT_TRUE(a->send_text(R"({"type":"ice-servers","id":8})"));
    m = reply_to(*a, 8);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    // Members only.
    ASSERT_TRUE(eve->send_text(R"({"type":"ice-servers","id":9,"roomId":"r1"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*eve, 9), "ice-servers", "not-in-room", 9));
    ASSERT_TRUE(eve->send_text(R"({"type":"ice-servers","id":10})"));
    EXPECT_TRUE(is_error_reply(reply_to(*eve, 10), "ice-servers", "not-in-room", 10));
}

}  // namespace
}  // namespace sbtest
