#include "turn/stun/channel_number.hpp"

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/wire.hpp"

namespace switchboard::turn::stun {

// RFC 8656 section 18.1:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |        Channel Number         |         RFFU = 0              |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "The value portion of this attribute is 4 bytes long and consists of a
// 16-bit unsigned integer followed by a two-octet RFFU (Reserved For Future
// Use) field, which MUST be set to 0 on transmission and MUST be ignored on
// reception."
void add_channel_number(MessageBuilder& builder, std::uint16_t channel) {
    if (!is_valid_channel_number(channel)) {
        builder.fail();
        return;
    }
    const std::span<std::uint8_t> out = builder.append(kAttrChannelNumber, 4);
    if (!out.empty()) {
        wire::write_u16(out, 0, channel);
    }
}

std::variant<std::uint16_t, ParseError> decode_channel_number(std::span<const std::uint8_t> value) {
    if (value.size() != 4) {
        return ParseError::bad_attribute_length;
    }
    const std::uint16_t channel = wire::read_u16(value, 0);
    if (!is_valid_channel_number(channel)) {
        return ParseError::bad_channel_number;
    }
    return channel;
}

}  // namespace switchboard::turn::stun
