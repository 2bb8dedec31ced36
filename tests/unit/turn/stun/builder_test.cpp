// MessageBuilder: header, padding, Length upkeep, the integrity attributes,
// and the refusals that keep a message well-formed.

#include "turn/stun/builder.hpp"

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/integrity.hpp"

#include "stun_test_util.hpp"

#include "shared/crypto.hpp"

namespace switchboard::turn::stun {
namespace {

using test::from_hex;
using test::ok;
using test::to_hex;

TEST(MessageBuilder, WritesTheHeader) {
    const MessageBuilder builder(Method::allocate, MessageClass::error_response,
                                 test::rfc5769_transaction_id());
    EXPECT_TRUE(builder.ok());
    EXPECT_EQ(to_hex(builder.bytes()),
              "01 13 00 00 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");
}

TEST(MessageBuilder, PadsWithZerosAndKeepsLengthCurrent) {
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    builder.add(kAttrUsername, test::bytes_of("abcde"));
    EXPECT_EQ(builder.bytes().size(), 32u);
    EXPECT_EQ(to_hex(builder.bytes().subspan(2, 2)), "00 0c");
    EXPECT_EQ(to_hex(builder.bytes().subspan(20)), "00 06 00 05 61 62 63 64 65 00 00 00");
    builder.add(kAttrDontFragment, {});
    EXPECT_EQ(to_hex(builder.bytes().subspan(2, 2)), "00 10");
    EXPECT_EQ(to_hex(builder.bytes().subspan(32)), "00 1a 00 00");
    EXPECT_TRUE(ok(parse_message(builder.bytes())));
}

TEST(MessageBuilder, PaddingIsZeroEvenInAReusedBuffer) {
    std::vector<std::uint8_t> dirty(512, 0xEE);
    const std::uint8_t* storage = dirty.data();
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id(),
                           std::move(dirty));
    builder.add(kAttrUsername, test::bytes_of("a"));
    EXPECT_EQ(to_hex(builder.bytes().subspan(20)), "00 06 00 01 61 00 00 00");
    EXPECT_EQ(builder.bytes().data(), storage);  // capacity reused, no allocation
}

TEST(MessageBuilder, AppendGivesZeroedWritableValue) {
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    const std::span<std::uint8_t> value = builder.append(kAttrReservationToken, 8);
    ASSERT_EQ(value.size(), 8u);
    EXPECT_EQ(to_hex(value), "00 00 00 00 00 00 00 00");
    value[7] = 0x42;
    EXPECT_EQ(to_hex(builder.bytes().subspan(24)), "00 00 00 00 00 00 00 42");
}

TEST(MessageBuilder, TakeHandsOverTheMessage) {
    MessageBuilder builder(Method::refresh, MessageClass::request, test::rfc5769_transaction_id());
    builder.add(kAttrLifetime, from_hex("00 00 00 00"));
    const std::vector<std::uint8_t> expected(builder.bytes().begin(), builder.bytes().end());
    EXPECT_EQ(std::move(builder).take(), expected);
}

TEST(MessageBuilder, RefusesAMessageOverSixtyFourKilobytes) {
    MessageBuilder builder(Method::data, MessageClass::indication, test::rfc5769_transaction_id());
    const std::vector<std::uint8_t> big(0xFFFF, 0x01);
    builder.add(kAttrData, big);  // 4 + 65536 > 65532
    EXPECT_FALSE(builder.ok());
    EXPECT_EQ(builder.bytes().size(), 20u);  // nothing half-written
    // And the failure is sticky: the message is not sent without the data.
    builder.add(kAttrSoftware, test::bytes_of("x"));
    EXPECT_EQ(builder.bytes().size(), 20u);
}

TEST(MessageBuilder, FillsExactlyToTheMaximumLength) {
    MessageBuilder builder(Method::data, MessageClass::indication, test::rfc5769_transaction_id());
    builder.add(kAttrData, std::vector<std::uint8_t>(kMaxMessageLength - 4, 0x01));
    ASSERT_TRUE(builder.ok());
    EXPECT_EQ(builder.bytes().size(), kHeaderSize + kMaxMessageLength);
    EXPECT_TRUE(ok(parse_message(builder.bytes())));
    builder.add(kAttrDontFragment, {});
    EXPECT_FALSE(builder.ok());
}

TEST(MessageBuilder, IntegrityThenFingerprintVerify) {
    const auto key = test::bytes_of("secret key");
    MessageBuilder builder(Method::allocate, MessageClass::request, test::rfc5769_transaction_id());
    builder.add(kAttrRequestedTransport, from_hex("11 00 00 00"));
    builder.add_message_integrity(key);
    builder.add_fingerprint();
    ASSERT_TRUE(builder.ok());
    const auto message = ok(parse_message(builder.bytes()));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->message_integrity_offset(), 28u);
    EXPECT_EQ(message->fingerprint_offset(), 52u);
    EXPECT_TRUE(verify_message_integrity(*message, key));
    EXPECT_TRUE(verify_fingerprint(*message));
    EXPECT_FALSE(verify_message_integrity(*message, test::bytes_of("secret kez")));
}

