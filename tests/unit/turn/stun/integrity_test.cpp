// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT checks on
// hand-made messages: absent attributes, trailing ignored attributes,
// truncated SHA-256 values, tampering.

#include "turn/stun/integrity.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

#include "shared/crypto.hpp"

namespace switchboard::turn::stun {
namespace {

using test::ok;

std::vector<std::uint8_t> signed_message(std::span<const std::uint8_t> key, bool fingerprint) {
    MessageBuilder builder(Method::channel_bind, MessageClass::request,
                           test::rfc5769_transaction_id());
    builder.add(kAttrChannelNumber, test::from_hex("40 00 00 00"));
    builder.add_message_integrity(key);
    if (fingerprint) {
        builder.add_fingerprint();
    }
    EXPECT_TRUE(builder.ok());
    return std::move(builder).take();
}

TEST(Integrity, AbsentAttributesNeverVerify) {
    const auto bytes = test::build([](MessageBuilder&) {});
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_FALSE(verify_message_integrity(*message, test::bytes_of("")));
    EXPECT_FALSE(verify_message_integrity_sha256(*message, test::bytes_of("")));
    EXPECT_FALSE(verify_fingerprint(*message));
}

TEST(Integrity, WithAndWithoutTrailingFingerprint) {
    const auto key = test::bytes_of("key");
    for (const bool fingerprint : {false, true}) {
        const auto bytes = signed_message(key, fingerprint);
        const auto message = ok(parse_message(bytes));
        ASSERT_TRUE(message);
        EXPECT_TRUE(verify_message_integrity(*message, key)) << fingerprint;
        EXPECT_EQ(verify_fingerprint(*message), fingerprint);
    }
}

TEST(Integrity, EveryFlippedBitBeforeTheMacIsDetected) {
    const auto key = test::bytes_of("key");
    const auto bytes = signed_message(key, true);
    // Header and attributes before MESSAGE-INTEGRITY, and the MAC itself.
    for (std::size_t at = 0; at < 52; ++at) {
        for (int bit = 0; bit < 8; ++bit) {
            auto tampered = bytes;
            tampered[at] ^= static_cast<std::uint8_t>(1 << bit);
            const auto parsed = parse_message(tampered);
            if (const auto* message = std::get_if<MessageView>(&parsed)) {
                EXPECT_FALSE(verify_message_integrity(*message, key)) << at << ":" << bit;
                EXPECT_FALSE(verify_fingerprint(*message)) << at << ":" << bit;
            }
        }
    }
}

TEST(Integrity, IgnoredTrailingAttributesDoNotBreakVerification) {
    // RFC 8489 section 14.5: attributes after MESSAGE-INTEGRITY are ignored
    // (an on-path attacker may append them); the MAC still verifies with the
    // Length adjusted to end at MESSAGE-INTEGRITY.
    const auto key = test::bytes_of("key");
    auto bytes = signed_message(key, false);
    bytes.insert(bytes.end(), {0x00, 0x13, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef});  // DATA
    bytes[3] = static_cast<std::uint8_t>(bytes.size() - 20);
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->find(kAttrData), nullptr);
    EXPECT_TRUE(verify_message_integrity(*message, key));
}

TEST(Integrity, FingerprintWithIgnoredTrailer) {
    auto bytes = test::build([](MessageBuilder& b) { b.add_fingerprint(); });
    bytes.insert(bytes.end(), {0x80, 0x22, 0x00, 0x00});  // SOFTWARE after FINGERPRINT
    bytes[3] = static_cast<std::uint8_t>(bytes.size() - 20);
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->attributes().size(), 1u);
    EXPECT_TRUE(verify_fingerprint(*message));
}

TEST(Integrity, TruncatedSha256) {
    // RFC 8489 section 14.6 allows 16 to 32 bytes; make a 16-byte one by hand.
    const auto key = test::bytes_of("sha key");
    auto bytes =
        test::build([](MessageBuilder& b) { b.add(kAttrLifetime, test::from_hex("00 00 00 3c")); });
    bytes[3] = static_cast<std::uint8_t>(bytes.size() - 20 + 4 + 16);
    const auto mac = shared::hmac_sha256(key, bytes);
    bytes.insert(bytes.end(), {0x00, 0x1c, 0x00, 0x10});
    bytes.insert(bytes.end(), mac.begin(), mac.begin() + 16);
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_TRUE(verify_message_integrity_sha256(*message, key));
    EXPECT_FALSE(verify_message_integrity_sha256(*message, test::bytes_of("sha kez")));

    bytes.back() ^= 0x80;
    const auto tampered = ok(parse_message(bytes));
    ASSERT_TRUE(tampered);
    EXPECT_FALSE(verify_message_integrity_sha256(*tampered, key));
}

}  // namespace
}  // namespace switchboard::turn::stun
