#include "turn/stun/framing.hpp"

#include "turn/stun/channel_data.hpp"
#include "turn/stun/channel_number.hpp"
#include "turn/stun/wire.hpp"

namespace switchboard::turn::stun {

// Channel numbers are 0x4000-0x7FFF (see channel_number.hpp), so a ChannelData
// message starts with the bits 0b01 where a STUN message starts with 0b00
// (RFC 8489 section 5; RFC 7983 demultiplexes on the same first byte). Both
// carry their length in bytes 2-3, so four bytes tell the size of the frame:
//   STUN:        20 + Length
//   ChannelData: 4 + Length rounded up to a multiple of 4 (padding is
//                mandatory over streams, section 12.5)
std::variant<Frame, NeedMoreBytes, ParseError> next_frame(std::span<const std::uint8_t> buffered,
                                                          std::size_t max_frame_size) {
    if (buffered.empty()) {
        return NeedMoreBytes{};
    }
    const std::uint8_t top_bits = buffered[0] >> 6;
    if (top_bits > 0b01) {
        return ParseError::not_stun_or_channel_data;
    }
    const FrameKind kind = top_bits == 0 ? FrameKind::stun : FrameKind::channel_data;
    if (kind == FrameKind::channel_data && buffered[0] > (kMaxChannelNumber >> 8)) {
        return ParseError::bad_channel_number;
    }
    if (buffered.size() < 4) {
        return NeedMoreBytes{};
    }
    const std::size_t length = wire::read_u16(buffered, 2);
    std::size_t size = 0;
    if (kind == FrameKind::stun) {
        if (length % 4 != 0) {
            return ParseError::bad_length;
        }
        size = kHeaderSize + length;
    } else {
        size = kChannelDataHeaderSize + wire::padded(length);
    }
    if (size > max_frame_size) {
        return ParseError::frame_too_large;
    }
    if (kind == FrameKind::stun && buffered.size() >= 8 &&
        wire::read_u32(buffered, 4) != kMagicCookie) {
        return ParseError::bad_magic_cookie;
    }
    if (buffered.size() < size) {
        return NeedMoreBytes{};
    }
    return Frame{kind, size};
}

}  // namespace switchboard::turn::stun
