#include "turn/stun/mapped_address.hpp"

#include "turn/stun/wire.hpp"

#include <algorithm>

namespace switchboard::turn::stun {

// RFC 8489 section 14.1:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |0 0 0 0 0 0 0 0|    Family     |           Port                |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                                                               |
//    |                 Address (32 bits or 128 bits)                 |
//    |                                                               |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "The address family can take on the following values: 0x01:IPv4
// 0x02:IPv6. The first 8 bits of the MAPPED-ADDRESS MUST be set to 0 and
// MUST be ignored by receivers."
void add_mapped_address(MessageBuilder& builder, const Address& address, std::uint16_t type) {
    const bool v4 = address.family == Address::Family::v4;
    const std::span<std::uint8_t> out = builder.append(type, v4 ? 8 : 20);
    if (out.empty()) {
        return;
    }
    out[1] = v4 ? kFamilyIpv4 : kFamilyIpv6;
    wire::write_u16(out, 2, address.port);
    if (v4) {
        std::copy(address.bytes.begin() + 12, address.bytes.end(), out.begin() + 4);
    } else {
        std::copy(address.bytes.begin(), address.bytes.end(), out.begin() + 4);
    }
}

std::variant<Address, ParseError> decode_mapped_address(std::span<const std::uint8_t> value) {
    if (value.size() < 4) {
        return ParseError::bad_attribute_length;
    }
    const std::uint16_t port = wire::read_u16(value, 2);
    switch (value[1]) {
        case kFamilyIpv4: {
            if (value.size() != 8) {
                return ParseError::bad_attribute_length;
            }
            std::array<std::uint8_t, 4> ip{};
            std::copy_n(value.begin() + 4, ip.size(), ip.begin());
            return Address::from_ipv4(ip, port);
        }
        case kFamilyIpv6: {
            if (value.size() != 20) {
                return ParseError::bad_attribute_length;
            }
            std::array<std::uint8_t, 16> ip{};
            std::copy_n(value.begin() + 4, ip.size(), ip.begin());
            return Address::from_ipv6(ip, port);
        }
        default: return ParseError::bad_address_family;
    }
}

}  // namespace switchboard::turn::stun
