#pragma once
// LIFETIME (0x000D, RFC 8656 section 18.2). Pure, thread-safe.
//
// "The value portion of this attribute is 4 bytes long and consists of a
// 32-bit unsigned integral value representing the number of seconds
// remaining until expiration."

#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

void add_lifetime(MessageBuilder& builder, std::uint32_t seconds);

// bad_attribute_length unless exactly 4 bytes.
std::variant<std::uint32_t, ParseError> decode_lifetime(std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
