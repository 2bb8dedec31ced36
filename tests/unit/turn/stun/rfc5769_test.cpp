// RFC 5769 "Test Vectors for STUN", all four, from tests/data/stun/*.hex:
// parsing, MESSAGE-INTEGRITY with short-term and long-term keys,
// FINGERPRINT, XOR-MAPPED-ADDRESS for IPv4 and IPv6, and re-encoding.

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/long_term_key.hpp"
#include "turn/stun/text_attributes.hpp"
#include "turn/stun/unknown_attributes.hpp"
#include "turn/stun/xor_address.hpp"

#include "stun_test_util.hpp"

#include "shared/crypto.hpp"

namespace switchboard::turn::stun {
namespace {

using test::load_fixture;
using test::ok;

constexpr std::string_view kShortTermPassword = "VOkJxbRl1RmTxUk/WvJxBt";

std::string_view text_of(const MessageView& message, std::uint16_t type) {
    const Attribute* attribute = message.find(type);
    return attribute == nullptr ? std::string_view("<missing>") : shared::as_text(attribute->value);
}

TEST(Rfc5769, SampleRequestParses) {
    const auto bytes = load_fixture("rfc5769_request.hex");
    ASSERT_EQ(bytes.size(), 108u);
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);

    EXPECT_EQ(message->type(), 0x0001);
    EXPECT_EQ(message->method(), Method::binding);
    EXPECT_EQ(message->message_class(), MessageClass::request);
    EXPECT_EQ(message->transaction_id(), test::rfc5769_transaction_id());

    const std::vector<std::uint16_t> expected_types = {kAttrSoftware,         kAttrPriority,
                                                       kAttrIceControlled,    kAttrUsername,
                                                       kAttrMessageIntegrity, kAttrFingerprint};
    std::vector<std::uint16_t> types;
    for (const Attribute& attribute : message->attributes()) {
        types.push_back(attribute.type);
    }
    EXPECT_EQ(types, expected_types);
    EXPECT_EQ(message->attributes()[0].offset, 20u);
    EXPECT_EQ(message->message_integrity_offset(), 76u);
    EXPECT_EQ(message->fingerprint_offset(), 100u);
    EXPECT_FALSE(message->message_integrity_sha256_offset());

    // The username is padded with spaces (0x20), which the value excludes.
    EXPECT_EQ(ok(decode_username(message->find(kAttrUsername)->value)), "evtj:h6vY");
    EXPECT_EQ(ok(decode_software(message->find(kAttrSoftware)->value)), "STUN test client");
    EXPECT_EQ(test::to_hex(message->find(kAttrPriority)->value), "6e 00 01 ff");
    EXPECT_EQ(test::to_hex(message->find(kAttrIceControlled)->value), "93 2f f9 b1 51 26 3b 36");
    // PRIORITY is comprehension-required; the ICE attributes count as known.
    EXPECT_TRUE(unknown_comprehension_required(*message).empty());
}

TEST(Rfc5769, SampleRequestIntegrityAndFingerprint) {
    const auto bytes = load_fixture("rfc5769_request.hex");
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    // Short-term credentials: the key is the password itself (RFC 8489 9.1.1).
    EXPECT_TRUE(verify_message_integrity(*message, shared::as_bytes(kShortTermPassword)));
    EXPECT_FALSE(verify_message_integrity(*message, shared::as_bytes("VOkJxbRl1RmTxUk/WvJxBT")));
    EXPECT_FALSE(verify_message_integrity(*message, {}));
    EXPECT_TRUE(verify_fingerprint(*message));

    // One flipped bit in the username breaks both.
    auto tampered = bytes;
    tampered[68] ^= 0x01;
    const auto bad = ok(parse_message(tampered));
    ASSERT_TRUE(bad);
    EXPECT_FALSE(verify_message_integrity(*bad, shared::as_bytes(kShortTermPassword)));
    EXPECT_FALSE(verify_fingerprint(*bad));
}

TEST(Rfc5769, SampleIpv4Response) {
    const auto bytes = load_fixture("rfc5769_ipv4_response.hex");
    ASSERT_EQ(bytes.size(), 80u);
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->type(), 0x0101);
    EXPECT_EQ(message->method(), Method::binding);
    EXPECT_EQ(message->message_class(), MessageClass::success_response);
    EXPECT_EQ(text_of(*message, kAttrSoftware), "test vector");

    const Attribute* mapped = message->find(kAttrXorMappedAddress);
    ASSERT_NE(mapped, nullptr);
    const auto address = ok(decode_xor_address(mapped->value, message->transaction_id()));
    ASSERT_TRUE(address);
    EXPECT_EQ(address->family, Address::Family::v4);
    EXPECT_EQ(address->ip_string(), "192.0.2.1");
    EXPECT_EQ(address->port, 32853);
    EXPECT_EQ(*address, *Address::parse("192.0.2.1:32853"));

    EXPECT_TRUE(verify_message_integrity(*message, shared::as_bytes(kShortTermPassword)));
    EXPECT_TRUE(verify_fingerprint(*message));

