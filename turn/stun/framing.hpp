#pragma once
// Cuts a TCP or TLS byte stream into STUN messages and ChannelData messages
// (RFC 8656 section 12.5; RFC 8489 section 6.2.2). Pure, thread-safe; the
// reader calls it on its buffer after every read, and closes the connection
// on an error: once a stream is out of step it cannot be resynchronised.

#include "turn/stun/message.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

// The largest valid frame: a STUN message of Length 0xFFFC (a ChannelData
// message is at most 4 + 65536 with padding).
inline constexpr std::size_t kMaxStreamFrameSize = kHeaderSize + kMaxMessageLength;

enum class FrameKind { stun, channel_data };

// A complete frame of `size` bytes is at the front of the buffer.
struct Frame {
    FrameKind kind = FrameKind::stun;
    std::size_t size = 0;
    bool operator==(const Frame&) const = default;
};

// The buffer holds the start of a frame (or nothing): read more.
struct NeedMoreBytes {
    bool operator==(const NeedMoreBytes&) const = default;
};

// Looks at the first bytes only: the frame's content is left to
// parse_message / parse_channel_data (Framing::stream). Errors:
//   not_stun_or_channel_data  the first two bits are 0b10 or 0b11
//   bad_channel_number        never: every 0b01 prefix is a channel (0x4000-0x7FFF)
//   bad_length                a STUN Length that is not a multiple of 4
//   bad_magic_cookie          a STUN header without the magic cookie
//   frame_too_large           the frame would be larger than `max_frame_size`
// They are reported as soon as the bytes that show them have arrived, so a
// non-STUN client is refused after its first bytes, and nothing over the
// bound is ever buffered.
std::variant<Frame, NeedMoreBytes, ParseError> next_frame(
    std::span<const std::uint8_t> buffered, std::size_t max_frame_size = kMaxStreamFrameSize);

}  // namespace switchboard::turn::stun
