#pragma once
// ChannelData messages (RFC 8656 section 12.4): the 4-byte-header framing a
// client and the server use for relayed data once a channel is bound. The
// relay hot path: no allocation, no exceptions. Pure, thread-safe.

#include "turn/stun/parse_error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

namespace switchboard::turn::stun {

inline constexpr std::size_t kChannelDataHeaderSize = 4;

// How the message travels. RFC 8656 section 12.5: "Over TCP and
// TLS-over-TCP, the ChannelData message MUST be padded to a multiple of four
// bytes in order to ensure the alignment of subsequent messages. The
// padding is not reflected in the length field of the ChannelData message
// ... Over UDP, the padding is not required but MAY be included."
enum class Framing { datagram, stream };

struct ChannelData {
    std::uint16_t channel = 0;
    std::span<const std::uint8_t> payload;  // points into the parsed bytes
};

// `bytes`: one UDP datagram, or one frame cut by framing.hpp.
//   too_short           fewer than 4 bytes, or fewer than 4 + Length
//   bad_channel_number  outside 0x4000-0x7FFF
//   length_mismatch     datagram: more than 4 + Length rounded up to 4;
//                       stream: not exactly 4 + Length rounded up to 4
std::variant<ChannelData, ParseError> parse_channel_data(std::span<const std::uint8_t> bytes,
                                                         Framing framing);
// The payload view would outlive a temporary buffer.
std::variant<ChannelData, ParseError> parse_channel_data(std::vector<std::uint8_t>&&,
                                                         Framing) = delete;

// RFC 7983 demultiplexing: 4 bytes or more and a first byte of 0x40-0x4F.
bool looks_like_channel_data(std::span<const std::uint8_t> bytes) noexcept;

// The header alone, for writing in front of a payload already in place.
std::array<std::uint8_t, kChannelDataHeaderSize> channel_data_header(
    std::uint16_t channel, std::uint16_t payload_size) noexcept;

// Replaces `out` with the message (keeping its capacity); pads with zeros
// to a multiple of 4 for Framing::stream. False, `out` untouched, for an
// invalid channel or a payload over 65535 bytes.
bool encode_channel_data(std::uint16_t channel, std::span<const std::uint8_t> payload,
                         std::vector<std::uint8_t>& out, Framing framing);

}  // namespace switchboard::turn::stun
