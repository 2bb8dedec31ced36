#pragma once
// MAPPED-ADDRESS (0x0001, RFC 8489 section 14.1), and the plain address
// encoding that the XOR-*-ADDRESS attributes (xor_address.hpp) and
// ALTERNATE-SERVER (0x8023) share. Pure, thread-safe.

#include "turn/stun/address.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

inline constexpr std::uint8_t kFamilyIpv4 = 0x01;
inline constexpr std::uint8_t kFamilyIpv6 = 0x02;

// Appends an address attribute of `type` (8 bytes for IPv4, 20 for IPv6).
void add_mapped_address(MessageBuilder& builder, const Address& address,
                        std::uint16_t type = kAttrMappedAddress);

// Family 0x01 needs exactly 8 bytes, 0x02 exactly 20; the first (reserved)
// byte is ignored.
std::variant<Address, ParseError> decode_mapped_address(std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
