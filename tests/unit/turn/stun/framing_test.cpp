// Cutting TCP/TLS streams into STUN and ChannelData frames.

#include "turn/stun/framing.hpp"

#include "turn/stun/channel_data.hpp"
#include "turn/stun/lifetime.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {

void PrintTo(const Frame& frame, std::ostream* out) {
    *out << (frame.kind == FrameKind::stun ? "STUN" : "ChannelData") << " frame of " << frame.size;
}

void PrintTo(const NeedMoreBytes&, std::ostream* out) {
    *out << "need more bytes";
}

namespace {

using test::from_hex;

std::variant<Frame, NeedMoreBytes, ParseError> frame_of(std::span<const std::uint8_t> bytes,
                                                        std::size_t max = kMaxStreamFrameSize) {
    return next_frame(bytes, max);
}

std::vector<std::uint8_t> stun_message() {
    return test::build(
        [](MessageBuilder& b) {
            add_lifetime(b, 600);
            b.add_fingerprint();
        },
        Method::refresh);
}

std::vector<std::uint8_t> channel_message(std::size_t payload) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(encode_channel_data(0x4001, std::vector<std::uint8_t>(payload, 0xAB), out,
                                    Framing::stream));
    return out;
}

using Result = std::variant<Frame, NeedMoreBytes, ParseError>;

TEST(Framing, EveryPrefixOfAStunMessageNeedsMore) {
    const auto message = stun_message();
    for (std::size_t size = 0; size < message.size(); ++size) {
        EXPECT_EQ(frame_of(std::span(message).first(size)), Result(NeedMoreBytes{})) << size;
    }
    EXPECT_EQ(frame_of(message), Result(Frame{FrameKind::stun, message.size()}));
}

TEST(Framing, EveryPrefixOfChannelDataNeedsMore) {
    const auto message = channel_message(5);
    ASSERT_EQ(message.size(), 12u);
    for (std::size_t size = 0; size < message.size(); ++size) {
        EXPECT_EQ(frame_of(std::span(message).first(size)), Result(NeedMoreBytes{})) << size;
    }
    // The padding is part of the frame over streams.
    EXPECT_EQ(frame_of(message), Result(Frame{FrameKind::channel_data, 12}));
    EXPECT_EQ(frame_of(from_hex("40 00 00 00")), Result(Frame{FrameKind::channel_data, 4}));
}

TEST(Framing, BackToBackFrames) {
    const auto stun = stun_message();
    const auto channel = channel_message(3);
    std::vector<std::uint8_t> stream;
    stream.insert(stream.end(), channel.begin(), channel.end());
    stream.insert(stream.end(), stun.begin(), stun.end());
    stream.insert(stream.end(), stun.begin(), stun.begin() + 7);  // start of a third

    std::span<const std::uint8_t> rest = stream;
    const auto first = frame_of(rest);
    ASSERT_EQ(first, Result(Frame{FrameKind::channel_data, channel.size()}));
    const auto data = test::ok(parse_channel_data(rest.first(channel.size()), Framing::stream));
    ASSERT_TRUE(data);
    EXPECT_EQ(test::to_hex(data->payload), "ab ab ab");
    rest = rest.subspan(channel.size());

    ASSERT_EQ(frame_of(rest), Result(Frame{FrameKind::stun, stun.size()}));
    EXPECT_TRUE(test::ok(parse_message(rest.first(stun.size()))));
    rest = rest.subspan(stun.size());

    EXPECT_EQ(frame_of(rest), Result(NeedMoreBytes{}));
    EXPECT_EQ(rest.size(), 7u);
}

TEST(Framing, GarbageFirstByte) {
    // Anything 0b10/0b11 at once; "POST" (0x50) reads as channel 0x504F
    // with a huge length, stopped by the caller's bound; a TLS ClientHello
    // (0x16) is 0b00 and fails the cookie.
    EXPECT_EQ(frame_of(from_hex("80")), Result(ParseError::not_stun_or_channel_data));
    EXPECT_EQ(frame_of(from_hex("c0 00 00 00")), Result(ParseError::not_stun_or_channel_data));
    EXPECT_EQ(frame_of(from_hex("ff ff ff ff ff ff ff ff")),
              Result(ParseError::not_stun_or_channel_data));
    EXPECT_EQ(frame_of(test::bytes_of("POST / HTTP/1.1\r\n"), 4096),
              Result(ParseError::frame_too_large));
    // "GET " reads as channel 0x4745 with 12064 bytes of data: only the
    // caller's bound stops it.
    EXPECT_EQ(frame_of(test::bytes_of("GET / HTTP/1.1\r\n")), Result(NeedMoreBytes{}));
    EXPECT_EQ(frame_of(test::bytes_of("GET / HTTP/1.1\r\n"), 4096),
              Result(ParseError::frame_too_large));
    EXPECT_EQ(frame_of(from_hex("50")), Result(NeedMoreBytes{}));
    EXPECT_EQ(frame_of(from_hex("16 03 01 00 a4 01 00 00 a0 03 03")),
              Result(ParseError::bad_magic_cookie));
}

TEST(Framing, StunHeaderChecksBeforeTheBodyArrives) {
    EXPECT_EQ(frame_of(from_hex("00 01 00 05")), Result(ParseError::bad_length));
    EXPECT_EQ(frame_of(from_hex("00 01 00 08 21 12 a4")), Result(NeedMoreBytes{}));
    EXPECT_EQ(frame_of(from_hex("00 01 00 08 21 12 a4 43")), Result(ParseError::bad_magic_cookie));
    EXPECT_EQ(frame_of(from_hex("00 01 00 08 21 12 a4 42")), Result(NeedMoreBytes{}));
}

TEST(Framing, OversizeLength) {
    // The default bound admits the largest valid frames.
    EXPECT_EQ(frame_of(from_hex("00 01 ff fc 21 12 a4 42")), Result(NeedMoreBytes{}));
    EXPECT_EQ(frame_of(from_hex("4f ff ff ff")), Result(NeedMoreBytes{}));
    // A caller's smaller bound is enforced from the first four bytes.
    EXPECT_EQ(frame_of(from_hex("00 01 ff fc"), 4096), Result(ParseError::frame_too_large));
    EXPECT_EQ(frame_of(from_hex("40 00 10 00"), 4096), Result(ParseError::frame_too_large));
    EXPECT_EQ(frame_of(from_hex("40 00 0f fc"), 4096), Result(NeedMoreBytes{}));
    EXPECT_EQ(frame_of(from_hex("00 01 0f ec"), 4096), Result(NeedMoreBytes{}));
    EXPECT_EQ(frame_of(from_hex("00 01 0f f0"), 4096), Result(ParseError::frame_too_large));
    // ChannelData padding counts towards the bound.
    EXPECT_EQ(frame_of(from_hex("40 00 0f fd"), 4100), Result(NeedMoreBytes{}));
    EXPECT_EQ(frame_of(from_hex("40 00 0f fd"), 4099), Result(ParseError::frame_too_large));
}

}  // namespace
}  // namespace switchboard::turn::stun
