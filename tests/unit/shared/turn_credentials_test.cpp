#include "shared/turn_credentials.hpp"

#include "shared/crypto.hpp"

#include <gtest/gtest.h>

namespace switchboard::shared {
namespace {

// Computed outside this code base:
//   printf %s '1764003600:alice' | openssl dgst -sha1 -hmac secret -binary | base64
constexpr std::string_view kOpensslPassword = "9fNO1Yj82kAcK878F2+XtbmmREw=";

TEST(TurnCredentials, PasswordMatchesOpenssl) {
    EXPECT_EQ(turn_password("secret", "1764003600:alice"), kOpensslPassword);
}

TEST(TurnCredentials, MintBuildsRestUsernameAndPassword) {
    const TurnCredential credential = mint_turn_credential("secret", "alice", 1'764'000'000, 3600);
    EXPECT_EQ(credential.expires_at, 1'764'003'600);
    EXPECT_EQ(credential.username, "1764003600:alice");
    EXPECT_EQ(credential.password, kOpensslPassword);
    EXPECT_EQ(credential.password.size(), 28U);
}

TEST(TurnCredentials, PasswordDependsOnSecretAndUsername) {
    EXPECT_NE(turn_password("secret2", "1764003600:alice"), kOpensslPassword);
    EXPECT_NE(turn_password("secret", "1764003601:alice"), kOpensslPassword);
    EXPECT_NE(turn_password("secret", "1764003600:alicf"), kOpensslPassword);
}

TEST(TurnCredentials, ParseUsername) {
    const auto parsed = parse_turn_username("1764003600:alice");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->expires_at, 1'764'003'600);
    EXPECT_EQ(parsed->user_id, "alice");

    // User ids may contain ':'; the split is at the first one.
    const auto colon = parse_turn_username("1764003600:sip:bob@example.com");
    ASSERT_TRUE(colon.has_value());
    EXPECT_EQ(colon->user_id, "sip:bob@example.com");

    const auto minted = mint_turn_credential("k", "carol", 1'000, 60);
    ASSERT_TRUE(parse_turn_username(minted.username).has_value());
    EXPECT_EQ(parse_turn_username(minted.username)->expires_at, minted.expires_at);
}

TEST(TurnCredentials, ParseRejectsNonRestUsernames) {
    for (const std::string_view bad : {
             "",
             "alice",                      // a static user
             ":alice",                     // no expiry
             "1764003600:",                // no user
             "1764003600",                 // no separator
             "-1:alice",                   // sign
             "+1764003600:alice",          // sign
             " 1764003600:alice",          // whitespace
             "17640036OO:alice",           // letters
             "1234567890123456789:alice",  // 19 digits: could overflow
             "1764003600:al ice",          // bad user id
             "1764003600:alice/x",         // bad user id
             "alice:1764003600",           // reversed order
         }) {
        EXPECT_FALSE(parse_turn_username(bad).has_value()) << bad;
    }
    EXPECT_TRUE(parse_turn_username("123456789012345678:a").has_value());  // 18 digits
}

}  // namespace
}  // namespace switchboard::shared
