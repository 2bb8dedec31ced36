#include "turn/stun/requested_transport.hpp"

#include "turn/stun/attribute_type.hpp"

namespace switchboard::turn::stun {

// RFC 8656 section 18.6:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |    Protocol   |                    RFFU                       |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "The RFFU field MUST be set to zero on transmission and MUST be ignored
// on reception."
void add_requested_transport(MessageBuilder& builder, std::uint8_t protocol) {
    const std::span<std::uint8_t> out = builder.append(kAttrRequestedTransport, 4);
    if (!out.empty()) {
        out[0] = protocol;
    }
}

std::variant<std::uint8_t, ParseError> decode_requested_transport(
    std::span<const std::uint8_t> value) {
    if (value.size() != 4) {
        return ParseError::bad_attribute_length;
    }
    return value[0];
}

}  // namespace switchboard::turn::stun
