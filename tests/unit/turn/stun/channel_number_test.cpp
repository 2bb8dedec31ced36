#include "turn/stun/channel_number.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(ChannelNumber, Range) {
    EXPECT_FALSE(is_valid_channel_number(0x0000));
    EXPECT_FALSE(is_valid_channel_number(0x3FFF));
    EXPECT_TRUE(is_valid_channel_number(0x4000));
    EXPECT_TRUE(is_valid_channel_number(0x4FFF));
    // RFC 5766's range, still used by clients (see channel_number.hpp).
    EXPECT_TRUE(is_valid_channel_number(0x5000));
    EXPECT_TRUE(is_valid_channel_number(0x7FFF));
    EXPECT_FALSE(is_valid_channel_number(0x8000));
    EXPECT_FALSE(is_valid_channel_number(0xFFFF));
}

TEST(ChannelNumber, ExactBytesWithZeroRffu) {
    const auto bytes =
        test::build([](MessageBuilder& b) { add_channel_number(b, 0x4001); }, Method::channel_bind);
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "00 0c 00 04 40 01 00 00");
}

TEST(ChannelNumber, RoundTripsTheWholeRange) {
    for (std::uint16_t channel = kMinChannelNumber; channel <= kMaxChannelNumber; ++channel) {
        const auto bytes = test::build([&](MessageBuilder& b) { add_channel_number(b, channel); });
        ASSERT_EQ(ok(decode_channel_number(*test::attribute_value(bytes, kAttrChannelNumber))),
                  channel);
    }
}

TEST(ChannelNumber, Refusals) {
    EXPECT_EQ(error_of(decode_channel_number(from_hex("3f ff 00 00"))),
              ParseError::bad_channel_number);
    EXPECT_EQ(error_of(decode_channel_number(from_hex("80 00 00 00"))),
              ParseError::bad_channel_number);
    EXPECT_EQ(error_of(decode_channel_number(from_hex("40 00"))), ParseError::bad_attribute_length);
    // RFFU: "MUST be ignored on reception".
    EXPECT_EQ(ok(decode_channel_number(from_hex("40 00 ab cd"))), 0x4000);

    MessageBuilder builder(Method::channel_bind, MessageClass::request, TransactionId{});
    add_channel_number(builder, 0x3FFF);
    EXPECT_FALSE(builder.ok());
}

}  // namespace
}  // namespace switchboard::turn::stun
