#include "shared/jwt.hpp"

#include "shared/crypto.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::shared {
namespace {

constexpr std::string_view kSecret = "s3cret";
constexpr std::int64_t kNow = 1'764'000'000;
constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

// Builds a token from raw JSON, so tests can produce what mint_jwt never
// would (other algorithms, wrong types, duplicate keys).
std::string sign(std::string_view header_json, std::string_view payload_json,
                 std::string_view secret = kSecret) {
    std::string token =
        base64url_encode(as_bytes(header_json)) + '.' + base64url_encode(as_bytes(payload_json));
    const auto mac = hmac_sha256(secret, token);
    return token + '.' + base64url_encode(mac);
}

std::string sign_payload(std::string_view payload_json) {
    return sign(kHs256Header, payload_json);
}

JwtError error_of(const std::variant<JwtClaims, JwtError>& result) {
    if (const auto* error = std::get_if<JwtError>(&result)) {
        return *error;
    }
    ADD_FAILURE() << "token was accepted";
    return JwtError{};
}

JwtClaims claims_of(const std::variant<JwtClaims, JwtError>& result) {
    if (const auto* claims = std::get_if<JwtClaims>(&result)) {
        return *claims;
    }
    ADD_FAILURE() << "token was refused: " << make_error_code(std::get<JwtError>(result)).message();
    return {};
}

JwtError verify_error(std::string_view token) {
    return error_of(verify_jwt(token, kSecret, kNow));
}

JwtClaims verify_ok(std::string_view token) {
    return claims_of(verify_jwt(token, kSecret, kNow));
}

// ---------------------------------------------------------------- interop

// The sample token jwt.io shows for HS256. Its signature was recomputed
// independently:
//   printf %s "$HEADER.$PAYLOAD" | openssl dgst -sha256 -hmac your-256-bit-secret -binary |
//     base64 -w0 | tr '+/' '-_' | tr -d '='
constexpr std::string_view kJwtIoToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

TEST(JwtInterop, JwtIoSampleSignatureVerifiesButLacksExp) {
    // Claims are checked only after the signature, so missing_expiry proves
    // the signature was accepted.
    EXPECT_EQ(error_of(verify_jwt(kJwtIoToken, "your-256-bit-secret", kNow)),
              JwtError::missing_expiry);
    EXPECT_EQ(error_of(verify_jwt(kJwtIoToken, "your-256-bit-secreT", kNow)),
              JwtError::bad_signature);
}

// Payload {"sub":"alice","exp":1764003600,"iat":1764000000,"rooms":["r1","r2"],"name":"Alice"},
// secret "s3cret", encoded and signed with base64 + openssl dgst as above.
constexpr std::string_view kShellToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJhbGljZSIsImV4cCI6MTc2NDAwMzYwMCwiaWF0IjoxNzY0MDAwMDAwLCJyb29tcyI6WyJyMSIsInIyIl0s"
    "Im5hbWUiOiJBbGljZSJ9."
    "P5O-1bFXwTAkMCi-omOc4H8o_1BvmgHXD6IRXdyjQgM";

JwtClaims shell_claims() {
    JwtClaims claims;
    claims.sub = "alice";
    claims.exp = 1'764'003'600;
    claims.iat = 1'764'000'000;
    claims.any_room = false;
    claims.rooms = {"r1", "r2"};
    claims.name = "Alice";
    return claims;
}

TEST(JwtInterop, ExternallySignedTokenVerifies) {
    const JwtClaims claims = verify_ok(kShellToken);
    EXPECT_EQ(claims.sub, "alice");
    EXPECT_EQ(claims.exp, 1'764'003'600);
    EXPECT_EQ(claims.iat, 1'764'000'000);
    EXPECT_FALSE(claims.nbf.has_value());
    EXPECT_FALSE(claims.any_room);
    EXPECT_EQ(claims.rooms, (std::vector<std::string>{"r1", "r2"}));
    EXPECT_EQ(claims.name, "Alice");
}

TEST(JwtInterop, MintProducesTheExternallySignedTokenByteForByte) {
    EXPECT_EQ(mint_jwt(kSecret, shell_claims()), kShellToken);
}

// ---------------------------------------------------------------- round trip

TEST(Jwt, RoundTripKeepsEveryClaim) {
    JwtClaims in;
    in.sub = "bob@example.com";
    in.exp = kNow + 3600;
    in.nbf = kNow - 10;
    in.iat = kNow - 10;
    in.any_room = true;
    in.rooms = {"lobby"};
    in.name = "Bob \"the builder\" \xC3\xA9";
    const JwtClaims out = verify_ok(mint_jwt(kSecret, in));
    EXPECT_EQ(out.sub, in.sub);
    EXPECT_EQ(out.exp, in.exp);
    EXPECT_EQ(out.nbf, in.nbf);
    EXPECT_EQ(out.iat, in.iat);
    EXPECT_TRUE(out.any_room);
    EXPECT_EQ(out.rooms, in.rooms);
    EXPECT_EQ(out.name, in.name);
}

TEST(Jwt, MintOmitsRoomsWhenUnrestricted) {
    JwtClaims in;
    in.sub = "carol";
    in.exp = kNow + 60;
    const std::string token = mint_jwt(kSecret, in);
    const std::string payload =
        token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
    EXPECT_EQ(as_text(*base64url_decode(payload)), R"({"sub":"carol","exp":1764000060})");
    const JwtClaims out = verify_ok(token);
    EXPECT_TRUE(out.any_room);
    EXPECT_TRUE(out.rooms.empty());
    EXPECT_FALSE(out.name.has_value());

    in.any_room = false;  // restricted to no room at all
    const JwtClaims none = verify_ok(mint_jwt(kSecret, in));
    EXPECT_FALSE(none.any_room);
    EXPECT_FALSE(none.allows_room("r1"));
}

// ---------------------------------------------------------------- time

TEST(Jwt, ExpiryHasThirtySecondsOfLeeway) {
    const std::string token = sign_payload(R"({"sub":"alice","exp":1764000000})");
    EXPECT_EQ(verify_jwt(token, kSecret, kNow - 1).index(), 0U);
    EXPECT_EQ(verify_jwt(token, kSecret, kNow + 29).index(), 0U);  // within leeway
    EXPECT_EQ(error_of(verify_jwt(token, kSecret, kNow + 30)), JwtError::expired);
    EXPECT_EQ(error_of(verify_jwt(token, kSecret, kNow, 0)), JwtError::expired);
    EXPECT_EQ(verify_jwt(token, kSecret, kNow - 1, 0).index(), 0U);
    EXPECT_EQ(error_of(verify_jwt(token, kSecret, kNow, -100)), JwtError::expired);  // clamped to 0
}

TEST(Jwt, FarFutureExpiryDoesNotOverflow) {
    EXPECT_EQ(verify_ok(sign_payload(R"({"sub":"a","exp":9223372036854775807})")).exp, INT64_MAX);
    EXPECT_EQ(verify_error(sign_payload(R"({"sub":"a","exp":-9223372036854775808})")),
              JwtError::expired);
}

TEST(Jwt, NotBeforeHasThirtySecondsOfLeeway) {
    EXPECT_EQ(verify_error(sign_payload(R"({"sub":"a","exp":1764003600,"nbf":1764000031})")),
              JwtError::not_yet_valid);
    EXPECT_EQ(verify_ok(sign_payload(R"({"sub":"a","exp":1764003600,"nbf":1764000030})")).nbf,
              kNow + 30);
}

TEST(Jwt, IssuedInTheFutureIsNotYetValid) {
    EXPECT_EQ(verify_error(sign_payload(R"({"sub":"a","exp":1764003600,"iat":1764000031})")),
              JwtError::not_yet_valid);
    EXPECT_EQ(verify_ok(sign_payload(R"({"sub":"a","exp":1764003600,"iat":1764000030})")).iat,
              kNow + 30);
}

// ---------------------------------------------------------------- algorithm

TEST(Jwt, AlgorithmIsPinnedToHs256BeforeTheSignature) {
    const std::string_view payload = R"({"sub":"a","exp":1764003600})";
    for (const std::string_view header : {
             R"({"alg":"none","typ":"JWT"})",
             R"({"alg":"None"})",
             R"({"alg":"RS256","typ":"JWT"})",
             R"({"alg":"HS512","typ":"JWT"})",
             R"({"alg":"hs256"})",
             R"({"alg":"HS256 "})",
             R"({"alg":256})",
             R"({"alg":null})",
             R"({"typ":"JWT"})",
             R"({})",
         }) {
        // Correctly HMAC'ed with our secret: still refused for its algorithm.
        EXPECT_EQ(verify_error(sign(header, payload)), JwtError::bad_algorithm) << header;
        // Unsigned ("none" style) and garbage signatures say the same thing.
        const std::string unsigned_token =
            base64url_encode(as_bytes(header)) + '.' + base64url_encode(as_bytes(payload)) + '.';
        EXPECT_EQ(verify_error(unsigned_token), JwtError::bad_algorithm) << header;
        EXPECT_EQ(verify_error(unsigned_token + "AAAA"), JwtError::bad_algorithm) << header;
    }
}

TEST(Jwt, CriticalHeaderExtensionsAreRefused) {
    EXPECT_EQ(verify_error(sign(R"({"alg":"HS256","crit":["b64"],"b64":false})",
                                R"({"sub":"a","exp":1764003600})")),
              JwtError::malformed);
}

// ---------------------------------------------------------------- signature

TEST(Jwt, BadSignatures) {
    const std::string good = sign_payload(R"({"sub":"alice","exp":1764003600})");
    ASSERT_EQ(verify_jwt(good, kSecret, kNow).index(), 0U);

    EXPECT_EQ(error_of(verify_jwt(good, "other", kNow)), JwtError::bad_signature);
    EXPECT_EQ(error_of(verify_jwt(good, "", kNow)), JwtError::bad_signature);
    EXPECT_EQ(verify_error(sign(kHs256Header, R"({"sub":"a","exp":1764003600})", "")),
              JwtError::bad_signature);

    std::string flipped = good;
    flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(verify_error(flipped), JwtError::bad_signature);

    const std::string unsigned_part = good.substr(0, good.rfind('.') + 1);
    EXPECT_EQ(verify_error(unsigned_part), JwtError::bad_signature);
    EXPECT_EQ(verify_error(unsigned_part + base64url_encode(std::vector<std::uint8_t>(31, 0))),
              JwtError::bad_signature);

    // Same header, another payload: the old signature does not cover it.
    const std::string other_payload = sign_payload(R"({"sub":"mallory","exp":1764003600})");
    const std::string spliced =
        other_payload.substr(0, other_payload.rfind('.')) + good.substr(good.rfind('.'));
    EXPECT_EQ(verify_error(spliced), JwtError::bad_signature);
}

// ---------------------------------------------------------------- claims

TEST(Jwt, SubjectIsRequiredAndMustBeAUserId) {
    EXPECT_EQ(verify_error(sign_payload(R"({"exp":1764003600})")), JwtError::missing_subject);
    for (const std::string_view payload : {
             R"({"sub":"al ice","exp":1764003600})",
             R"({"sub":"alice/x","exp":1764003600})",
             R"({"sub":"","exp":1764003600})",
             R"({"sub":"al\u0000ice","exp":1764003600})",
             R"({"sub":"\u00e9","exp":1764003600})",
             R"({"sub":42,"exp":1764003600})",
             R"({"sub":null,"exp":1764003600})",
             R"({"sub":["alice"],"exp":1764003600})",
         }) {
        EXPECT_EQ(verify_error(sign_payload(payload)), JwtError::bad_subject) << payload;
    }
    const std::string long_sub(129, 'a');
    EXPECT_EQ(verify_error(sign_payload(R"({"exp":1764003600,"sub":")" + long_sub + "\"}")),
              JwtError::bad_subject);
    EXPECT_EQ(
        verify_ok(sign_payload(R"({"exp":1764003600,"sub":")" + long_sub.substr(1) + "\"}")).sub,
        long_sub.substr(1));
    EXPECT_EQ(verify_ok(sign_payload(R"({"sub":"A-z_0.9:x@y","exp":1764003600})")).sub,
              "A-z_0.9:x@y");
}

TEST(Jwt, ExpiryIsRequiredAndMustBeAnInteger) {
    EXPECT_EQ(verify_error(sign_payload(R"({"sub":"a"})")), JwtError::missing_expiry);
    for (const std::string_view payload : {
             R"({"sub":"a","exp":1764003600.0})",
             R"({"sub":"a","exp":1.7640036e9})",
             R"({"sub":"a","exp":"1764003600"})",
             R"({"sub":"a","exp":null})",
             R"({"sub":"a","exp":18446744073709551615})",
             R"({"sub":"a","exp":1764003600,"nbf":"0"})",
             R"({"sub":"a","exp":1764003600,"nbf":1.5})",
             R"({"sub":"a","exp":1764003600,"iat":true})",
         }) {
        EXPECT_EQ(verify_error(sign_payload(payload)), JwtError::bad_claim) << payload;
    }
}

TEST(Jwt, RoomsClaimVariants) {
    struct Case {
        std::string_view rooms_json;  // empty = claim absent
        bool any;
        std::vector<std::string> rooms;
    };
    const Case cases[] = {
        {"", true, {}},
        {R"("*")", true, {}},
        {R"(["*"])", true, {}},
        {R"(["r1","*"])", true, {"r1"}},
        {R"(["r1","r2"])", false, {"r1", "r2"}},
        {R"([])", false, {}},
    };
    for (const auto& c : cases) {
        std::string payload = R"({"sub":"a","exp":1764003600)";
        if (!c.rooms_json.empty()) {
            payload += ",\"rooms\":" + std::string(c.rooms_json);
        }
        payload += '}';
        const JwtClaims claims = verify_ok(sign_payload(payload));
        EXPECT_EQ(claims.any_room, c.any) << payload;
        EXPECT_EQ(claims.rooms, c.rooms) << payload;
        EXPECT_EQ(claims.allows_room("r1"), c.any || !c.rooms.empty()) << payload;
        EXPECT_EQ(claims.allows_room("elsewhere"), c.any) << payload;
    }
}

TEST(Jwt, RoomsClaimOfTheWrongShapeIsABadClaim) {
    for (const std::string_view rooms :
         {R"("r1")", R"("")", "5", "true", "null", "{}", R"({"r1":true})", "[1]", R"(["r1",null])",
          R"([["r1"]])", R"(["bad room"])", R"([""])"}) {
        const std::string payload =
            R"({"sub":"a","exp":1764003600,"rooms":)" + std::string(rooms) + "}";
        EXPECT_EQ(verify_error(sign_payload(payload)), JwtError::bad_claim) << payload;
    }
}

TEST(Jwt, NameClaim) {
    EXPECT_EQ(verify_ok(sign_payload(R"({"sub":"a","exp":1764003600,"name":"Zoë"})")).name, "Zoë");
    EXPECT_EQ(verify_ok(sign_payload(R"({"sub":"a","exp":1764003600,"name":""})")).name, "");
    EXPECT_FALSE(verify_ok(sign_payload(R"({"sub":"a","exp":1764003600})")).name.has_value());
    for (const std::string_view payload :
         {R"({"sub":"a","exp":1764003600,"name":7})", R"({"sub":"a","exp":1764003600,"name":null})",
          R"({"sub":"a","exp":1764003600,"name":["x"]})"}) {
        EXPECT_EQ(verify_error(sign_payload(payload)), JwtError::bad_claim) << payload;
    }
}

TEST(Jwt, UnknownClaimsAreIgnored) {
    EXPECT_EQ(
        verify_ok(sign_payload(R"({"sub":"a","exp":1764003600,"aud":"x","jti":{"k":[1,2]}})")).sub,
        "a");
}

// ---------------------------------------------------------------- garbage

TEST(Jwt, GarbageIsMalformed) {
    const std::string good = sign_payload(R"({"sub":"alice","exp":1764003600})");
    const std::string_view header = std::string_view(good).substr(0, good.find('.'));
    for (const std::string& token : std::initializer_list<std::string>{
             std::string(""), std::string("."), std::string(".."), std::string("..."),
             std::string("abc"), good.substr(0, good.rfind('.')),  // 2 parts
             good + ".e30",                                        // 4 parts
             good + ".",                                           // trailing dot
             std::string(header) + ".e30=.AAAA",                   // padding in a part
             good + "=",                                           // padding on the signature
             "e!J.e30.AAAA",                                       // not base64url
             "eyJhbGciOiJIUzI1NiJ9+.e30.AAAA",                     // standard alphabet
             "eyJhbGciOiJIUzI1NiJ9.e30.A",                         // impossible length
             " " + good,                                           // whitespace
         }) {
        EXPECT_EQ(verify_error(token), JwtError::malformed) << token;
    }
}

TEST(Jwt, NonObjectJsonIsMalformed) {
    const std::string_view payload = R"({"sub":"a","exp":1764003600})";
    // Header problems are found before the algorithm check.
    for (const std::string_view header :
         {"[]", R"("HS256")", "null", "{", R"({"alg":"HS256"} x)", ""}) {
        EXPECT_EQ(verify_error(sign(header, payload)), JwtError::malformed) << header;
    }
    // Payload problems are found after the signature.
    for (const std::string_view bad :
         {"[]", "42", R"("a")", "{", "", R"({"sub":"a",})",
          R"({"sub":"a","exp":1764003600,"sub":"b"})", "{\"sub\":\"a\xff\",\"exp\":1764003600}",
          R"({"sub":"a","exp":NaN})"}) {
        EXPECT_EQ(verify_error(sign_payload(bad)), JwtError::malformed) << bad;
    }
}

TEST(Jwt, DeeplyNestedPayloadsAreHandled) {
    const std::string nested = R"({"sub":"a","exp":1764003600,"x":)" + std::string(2500, '[') +
                               std::string(2500, ']') + "}";
    EXPECT_LE(sign_payload(nested).size(), kMaxJwtBytes);
    EXPECT_EQ(verify_ok(sign_payload(nested)).sub, "a");
    const std::string unbalanced = sign_payload(std::string(5000, '['));
    EXPECT_LE(unbalanced.size(), kMaxJwtBytes);  // refused by the parser, not by the size cap
    EXPECT_EQ(verify_error(unbalanced), JwtError::malformed);
}

TEST(Jwt, SizeCapIsEightKibibytes) {
    JwtClaims claims;
    claims.sub = "a";
    claims.exp = kNow + 60;
    std::string at_limit;
    for (std::size_t n = 5800; n < 6300 && at_limit.empty(); ++n) {
        claims.name = std::string(n, 'x');
        if (const std::string token = mint_jwt(kSecret, claims); token.size() == kMaxJwtBytes) {
            at_limit = token;
        }
    }
    ASSERT_EQ(at_limit.size(), kMaxJwtBytes);
    EXPECT_EQ(verify_jwt(at_limit, kSecret, kNow).index(), 0U);

    claims.name = std::string(100'000, 'x');
    EXPECT_EQ(verify_error(mint_jwt(kSecret, claims)), JwtError::malformed);
    EXPECT_EQ(verify_error(std::string(kMaxJwtBytes + 1, 'A')), JwtError::malformed);
}

// ---------------------------------------------------------------- errors

TEST(JwtError, IsAnErrorCodeEnum) {
    const std::error_code ec = JwtError::expired;  // implicit: is_error_code_enum
    EXPECT_STREQ(ec.category().name(), "jwt");
    EXPECT_EQ(ec.value(), static_cast<int>(JwtError::expired));
    EXPECT_EQ(ec.message(), "token expired");
    EXPECT_EQ(ec, make_error_code(JwtError::expired));
    EXPECT_NE(ec, make_error_code(JwtError::malformed));
    EXPECT_TRUE(static_cast<bool>(make_error_code(JwtError::malformed)));  // malformed = 1, never 0
    for (int v = 1; v <= static_cast<int>(JwtError::bad_claim); ++v) {
        EXPECT_NE(jwt_category().message(v), "unknown jwt error") << v;
    }
}

}  // namespace
}  // namespace switchboard::shared

