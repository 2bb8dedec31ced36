#include "turn/stun/channel_data.hpp"

#include "turn/stun/channel_number.hpp"
#include "turn/stun/wire.hpp"

#include <algorithm>

namespace switchboard::turn::stun {

// RFC 8656 section 12.4:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |         Channel Number        |            Length             |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                                                               |
//    /                       Application Data                        /
//    /                                                               /
//    |                                                               |
//    |                               +-------------------------------+
//    |                               |
//    +-------------------------------+
//
// "The Length field specifies the length in bytes of the application data
// field (i.e., it does not include the size of the ChannelData header)."
// Section 12.6: "If the ChannelData message is received in a UDP datagram,
// and if the UDP datagram is too short to contain the claimed length of the
// ChannelData message ..., then the message is silently discarded."
std::variant<ChannelData, ParseError> parse_channel_data(std::span<const std::uint8_t> bytes,
                                                         Framing framing) {
    if (bytes.size() < kChannelDataHeaderSize) {
        return ParseError::too_short;
    }
    const std::uint16_t channel = wire::read_u16(bytes, 0);
    if (!is_valid_channel_number(channel)) {
        return ParseError::bad_channel_number;
    }
    const std::size_t length = wire::read_u16(bytes, 2);
    const std::size_t exact = kChannelDataHeaderSize + length;
    const std::size_t padded = kChannelDataHeaderSize + wire::padded(length);
    if (bytes.size() < exact) {
        return ParseError::too_short;
    }
    const bool size_ok =
        framing == Framing::stream ? bytes.size() == padded : bytes.size() <= padded;
    if (!size_ok) {
        return ParseError::length_mismatch;
    }
    return ChannelData{channel, bytes.subspan(kChannelDataHeaderSize, length)};
}

bool looks_like_channel_data(std::span<const std::uint8_t> bytes) noexcept {
    return bytes.size() >= kChannelDataHeaderSize && bytes[0] >= (kMinChannelNumber >> 8) &&
           bytes[0] <= (kMaxChannelNumber >> 8);
}

std::array<std::uint8_t, kChannelDataHeaderSize> channel_data_header(
    std::uint16_t channel, std::uint16_t payload_size) noexcept {
    std::array<std::uint8_t, kChannelDataHeaderSize> header{};
    wire::write_u16(header, 0, channel);
    wire::write_u16(header, 2, payload_size);
    return header;
}

bool encode_channel_data(std::uint16_t channel, std::span<const std::uint8_t> payload,
                         std::vector<std::uint8_t>& out, Framing framing) {
    if (!is_valid_channel_number(channel) || payload.size() > 0xFFFF) {
        return false;
    }
    const auto header = channel_data_header(channel, static_cast<std::uint16_t>(payload.size()));
    const std::size_t size =
        kChannelDataHeaderSize +
        (framing == Framing::stream ? wire::padded(payload.size()) : payload.size());
    out.resize(size);
    std::copy(header.begin(), header.end(), out.begin());
    std::copy(payload.begin(), payload.end(), out.begin() + kChannelDataHeaderSize);
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(kChannelDataHeaderSize + payload.size()),
              out.end(), 0);
    return true;
}

}  // namespace switchboard::turn::stun
