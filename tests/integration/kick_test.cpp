// POST /api/kick against the running binary (docs/protocol.md "Admin API").
#include <regex>

#include "tests/integration/http_client.hpp"
#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

// The status code of a bodiless POST, via a raw HTTP/1.1 exchange.
int post(std::uint16_t port, const std::string& target, const std::string& authorization = "") {
    std::string request =
        "POST " + target +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n";
    if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
    request += "\r\n";
    const auto response = raw_exchange(port, request);
    std::smatch m;
    static const std::regex status(R"(^HTTP/1\.1 (\d{3}))");
    return std::regex_search(response, m, status) ? std::stoi(m[1]) : 0;
}

class KickTest : public ServerTest {
protected:
    // Alice and bob logged in (auth mode none) and in room r1; alice has seen bob join.
    std::pair<std::unique_ptr<WsClient>, std::unique_ptr<WsClient>> alice_and_bob_in_r1() {
        auto alice = logged_in("alice");
        auto bob = logged_in("bob");
        if (!alice || !bob || !joined(*alice, "r1") || !joined(*bob, "r1") ||
            !next_of_type(*alice, "user-joined"))
            return {};
        return {std::move(alice), std::move(bob)};
    }
};

TEST_F(KickTest, KickedUserLeavesTheRoomAndEveryoneIsTold) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto [alice, bob] = alice_and_bob_in_r1();
    ASSERT_TRUE(alice && bob);

    EXPECT_EQ(post(server_->port(), "/api/kick?user=bob&room=r1"), 200);
    const auto seen_by_alice = next_of_type(*alice, "user-left");
    ASSERT_TRUE(seen_by_alice);
    EXPECT_EQ(seen_by_alice->str("userId"), "bob");
    EXPECT_EQ(seen_by_alice->str("reason"), "kicked");
    const auto seen_by_bob = next_of_type(*bob, "user-left");
    ASSERT_TRUE(seen_by_bob);
    EXPECT_EQ(seen_by_bob->str("userId"), "bob");
    EXPECT_EQ(seen_by_bob->str("reason"), "kicked");

    // Nothing left to kick; wrong method; bad input.
    EXPECT_EQ(post(server_->port(), "/api/kick?user=bob&room=r1"), 404);
    EXPECT_EQ(http_get(server_->port(), "/api/kick?user=bob").status, 405);
    EXPECT_EQ(post(server_->port(), "/api/kick?user=b%20b"), 400);
}

// ban=SECONDS without a room: the session ends at once (1008) and logins are
// refused until the ban runs out; the reply says until when.
TEST_F(KickTest, AKickWithABanEndsTheSessionAndRefusesLogins) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto [alice, bob] = alice_and_bob_in_r1();
    ASSERT_TRUE(alice && bob);

    const auto response =
        raw_exchange(server_->port(),
                     "POST /api/kick?user=bob&ban=60 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
    EXPECT_NE(response.find("\"bannedUntil\":"), std::string::npos) << response;
    EXPECT_EQ(bob->wait_close(kWait), 1008);
    const auto left = next_of_type(*alice, "user-left");
    ASSERT_TRUE(left);
    EXPECT_EQ(left->str("reason"), "kicked");
    WsClient again;
    ASSERT_TRUE(again.connect(server_->port()).ok);
    ASSERT_TRUE(again.send_text(R"({"type":"login","id":1,"userId":"bob"})"));
    const auto refused = reply_to(again, 1);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->str("error"), "unauthorized") << *refused;
    EXPECT_EQ(post(server_->port(), "/api/kick?user=bob&ban=0"), 400);
    EXPECT_EQ(post(server_->port(), "/api/kick?user=bob&ban=9999999"), 400);
}

TEST_F(KickTest, JwtModeNeedsAnAdminToken) {
    const std::string secret = "kick-test-secret-0123456789abcdef0123456789-0123456789abcdef";
    ASSERT_TRUE(start(ServerConfig{}.jwt(secret)));
    auto bob = logged_in_jwt(make_jwt(secret, "bob"));
    ASSERT_TRUE(bob);
    ASSERT_TRUE(joined(*bob, "r1"));
    EXPECT_EQ(post(server_->port(), "/api/kick?user=bob"), 401);
    EXPECT_EQ(post(server_->port(), "/api/kick?user=bob", "Bearer " + make_jwt(secret, "ops")),
              403);
    EXPECT_EQ(post(server_->port(), "/api/kick?user=bob",
                   "Bearer " + make_jwt(secret, "ops", 3600, R"("admin":true)")),
              200);
    const auto event = next_of_type(*bob, "user-left");
    ASSERT_TRUE(event);
    EXPECT_EQ(event->str("reason"), "kicked");
}

}  // namespace
}  // namespace sbtest
