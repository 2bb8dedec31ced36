#pragma once
// REQUESTED-ADDRESS-FAMILY (0x0017, RFC 8656 section 18.10) and
// ADDITIONAL-ADDRESS-FAMILY (0x8000, section 18.11), which "is encoded in
// the same way as the REQUESTED-ADDRESS-FAMILY attribute". Pure,
// thread-safe.

#include "turn/stun/address.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

// `type`: kAttrRequestedAddressFamily or kAttrAdditionalAddressFamily.
void add_address_family(MessageBuilder& builder, std::uint16_t type, Address::Family family);

// bad_attribute_length unless exactly 4 bytes; bad_address_family for a
// family other than 0x01 or 0x02 (RFC 8656 section 7.2: the Allocate
// handler answers 440). Which family is acceptable where (only IPv6 in
// ADDITIONAL-ADDRESS-FAMILY) is the handler's check.
std::variant<Address::Family, ParseError> decode_address_family(
    std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
