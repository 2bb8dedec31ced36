#include "turn/stun/icmp.hpp"

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/wire.hpp"

namespace switchboard::turn::stun {

// RFC 8656 section 18.13:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |  Reserved                     |  ICMP Type  |  ICMP Code      |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                          Error Data                           |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A 16-bit reserved field, a 7-bit type, a 9-bit code and 32 bits of error
// data, which "will be set to the Maximum Transmission Unit of the next-hop
// link" for ICMPv6 type 2 or ICMPv4 type 3 code 4, and to zero otherwise.
void add_icmp(MessageBuilder& builder, const IcmpAttribute& icmp) {
    if (icmp.type > 0x7F || icmp.code > 0x1FF) {
        builder.fail();
        return;
    }
    const std::span<std::uint8_t> out = builder.append(kAttrIcmp, 8);
    if (!out.empty()) {
        wire::write_u16(out, 2, static_cast<std::uint16_t>((icmp.type << 9) | icmp.code));
        wire::write_u32(out, 4, icmp.error_data);
    }
}

std::variant<IcmpAttribute, ParseError> decode_icmp(std::span<const std::uint8_t> value) {
    if (value.size() != 8) {
        return ParseError::bad_attribute_length;
    }
    const std::uint16_t type_and_code = wire::read_u16(value, 2);
    return IcmpAttribute{static_cast<std::uint8_t>(type_and_code >> 9),
                         static_cast<std::uint16_t>(type_and_code & 0x1FF),
                         wire::read_u32(value, 4)};
}

}  // namespace switchboard::turn::stun
