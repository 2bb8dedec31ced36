#pragma once
// CHANNEL-NUMBER (0x000C, RFC 8656 section 18.1) and the valid channel
// range, which ChannelData messages (channel_data.hpp) share. Pure,
// thread-safe.

#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

// RFC 8656 section 12: "0x4000 through 0x4FFF: These values are the allowed
// channel numbers (4096 possible values)." RFC 5766, which it obsoletes,
// allowed 0x4000-0x7FFF, and clients still pick from that range (coturn's
// turnutils_uclient does). A server loses nothing by accepting it: on the
// client leg, ChannelData is told from STUN by its first two bits (01) either
// way, and the client chose the number. So we accept RFC 5766's range and
// only ever refuse 0x0000-0x3FFF (STUN) and 0x8000-0xFFFF (RFC 7983: DTLS,
// RTP). Browsers use 0x4000 upwards.
inline constexpr std::uint16_t kMinChannelNumber = 0x4000;
inline constexpr std::uint16_t kMaxChannelNumber = 0x7FFF;

constexpr bool is_valid_channel_number(std::uint16_t channel) noexcept {
    return channel >= kMinChannelNumber && channel <= kMaxChannelNumber;
}

// Refuses (builder.fail()) a channel outside the range.
void add_channel_number(MessageBuilder& builder, std::uint16_t channel);

// bad_attribute_length unless exactly 4 bytes; bad_channel_number outside
// the range (RFC 8656 section 11.2: the ChannelBind handler answers 400).
std::variant<std::uint16_t, ParseError> decode_channel_number(std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
