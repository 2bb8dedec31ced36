#include "turn/stun/xor_address.hpp"

#include "turn/stun/mapped_address.hpp"

#include <algorithm>

namespace switchboard::turn::stun {

// RFC 8489 section 14.2:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                X-Address (Variable)
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "X-Port is computed by XOR'ing the mapped port with the most significant
// 16 bits of the magic cookie. If the IP address family is IPv4, X-Address
// is computed by XOR'ing the mapped IP address with the magic cookie. If the
// IP address family is IPv6, X-Address is computed by XOR'ing the mapped IP
// address with the concatenation of the magic cookie and the 96-bit
// transaction ID."
Address xor_address(const Address& address, const TransactionId& transaction_id) noexcept {
    std::array<std::uint8_t, 16> mask{static_cast<std::uint8_t>(kMagicCookie >> 24),
                                      static_cast<std::uint8_t>(kMagicCookie >> 16),
                                      static_cast<std::uint8_t>(kMagicCookie >> 8),
                                      static_cast<std::uint8_t>(kMagicCookie)};
    std::copy(transaction_id.bytes.begin(), transaction_id.bytes.end(), mask.begin() + 4);

    Address result = address;
    result.port = static_cast<std::uint16_t>(address.port ^ (kMagicCookie >> 16));
    if (address.family == Address::Family::v4) {
        for (std::size_t i = 0; i < 4; ++i) {
            result.bytes[12 + i] ^= mask[i];
        }
    } else {
        for (std::size_t i = 0; i < mask.size(); ++i) {
            result.bytes[i] ^= mask[i];
        }
    }
    return result;
}

void add_xor_address(MessageBuilder& builder, std::uint16_t type, const Address& address) {
    add_mapped_address(builder, xor_address(address, builder.transaction_id()), type);
}

std::variant<Address, ParseError> decode_xor_address(std::span<const std::uint8_t> value,
                                                     const TransactionId& transaction_id) {
    auto decoded = decode_mapped_address(value);
    if (const Address* address = std::get_if<Address>(&decoded)) {
        return xor_address(*address, transaction_id);
    }
    return decoded;
}

}  // namespace switchboard::turn::stun