    // Encoding the address again gives the RFC's bytes.
    const auto rebuilt = test::build(
        [&](MessageBuilder& b) { add_xor_address(b, kAttrXorMappedAddress, *address); });
    EXPECT_EQ(test::attribute_value(rebuilt, kAttrXorMappedAddress),
              std::vector<std::uint8_t>(mapped->value.begin(), mapped->value.end()));
}

TEST(Rfc5769, SampleIpv6Response) {
    const auto bytes = load_fixture("rfc5769_ipv6_response.hex");
    ASSERT_EQ(bytes.size(), 92u);
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->message_class(), MessageClass::success_response);

    const Attribute* mapped = message->find(kAttrXorMappedAddress);
    ASSERT_NE(mapped, nullptr);
    const auto address = ok(decode_xor_address(mapped->value, message->transaction_id()));
    ASSERT_TRUE(address);
    EXPECT_EQ(address->family, Address::Family::v6);
    EXPECT_EQ(address->ip_string(), "2001:db8:1234:5678:11:2233:4455:6677");
    EXPECT_EQ(address->port, 32853);
    EXPECT_EQ(address->to_string(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");

    EXPECT_TRUE(verify_message_integrity(*message, shared::as_bytes(kShortTermPassword)));
    EXPECT_TRUE(verify_fingerprint(*message));

    const auto rebuilt = test::build(
        [&](MessageBuilder& b) { add_xor_address(b, kAttrXorMappedAddress, *address); });
    EXPECT_EQ(test::attribute_value(rebuilt, kAttrXorMappedAddress),
              std::vector<std::uint8_t>(mapped->value.begin(), mapped->value.end()));
}

// U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9, unchanged by SASLprep.
constexpr std::string_view kLongTermUsername =
    "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
// "The<U+00AD>M<U+00AA>tr<U+2168>" after SASLprep: the soft hyphen is
// removed, NFKC maps U+00AA to "a" and U+2168 to "IX". The codec does no
// SASLprep; the caller passes the prepared string.
constexpr std::string_view kLongTermPassword = "TheMatrIX";
constexpr std::string_view kRealm = "example.org";
constexpr std::string_view kNonce = "f//499k954d6OL34oL9FSTvy64sA";

TEST(Rfc5769, LongTermRequestParses) {
    const auto bytes = load_fixture("rfc5769_long_term.hex");
    ASSERT_EQ(bytes.size(), 116u);
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->method(), Method::binding);
    EXPECT_EQ(message->message_class(), MessageClass::request);
    EXPECT_EQ(
        message->transaction_id(),
        (TransactionId{{0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e}}));
    EXPECT_EQ(ok(decode_username(message->find(kAttrUsername)->value)), kLongTermUsername);
    EXPECT_EQ(ok(decode_nonce(message->find(kAttrNonce)->value)), kNonce);
    EXPECT_EQ(ok(decode_realm(message->find(kAttrRealm)->value)), kRealm);
    EXPECT_FALSE(message->fingerprint_offset());
    EXPECT_FALSE(verify_fingerprint(*message));  // absent is not verified
}

TEST(Rfc5769, LongTermRequestIntegrity) {
    const auto bytes = load_fixture("rfc5769_long_term.hex");
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    const LongTermKey key = long_term_key(kLongTermUsername, kRealm, kLongTermPassword);
    // MD5("<username>:example.org:TheMatrIX"), cross-checked with Python's hashlib.
    EXPECT_EQ(test::to_hex(key), "e8 ca 7a d5 9d 5e b0 51 8e 31 29 11 d2 da b2 a9");
    EXPECT_TRUE(verify_message_integrity(*message, key));
    // Without SASLprep, or with a different realm, the key is wrong.
    EXPECT_FALSE(verify_message_integrity(*message, long_term_key(kLongTermUsername, kRealm,
                                                                  "The\xc2\xad"
                                                                  "M\xc2\xaatr\xe2\x85\xa8")));
    EXPECT_FALSE(verify_message_integrity(
        *message, long_term_key(kLongTermUsername, "example.com", kLongTermPassword)));
    // The password is not the key under long-term credentials.
    EXPECT_FALSE(verify_message_integrity(*message, shared::as_bytes(kLongTermPassword)));
}

TEST(Rfc5769, LongTermRequestRebuiltByteForByte) {
    // Section 2.4 pads with zeros, so the builder reproduces it exactly.
    const auto expected = load_fixture("rfc5769_long_term.hex");
    const TransactionId id{
        {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e}};
    MessageBuilder builder(Method::binding, MessageClass::request, id);
    add_username(builder, kLongTermUsername);
    add_nonce(builder, kNonce);
    add_realm(builder, kRealm);
    builder.add_message_integrity(long_term_key(kLongTermUsername, kRealm, kLongTermPassword));
    ASSERT_TRUE(builder.ok());
    EXPECT_EQ(test::to_hex(builder.bytes()), test::to_hex(expected));
}

}  // namespace
}  // namespace switchboard::turn::stun