namespace switchboard::shared {
namespace {

TEST(JwtAdmin, AdminClaimRoundTripsAndMustBeABoolean) {
    constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
    JwtClaims claims;
    claims.sub = "ops";
    claims.exp = 2'000'000'000;
    claims.admin = true;
    const auto verified = verify_jwt(mint_jwt(kSecret, claims), kSecret, 1'900'000'000);
    ASSERT_TRUE(std::holds_alternative<JwtClaims>(verified));
    EXPECT_TRUE(std::get<JwtClaims>(verified).admin);

    claims.admin = false;
    const auto plain = verify_jwt(mint_jwt(kSecret, claims), kSecret, 1'900'000'000);
    ASSERT_TRUE(std::holds_alternative<JwtClaims>(plain));
    EXPECT_FALSE(std::get<JwtClaims>(plain).admin);

    // "admin": "yes" is not a boolean: refused, not taken as true.
    const std::string header = base64url_encode(as_bytes(R"({"alg":"HS256","typ":"JWT"})"));
    const std::string payload =
        base64url_encode(as_bytes(R"({"sub":"ops","exp":2000000000,"admin":"yes"})"));
    const std::string signing_input = header + "." + payload;
    const auto mac = hmac_sha256(kSecret, signing_input);
    const std::string token = signing_input + "." + base64url_encode(mac);
    const auto bad = verify_jwt(token, kSecret, 1'900'000'000);
    ASSERT_TRUE(std::holds_alternative<JwtError>(bad));
    EXPECT_EQ(std::get<JwtError>(bad), JwtError::bad_claim);
}

}  // namespace
}  // namespace switchboard::shared
