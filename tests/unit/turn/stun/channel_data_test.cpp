// ChannelData messages over datagrams and streams.

#include "turn/stun/channel_data.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::to_hex;

std::optional<ParseError> error_for(std::string_view hex, Framing framing) {
    const auto bytes = from_hex(hex);
    return error_of(parse_channel_data(bytes, framing));
}

TEST(ChannelData, EncodeWithoutPaddingOverUdp) {
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(encode_channel_data(0x4001, test::bytes_of("hello"), out, Framing::datagram));
    EXPECT_EQ(to_hex(out), "40 01 00 05 68 65 6c 6c 6f");
}

TEST(ChannelData, EncodeWithPaddingOverStreams) {
    std::vector<std::uint8_t> out(32, 0xEE);  // stale bytes must not leak into the padding
    ASSERT_TRUE(encode_channel_data(0x4FFF, test::bytes_of("hello"), out, Framing::stream));
    EXPECT_EQ(to_hex(out), "4f ff 00 05 68 65 6c 6c 6f 00 00 00");
    ASSERT_TRUE(encode_channel_data(0x4000, {}, out, Framing::stream));
    EXPECT_EQ(to_hex(out), "40 00 00 00");
    ASSERT_TRUE(encode_channel_data(0x4000, test::bytes_of("abcd"), out, Framing::stream));
    EXPECT_EQ(to_hex(out), "40 00 00 04 61 62 63 64");
}

TEST(ChannelData, EncodeRefusals) {
    std::vector<std::uint8_t> out = {1, 2, 3};
    EXPECT_FALSE(encode_channel_data(0x3FFF, test::bytes_of("x"), out, Framing::datagram));
    EXPECT_FALSE(encode_channel_data(0x8000, test::bytes_of("x"), out, Framing::datagram));
    EXPECT_FALSE(
        encode_channel_data(0x4000, std::vector<std::uint8_t>(0x10000), out, Framing::datagram));
    EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2, 3}));
    EXPECT_TRUE(
        encode_channel_data(0x4000, std::vector<std::uint8_t>(0xFFFF), out, Framing::stream));
    EXPECT_EQ(out.size(), 4u + 0x10000u);
}

TEST(ChannelData, HeaderAlone) {
    EXPECT_EQ(to_hex(channel_data_header(0x4abc, 0x0102)), "4a bc 01 02");
}

TEST(ChannelData, RoundTripsBothFramings) {
    for (const Framing framing : {Framing::datagram, Framing::stream}) {
        for (std::size_t size = 0; size < 12; ++size) {
            const std::vector<std::uint8_t> payload(size, static_cast<std::uint8_t>(size));
            std::vector<std::uint8_t> out;
            ASSERT_TRUE(encode_channel_data(0x4123, payload, out, framing));
            const auto parsed = test::ok(parse_channel_data(out, framing));
            ASSERT_TRUE(parsed);
            EXPECT_EQ(parsed->channel, 0x4123);
            EXPECT_EQ(std::vector<std::uint8_t>(parsed->payload.begin(), parsed->payload.end()),
                      payload);
        }
    }
}

TEST(ChannelData, DatagramPaddingIsOptional) {
    const auto unpadded = from_hex("40 01 00 05 68 65 6c 6c 6f");
    const auto padded = from_hex("40 01 00 05 68 65 6c 6c 6f 00 00 00");
    for (const auto& bytes : {unpadded, padded}) {
        const auto parsed = test::ok(parse_channel_data(bytes, Framing::datagram));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(to_hex(parsed->payload), "68 65 6c 6c 6f");
    }
    // Beyond the padding is not ChannelData.
    EXPECT_EQ(error_for("40 01 00 05 68 65 6c 6c 6f 00 00 00 00", Framing::datagram),
              ParseError::length_mismatch);
}

TEST(ChannelData, StreamPaddingIsRequired) {
    EXPECT_EQ(error_for("40 01 00 05 68 65 6c 6c 6f", Framing::stream),
              ParseError::length_mismatch);
    EXPECT_EQ(error_for("40 01 00 05 68 65 6c 6c 6f 00 00 00 00", Framing::stream),
              ParseError::length_mismatch);
}

TEST(ChannelData, TooShort) {
    for (const char* hex : {"", "40", "40 01 00", "40 01 00 05 68 65 6c 6c"}) {
        EXPECT_EQ(error_for(hex, Framing::datagram), ParseError::too_short) << hex;
    }
}

TEST(ChannelData, BadChannel) {
    for (const char* hex : {"3f ff 00 00", "80 00 00 00", "00 01 00 00", "ff ff 00 00"}) {
        EXPECT_EQ(error_for(hex, Framing::datagram), ParseError::bad_channel_number) << hex;
    }
}

TEST(ChannelData, LooksLikeChannelData) {
    EXPECT_TRUE(looks_like_channel_data(from_hex("40 00 00 00")));
    EXPECT_TRUE(looks_like_channel_data(from_hex("4f ff 00 00")));
    EXPECT_TRUE(looks_like_channel_data(from_hex("7f ff 00 00")));
    EXPECT_FALSE(looks_like_channel_data(from_hex("80 00 00 00")));
    EXPECT_FALSE(looks_like_channel_data(from_hex("00 01 00 00")));
    EXPECT_FALSE(looks_like_channel_data(from_hex("40 00 00")));
}

}  // namespace
}  // namespace switchboard::turn::stun
