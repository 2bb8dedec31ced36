#pragma once
// USERHASH (0x001E, RFC 8489 section 14.4), recognized so that a request
// carrying it is not answered 420; this server does not offer username
// anonymity (it never sends PASSWORD-ALGORITHMS, so clients do not use it).
// Pure, thread-safe.
//
// "The value of USERHASH has a fixed length of 32 bytes", the SHA-256 of
// OpaqueString(username) ":" OpaqueString(realm).

#include "turn/stun/parse_error.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

using Userhash = std::array<std::uint8_t, 32>;

// bad_attribute_length unless exactly 32 bytes.
std::variant<Userhash, ParseError> decode_userhash(std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
