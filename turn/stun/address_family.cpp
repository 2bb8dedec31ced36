#include "turn/stun/address_family.hpp"

#include "turn/stun/mapped_address.hpp"

namespace switchboard::turn::stun {

// RFC 8656 section 18.10:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |     Family    |            Reserved                           |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "Family: there are two values defined for this field and specified in
// Section 14.1 of [RFC8489]: 0x01 for IPv4 addresses and 0x02 for IPv6
// addresses. Reserved: at this point, the 24 bits in the Reserved field MUST
// be set to zero by the client and MUST be ignored by the server."
void add_address_family(MessageBuilder& builder, std::uint16_t type, Address::Family family) {
    const std::span<std::uint8_t> out = builder.append(type, 4);
    if (!out.empty()) {
        out[0] = family == Address::Family::v4 ? kFamilyIpv4 : kFamilyIpv6;
    }
}

std::variant<Address::Family, ParseError> decode_address_family(
    std::span<const std::uint8_t> value) {
    if (value.size() != 4) {
        return ParseError::bad_attribute_length;
    }
    switch (value[0]) {
        case kFamilyIpv4: return Address::Family::v4;
        case kFamilyIpv6: return Address::Family::v6;
        default: return ParseError::bad_address_family;
    }
}

}  // namespace switchboard::turn::stun
