#include "signaling/http_api.hpp"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "shared/jwt.hpp"
#include "shared/turn_credentials.hpp"

namespace switchboard::signaling {
namespace {

constexpr std::string_view kJwtSecret = "0123456789abcdef0123456789abcdef-http";
constexpr std::string_view kTarget = "/api/turn-credentials?user=alice";

class TurnCredentialsEndpoint : public ::testing::Test {
protected:
    TurnCredentialsEndpoint() {
        config_.public_host = "turn.example.com";
        config_.turn.secrets = {"test-secret"};
        config_.turn.credential_ttl = std::chrono::seconds(600);
    }
    void use_jwt() {
        config_.auth.mode = shared::AuthMode::jwt;
        config_.auth.jwt_secret = std::string(kJwtSecret);
    }
    std::string bearer(std::string_view sub, std::int64_t expires_in = 3600) {
        shared::JwtClaims claims;
        claims.sub = std::string(sub);
        claims.exp = clock_.unix_seconds() + expires_in;
        return "Bearer " + shared::mint_jwt(kJwtSecret, claims);
    }
    HttpReply get(std::string_view target, std::string_view authorization = {}) {
        const IceServerFactory ice(config_);
        return turn_credentials_endpoint(target, authorization, config_, ice, clock_);
    }
    static std::string error_of(const HttpReply& r) {
        rapidjson::Document doc;
        doc.Parse(r.body.data(), r.body.size());
        if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error") ||
            !doc["error"].IsString()) {
            return "<no error in " + r.body + ">";
        }
        EXPECT_TRUE(doc.HasMember("message") && doc["message"].IsString()) << r.body;
        return doc["error"].GetString();
    }
    // Checks a 200 reply for `user`; the credential must verify on the TURN side.
    void expect_credentials(const HttpReply& r, std::string_view user) {
        ASSERT_EQ(r.status, 200u) << r.body;
        EXPECT_EQ(r.content_type, "application/json");
        const std::string username =
            std::to_string(clock_.unix_seconds() + 600) + ":" + std::string(user);
        EXPECT_EQ(r.body, R"({"username":")" + username + R"(","password":")" +
                              shared::turn_password("test-secret", username) +
                              R"(","ttl":600,"uris":["turn:turn.example.com:3478?transport=udp",)"
                              R"("turn:turn.example.com:3478?transport=tcp"]})");
    }

    shared::Config config_;
    shared::FakeClock clock_;
};

TEST_F(TurnCredentialsEndpoint, ModeNoneServesAnyValidUser) {
    expect_credentials(get(kTarget), "alice");
    expect_credentials(get("/api/turn-credentials?x=1&user=bob%40example.com"), "bob@example.com");
}

TEST_F(TurnCredentialsEndpoint, BadUserIs400) {
    for (std::string_view target :
         {"/api/turn-credentials", "/api/turn-credentials?user=", "/api/turn-credentials?user",
          "/api/turn-credentials?user=a%20b", "/api/turn-credentials?user=a/b",
          "/api/turn-credentials?user=%zz", "/api/turn-credentials?username=alice"}) {
        const auto r = get(target);
        EXPECT_EQ(r.status, 400u) << target;
        EXPECT_EQ(error_of(r), "bad-request") << target;
    }
    EXPECT_EQ(get("/api/turn-credentials?user=" + std::string(129, 'a')).status, 400u);
    EXPECT_EQ(get("/api/turn-credentials?user=" + std::string(128, 'a')).status, 200u);
}

TEST_F(TurnCredentialsEndpoint, TurnDisabledIs404) {
    config_.turn.enabled = false;
    const auto r = get(kTarget);
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(error_of(r), "not-found");
}

TEST_F(TurnCredentialsEndpoint, JwtModeNeedsABearerTokenFor401) {
    use_jwt();
    shared::JwtClaims other_key;
    other_key.sub = "alice";
    other_key.exp = clock_.unix_seconds() + 3600;
    for (const std::string& authorization :
         {std::string(), std::string("Basic YWxpY2U6cHc="), std::string("Bearer"),
          std::string("Bearer "), std::string("Bearer garbage"), bearer("alice", -31),
          "Bearer " + shared::mint_jwt("another-secret-of-at-least-32-bytes!!", other_key),
          bearer("alice").substr(1)}) {
        const auto r = get(kTarget, authorization);
        EXPECT_EQ(r.status, 401u) << authorization;
        EXPECT_EQ(error_of(r), "unauthorized") << authorization;
    }
}

TEST_F(TurnCredentialsEndpoint, JwtModeRefusesAnotherUsersToken403) {
    use_jwt();
    const auto r = get(kTarget, bearer("bob"));
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(error_of(r), "forbidden");
}

TEST_F(TurnCredentialsEndpoint, JwtModeServesTheTokensOwnUser) {
    use_jwt();
    expect_credentials(get(kTarget, bearer("alice")), "alice");
}

