#pragma once
// DONT-FRAGMENT (0x001A, RFC 8656 section 18.8). Pure, thread-safe.
//
// "This attribute is used by the client to request that the server set the
// DF (Don't Fragment) bit in the IP header when relaying the application
// data onward to the peer and for determining the server capability in
// Allocate requests. This attribute has no value part, and thus, the
// attribute length field is 0."

#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace switchboard::turn::stun {

void add_dont_fragment(MessageBuilder& builder);

// bad_attribute_length for a non-empty value; nullopt when well-formed.
std::optional<ParseError> check_dont_fragment(std::span<const std::uint8_t> value) noexcept;

}  // namespace switchboard::turn::stun
