#include "turn/stun/even_port.hpp"

#include "turn/stun/attribute_type.hpp"

namespace switchboard::turn::stun {

// RFC 8656 section 18.7:
//
//     0
//     0 1 2 3 4 5 6 7
//    +-+-+-+-+-+-+-+-+
//    |R|    RFFU     |
//    +-+-+-+-+-+-+-+-+
//
// "The value of this attribute is 1 byte long." "RFFU: Reserved For Future
// Use. The other 7 bits of the attribute's value must be set to zero on
// transmission and ignored on reception." (Plus the usual 3 bytes of
// attribute padding.)
void add_even_port(MessageBuilder& builder, EvenPort even_port) {
    const std::span<std::uint8_t> out = builder.append(kAttrEvenPort, 1);
    if (!out.empty()) {
        out[0] = even_port.reserve_next ? 0x80 : 0x00;
    }
}

std::variant<EvenPort, ParseError> decode_even_port(std::span<const std::uint8_t> value) {
    if (value.size() != 1) {
        return ParseError::bad_attribute_length;
    }
    return EvenPort{(value[0] & 0x80) != 0};
}

}  // namespace switchboard::turn::stun