// Regression: RFC 7235 section 2.1 makes the auth-scheme case-insensitive.
TEST_F(TurnCredentialsEndpoint, TheBearerSchemeIsCaseInsensitive) {
    use_jwt();
    const std::string token = bearer("alice").substr(7);
    EXPECT_EQ(get(kTarget, "bearer " + token).status, 200u);
    EXPECT_EQ(get(kTarget, "BEARER " + token).status, 200u);
}

TEST(TurnCredentialsJson, ShapeAndNumbers) {
    shared::Config config;
    config.public_host = "h";
    config.turn.secrets = {"k"};
    config.turn.listen_tcp.clear();
    const IceServerFactory ice(config);
    EXPECT_EQ(turn_credentials_json(ice, "u", 100),
              R"({"username":"3700:u","password":")" + shared::turn_password("k", "3700:u") +
                  R"(","ttl":3600,"uris":["turn:h:3478?transport=udp"]})");
}

TEST(DevModeEndpoints, OnlyLocalClientsAndNoCrossSiteRequestsInAuthModeNone) {
    shared::Config config;  // auth mode none
    const auto allowed = [&](std::string_view ip, std::string_view origin, std::string_view host) {
        return !refuse_remote_in_dev_mode(ip, origin, host, config).has_value();
    };
    EXPECT_TRUE(allowed("127.0.0.1", "", "127.0.0.1:8080"));
    EXPECT_TRUE(allowed("127.9.9.9", "", "x"));
    EXPECT_TRUE(allowed("::1", "", "x"));
    EXPECT_FALSE(allowed("10.0.0.5", "", "x"));
    EXPECT_FALSE(allowed("192.0.2.1", "", "x"));
    EXPECT_FALSE(allowed("::ffff:192.0.2.1", "", "x"));
    EXPECT_EQ(refuse_remote_in_dev_mode("192.0.2.1", "", "x", config)->status, 403u);
    // The test page itself (same origin) may; another site's page may not.
    EXPECT_TRUE(allowed("127.0.0.1", "http://127.0.0.1:8080", "127.0.0.1:8080"));
    EXPECT_FALSE(allowed("127.0.0.1", "https://evil.example", "127.0.0.1:8080"));
    EXPECT_FALSE(allowed("127.0.0.1", "http://127.0.0.1:9999", "127.0.0.1:8080"));
    config.signaling.allowed_origins = {"https://app.example"};
    EXPECT_TRUE(allowed("127.0.0.1", "https://app.example", "127.0.0.1:8080"));
    // Mode jwt: the token decides, wherever the client is.
    config.auth.mode = shared::AuthMode::jwt;
    EXPECT_TRUE(allowed("192.0.2.1", "https://evil.example", "x"));
}

TEST(QueryParam, FindsAndDecodes) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"/p?user=alice", "alice"},
        {"/p?a=1&user=bob&c=2", "bob"},
        {"/p?user=al%69ce", "alice"},
        {"/p?user=a%2Bb+c", "a+b+c"},
        {"/p?user=first&user=second", "first"},
        {"/p?username=x&user=y", "y"},
        {"/p?xuser=x", ""},
        {"/p?user", ""},
        {"/p?user=", ""},
        {"/p?user=%", ""},
        {"/p?user=%zz", ""},
        {"/p", ""},
        {"/p?", ""},
        {"/p?&&user=z&", "z"},
        {"/p?user=a=b", "a=b"},
    };
    for (const auto& [target, value] : cases)
        EXPECT_EQ(query_param(target, "user"), value) << target;
}

}  // namespace
}  // namespace switchboard::signaling

namespace switchboard::signaling {
namespace {

TEST(AdminEndpoint, ModeNoneAllowsAndModeJwtNeedsTheAdminClaim) {
    shared::FakeClock clock;
    shared::Config config;
    EXPECT_FALSE(authorize_admin("", config, clock).has_value());

    config.auth.mode = shared::AuthMode::jwt;
    config.auth.jwt_secret = "0123456789abcdef0123456789abcdef";
    const auto no_header = authorize_admin("", config, clock);
    ASSERT_TRUE(no_header.has_value());
    EXPECT_EQ(no_header->status, 401u);

    shared::JwtClaims claims;
    claims.sub = "ops";
    claims.exp = clock.unix_seconds() + 60;
    const auto plain = authorize_admin("Bearer " + shared::mint_jwt(config.auth.jwt_secret, claims),
                                       config, clock);
    ASSERT_TRUE(plain.has_value());
    EXPECT_EQ(plain->status, 403u);

    claims.admin = true;
    EXPECT_FALSE(
        authorize_admin("bearer " + shared::mint_jwt(config.auth.jwt_secret, claims), config, clock)
            .has_value());
}

TEST(AdminEndpoint, KickReplyListsRoomsOr404) {
    EXPECT_EQ(kick_reply("bob", {"r1", "r2"}).body, R"({"userId":"bob","rooms":["r1","r2"]})");
    EXPECT_EQ(kick_reply("bob", {}).status, 404u);
}

}  // namespace
}  // namespace switchboard::signaling