TEST(MessageBuilder, IntegrityCoversTheLengthWithItself) {
    // RFC 8489 section 14.5: the HMAC input is the message up to
    // MESSAGE-INTEGRITY with Length pointing at its end.
    const auto key = test::bytes_of("k");
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    builder.add(kAttrSoftware, test::bytes_of("abcd"));
    builder.add_message_integrity(key);
    std::vector<std::uint8_t> input(builder.bytes().begin(), builder.bytes().begin() + 28);
    input[3] = 8 + 24;
    EXPECT_EQ(to_hex(builder.bytes().subspan(32, 20)), to_hex(shared::hmac_sha1(key, input)));
}

TEST(MessageBuilder, FingerprintIsCrcXorStun) {
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    builder.add_fingerprint();
    std::vector<std::uint8_t> input(builder.bytes().begin(), builder.bytes().begin() + 20);
    input[3] = 8;
    const std::uint32_t expected = shared::crc32(input) ^ 0x5354554e;
    const auto value = builder.bytes().subspan(24, 4);
    EXPECT_EQ((std::uint32_t{value[0]} << 24) | (std::uint32_t{value[1]} << 16) |
                  (std::uint32_t{value[2]} << 8) | value[3],
              expected);
}

TEST(MessageBuilder, Sha256IntegrityVerifies) {
    const auto key = test::bytes_of("another key");
    MessageBuilder builder(Method::refresh, MessageClass::request, test::rfc5769_transaction_id());
    builder.add(kAttrLifetime, from_hex("00 00 02 58"));
    builder.add_message_integrity(key);
    builder.add_message_integrity_sha256(key);
    builder.add_fingerprint();
    ASSERT_TRUE(builder.ok());
    const auto message = ok(parse_message(builder.bytes()));
    ASSERT_TRUE(message);
    EXPECT_TRUE(verify_message_integrity(*message, key));
    EXPECT_TRUE(verify_message_integrity_sha256(*message, key));
    EXPECT_FALSE(verify_message_integrity_sha256(*message, test::bytes_of("wrong")));
    EXPECT_TRUE(verify_fingerprint(*message));
}

TEST(MessageBuilder, RefusesAttributesAfterIntegrity) {
    const auto key = test::bytes_of("k");
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    builder.add_message_integrity(key);
    const std::size_t size = builder.bytes().size();
    builder.add(kAttrSoftware, test::bytes_of("late"));
    EXPECT_FALSE(builder.ok());
    EXPECT_EQ(builder.bytes().size(), size);
}

TEST(MessageBuilder, RefusesEverythingAfterFingerprint) {
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    builder.add_fingerprint();
    builder.add_fingerprint();
    EXPECT_FALSE(builder.ok());
    EXPECT_EQ(builder.bytes().size(), 28u);
}

TEST(MessageBuilder, RefusesIntegrityOutOfOrder) {
    const auto key = test::bytes_of("k");
    MessageBuilder twice(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    twice.add_message_integrity(key);
    twice.add_message_integrity(key);
    EXPECT_FALSE(twice.ok());

    MessageBuilder sha_first(Method::binding, MessageClass::request,
                             test::rfc5769_transaction_id());
    sha_first.add_message_integrity_sha256(key);
    sha_first.add_message_integrity(key);
    EXPECT_FALSE(sha_first.ok());
}

TEST(MessageBuilder, RefusesIntegrityTypesThroughAdd) {
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    builder.add(kAttrMessageIntegrity, std::vector<std::uint8_t>(20, 0));
    EXPECT_FALSE(builder.ok());
    EXPECT_EQ(builder.bytes().size(), 20u);
}

TEST(MessageBuilder, FailIsSticky) {
    MessageBuilder builder(Method::binding, MessageClass::request, test::rfc5769_transaction_id());
    builder.fail();
    builder.add(kAttrSoftware, test::bytes_of("x"));
    builder.add_fingerprint();
    EXPECT_FALSE(builder.ok());
    EXPECT_EQ(builder.bytes().size(), 20u);
}

}  // namespace
}  // namespace switchboard::turn::stun
