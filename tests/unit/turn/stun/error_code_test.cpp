// ERROR-CODE and ADDRESS-ERROR-CODE.

#include "turn/stun/error_code.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;
using test::to_hex;

TEST(ErrorCode, ExactBytes) {
    const auto stale = test::build([](MessageBuilder& b) { add_error_code(b, 438); },
                                   Method::allocate, MessageClass::error_response);
    // Class 4, number 38, "Stale Nonce" (11 bytes) and one byte of padding.
    EXPECT_EQ(to_hex(std::span(stale).subspan(20)),
              "00 09 00 0f 00 00 04 26 53 74 61 6c 65 20 4e 6f 6e 63 65 00");

    const auto custom = test::build([](MessageBuilder& b) { add_error_code(b, 599, "Odd"); });
    EXPECT_EQ(to_hex(std::span(custom).subspan(20)), "00 09 00 07 00 00 05 63 4f 64 64 00");

    const auto no_phrase = test::build([](MessageBuilder& b) { add_error_code(b, 399); });
    EXPECT_EQ(to_hex(std::span(no_phrase).subspan(20)), "00 09 00 04 00 00 03 63");
}

TEST(ErrorCode, DefaultReasonPhrases) {
    const std::pair<std::uint16_t, std::string_view> expected[] = {
        {300, "Try Alternate"},
        {400, "Bad Request"},
        {401, "Unauthenticated"},
        {403, "Forbidden"},
        {420, "Unknown Attribute"},
        {437, "Allocation Mismatch"},
        {438, "Stale Nonce"},
        {440, "Address Family not Supported"},
        {441, "Wrong Credentials"},
        {442, "Unsupported Transport Protocol"},
        {443, "Peer Address Family Mismatch"},
        {446, "Connection Already Exists"},
        {447, "Connection Timeout or Failure"},
        {486, "Allocation Quota Reached"},
        {500, "Server Error"},
        {508, "Insufficient Capacity"},
    };
    for (const auto& [code, phrase] : expected) {
        EXPECT_EQ(default_reason_phrase(code), phrase) << code;
        const auto bytes = test::build([&](MessageBuilder& b) { add_error_code(b, code); });
        const auto value = test::attribute_value(bytes, kAttrErrorCode);
        ASSERT_TRUE(value);
        EXPECT_EQ(ok(decode_error_code(*value)), (ErrorCodeAttribute{code, phrase}));
    }
    EXPECT_EQ(default_reason_phrase(499), "");
}

TEST(ErrorCode, RoundTripsEveryCode) {
    for (std::uint16_t code = 300; code <= 699; ++code) {
        const auto bytes = test::build([&](MessageBuilder& b) { add_error_code(b, code, "r"); });
        const auto value = test::attribute_value(bytes, kAttrErrorCode);
        ASSERT_TRUE(value);
        ASSERT_EQ(ok(decode_error_code(*value)), (ErrorCodeAttribute{code, "r"}));
    }
}

TEST(ErrorCode, EncoderRefusals) {
    for (const std::uint16_t code : {0, 200, 299, 700, 1000}) {
        MessageBuilder builder(Method::binding, MessageClass::error_response, TransactionId{});
        add_error_code(builder, code);
        EXPECT_FALSE(builder.ok()) << code;
        EXPECT_EQ(builder.bytes().size(), 20u);
    }
    MessageBuilder builder(Method::binding, MessageClass::error_response, TransactionId{});
    add_error_code(builder, 400, std::string(kMaxReasonPhraseBytes + 1, 'x'));
    EXPECT_FALSE(builder.ok());
}

TEST(ErrorCode, DecoderRefusalsAndReservedBits) {
    EXPECT_EQ(error_of(decode_error_code(from_hex("00 00 04"))), ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_error_code(from_hex("00 00 02 00"))),
              ParseError::bad_attribute_value);
    EXPECT_EQ(error_of(decode_error_code(from_hex("00 00 07 00"))),
              ParseError::bad_attribute_value);
    EXPECT_EQ(error_of(decode_error_code(from_hex("00 00 04 64"))),
              ParseError::bad_attribute_value);
    std::vector<std::uint8_t> long_reason = from_hex("00 00 04 00");
    long_reason.resize(4 + kMaxReasonPhraseBytes + 1, 'x');
    EXPECT_EQ(error_of(decode_error_code(long_reason)), ParseError::value_too_long);
    // "Receivers MUST ignore these bits": the 21 reserved bits.
    EXPECT_EQ(ok(decode_error_code(from_hex("ff ff fc 01"))), (ErrorCodeAttribute{401, ""}));
}

TEST(AddressErrorCode, RoundTripAndBytes) {
    const auto bytes = test::build([](MessageBuilder& b) {
        add_address_error_code(b, Address::Family::v6, kErrorAddressFamilyNotSupported);
    });
    const auto value = test::attribute_value(bytes, kAttrAddressErrorCode);
    ASSERT_TRUE(value);
    EXPECT_EQ(to_hex(std::span(*value).first(4)), "02 00 04 28");
    EXPECT_EQ(
        ok(decode_address_error_code(*value)),
        (AddressErrorCodeAttribute{Address::Family::v6, 440, "Address Family not Supported"}));

    const auto v4 = test::build(
        [](MessageBuilder& b) { add_address_error_code(b, Address::Family::v4, 508, "full"); });
    EXPECT_EQ(ok(decode_address_error_code(*test::attribute_value(v4, kAttrAddressErrorCode))),
              (AddressErrorCodeAttribute{Address::Family::v4, 508, "full"}));
}

TEST(AddressErrorCode, Refusals) {
    EXPECT_EQ(error_of(decode_address_error_code(from_hex("03 00 04 28"))),
              ParseError::bad_address_family);
    EXPECT_EQ(error_of(decode_address_error_code(from_hex("01 00 09 28"))),
              ParseError::bad_attribute_value);
    EXPECT_EQ(error_of(decode_address_error_code(from_hex("01"))),
              ParseError::bad_attribute_length);
}

}  // namespace
}  // namespace switchboard::turn::stun
