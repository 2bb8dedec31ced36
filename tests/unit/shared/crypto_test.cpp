#include "shared/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace switchboard::shared {
namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const std::uint8_t b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 0xF];
    }
    return out;
}

std::vector<std::uint8_t> bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

std::vector<std::uint8_t> repeat(std::uint8_t value, std::size_t count) {
    return std::vector<std::uint8_t>(count, value);
}

std::vector<std::uint8_t> key_0102_to_19() {
    std::vector<std::uint8_t> key;
    for (std::uint8_t i = 1; i <= 0x19; ++i) {
        key.push_back(i);
    }
    return key;
}

struct HmacCase {
    std::vector<std::uint8_t> key;
    std::vector<std::uint8_t> data;
    std::string sha1;    // RFC 2202 (empty when the case is not in it)
    std::string sha256;  // RFC 4231 (empty when the case is not in it)
};

// RFC 2202 section 3 and RFC 4231 section 4 share cases 1 to 5; they differ
// in the oversized keys (80 bytes vs 131 bytes), listed separately.
std::vector<HmacCase> hmac_cases() {
    return {
        {repeat(0x0b, 20), bytes("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {bytes("Jefe"), bytes("what do ya want for nothing?"),
         "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {repeat(0xaa, 20), repeat(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {key_0102_to_19(), repeat(0xcd, 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {repeat(0xaa, 80), bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
         "aa4ae5e15272d00e95705637ce8a3b55ed402112", ""},
        {repeat(0xaa, 80),
         bytes("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
         "e8e99d0f45237d786d6bbaa7965c7808bbff1a91", ""},
        {repeat(0xaa, 131), bytes("Test Using Larger Than Block-Size Key - Hash Key First"), "",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {repeat(0xaa, 131),
         bytes("This is a test using a larger than block-size key and a larger than block-size "
               "data. The key needs to be hashed before being used by the HMAC algorithm."),
         "", "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
}

TEST(Hmac, Rfc2202AndRfc4231Vectors) {
    for (const auto& c : hmac_cases()) {
        if (!c.sha1.empty()) {
            EXPECT_EQ(hex(hmac_sha1(c.key, c.data)), c.sha1);
        }
        if (!c.sha256.empty()) {
            EXPECT_EQ(hex(hmac_sha256(c.key, c.data)), c.sha256);
        }
    }
}

TEST(Hmac, TruncationCases) {
    // RFC 2202 test 5 and RFC 4231 test 5 (which publishes only 128 bits).
    const auto key = repeat(0x0c, 20);
    const auto data = bytes("Test With Truncation");
    EXPECT_EQ(hex(hmac_sha1(key, data)), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
    EXPECT_EQ(hex(hmac_sha256(key, data)).substr(0, 32), "a3b6167473100ee06e0c796c2955552b");
}

TEST(Hmac, StringViewOverloadsMatchSpans) {
    EXPECT_EQ(hex(hmac_sha1("Jefe", "what do ya want for nothing?")),
              "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hmac, EmptyKeyAfterNonEmptyKeyDoesNotReuseIt) {
    // The per-thread context is re-keyed on every call; an empty key must not
    // silently keep the previous one.
    (void)hmac_sha1("previous-secret", "x");
    (void)hmac_sha256("previous-secret", "x");
    const std::span<const std::uint8_t> none;  // data() == nullptr
    EXPECT_EQ(hex(hmac_sha1(none, none)), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
    EXPECT_EQ(hex(hmac_sha256(none, none)),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_EQ(hex(hmac_sha1("", "")), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

// RFC 4648 section 10.
TEST(Base64, Rfc4648Vectors) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : cases) {
        EXPECT_EQ(base64_encode(as_bytes(plain)), encoded);
        const auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << encoded;
        EXPECT_EQ(as_text(*decoded), plain);
    }
}

TEST(Base64, AllByteValuesRoundTrip) {
    std::vector<std::uint8_t> all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<std::uint8_t>(255 - i));
    }
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        const std::span<const std::uint8_t> part(all.data(), n);
        const auto std_decoded = base64_decode(base64_encode(part));
        const auto url_decoded = base64url_decode(base64url_encode(part));
        ASSERT_TRUE(std_decoded && url_decoded);
        EXPECT_EQ(*std_decoded, std::vector<std::uint8_t>(part.begin(), part.end()));
        EXPECT_EQ(*url_decoded, std::vector<std::uint8_t>(part.begin(), part.end()));
    }
}

TEST(Base64, RejectsBadInput) {
    for (const std::string_view bad : std::initializer_list<std::string_view>{
             "Zg",        // missing padding
             "Zg=",       // short padding
             "Zg===",     // too much padding
             "====",      // padding only
             "Z===",      // three pads
             "Zm=v",      // '=' in the middle
             "=Zm9",      // '=' first
             "Zm9v\n",    // whitespace
             "Zm 9v",     // whitespace
             "Zm9-",      // base64url alphabet
             "Zm9_",      // base64url alphabet
             "Zm9v!A==",  // foreign character
             "Zh==",      // non-zero unused bits (canonical is Zg==)
             "Zm9=",      // non-zero unused bits (canonical is Zm8=)
             std::string_view("Zm\0v", 4),
         }) {
        EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
    }
}

TEST(Base64Url, EncodesWithoutPaddingInUrlAlphabet) {
    const std::vector<std::uint8_t> data = {0xfb, 0xff, 0xbf, 0xfe};
    EXPECT_EQ(base64_encode(data), "+/+//g==");
    EXPECT_EQ(base64url_encode(data), "-_-__g");
    EXPECT_EQ(base64url_encode(as_bytes("f")), "Zg");
    EXPECT_EQ(base64url_encode(as_bytes("fo")), "Zm8");
    EXPECT_EQ(base64url_encode(as_bytes("")), "");
}

TEST(Base64Url, AcceptsMissingOrCorrectPadding) {
    for (const std::string_view ok : {"Zg", "Zg==", "Zm8", "Zm8=", "Zm9v", ""}) {
        EXPECT_TRUE(base64url_decode(ok).has_value()) << ok;
    }
    EXPECT_EQ(as_text(*base64url_decode("Zm8")), "fo");
    EXPECT_EQ(*base64url_decode("-_-__g"), (std::vector<std::uint8_t>{0xfb, 0xff, 0xbf, 0xfe}));
}

TEST(Base64Url, RejectsBadInput) {
    for (const std::string_view bad : {
             "+/+//g",  // standard alphabet
             "Zg=",     // incomplete padding
             "Zg===",   // too much
             "Z",       // 6 bits can never make a byte
             "Zm9vY",   // same, after a full quantum
             "Zm=8",    // '=' in the middle
             "Zh",      // non-zero unused bits
             "Zm9",     // non-zero unused bits
             "Zm9v.",   // JWT separator is not part of the alphabet
         }) {
        EXPECT_FALSE(base64url_decode(bad).has_value()) << bad;
    }
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equal("", ""));
    EXPECT_TRUE(constant_time_equal("secret", "secret"));
    EXPECT_FALSE(constant_time_equal("secret", "secreT"));
    EXPECT_FALSE(constant_time_equal("Secret", "secret"));
    EXPECT_FALSE(constant_time_equal("secret", "secret1"));
    EXPECT_FALSE(constant_time_equal("secret", ""));
    EXPECT_TRUE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
    EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(Random, TokensAreBase64UrlOfTheRightLengthAndDistinct) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const std::string token = random_token(16);
        EXPECT_EQ(token.size(), 22U);  // ceil(16 * 4 / 3), unpadded
        const auto decoded = base64url_decode(token);
        ASSERT_TRUE(decoded.has_value());
        EXPECT_EQ(decoded->size(), 16U);
        seen.insert(token);
    }
    EXPECT_EQ(seen.size(), 100U);
    EXPECT_EQ(random_token(0), "");
}

TEST(Random, BytesAreFilled) {
    std::vector<std::uint8_t> a(64, 0);
    std::vector<std::uint8_t> b(64, 0);
    random_bytes(a);
    random_bytes(b);
    EXPECT_NE(a, b);
    EXPECT_NE(a, std::vector<std::uint8_t>(64, 0));
    random_bytes(std::span<std::uint8_t>());  // empty is fine
}

TEST(RandomPool, DrawsAreDistinctAcrossBlockBoundaries) {
    // 12-byte draws do not divide 4096: some straddle a refill. 1,000 draws
    // (three blocks) are all different and none is all zeros (the pool
    // wipes what it hands out, so a draw of used bytes would show as zeros).
    RandomPool pool;
    std::set<std::vector<std::uint8_t>> seen;
    const std::vector<std::uint8_t> zeros(12, 0);
    for (int i = 0; i < 1000; ++i) {
        std::vector<std::uint8_t> draw(12);
        pool.fill(draw);
        EXPECT_NE(draw, zeros);
        seen.insert(draw);
    }
    EXPECT_EQ(seen.size(), 1000u);
    // A request larger than a block spans refills.
    std::vector<std::uint8_t> big(10000);
    pool.fill(big);
    EXPECT_NE(std::vector<std::uint8_t>(big.end() - 64, big.end()),
              std::vector<std::uint8_t>(64, 0));
    pool.fill(std::span<std::uint8_t>());  // empty is fine
}

TEST(Crc32, CheckValueAndKnownStrings) {
    EXPECT_EQ(crc32(as_bytes("123456789")), 0xCBF43926U);
    EXPECT_EQ(crc32(as_bytes("")), 0x00000000U);
    EXPECT_EQ(crc32(as_bytes("The quick brown fox jumps over the lazy dog")), 0x414FA339U);
    const std::vector<std::uint8_t> zeros(32, 0);
    EXPECT_EQ(crc32(zeros), 0x190A55ADU);
}

}  // namespace
}  // namespace switchboard::shared
