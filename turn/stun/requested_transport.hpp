#pragma once
// REQUESTED-TRANSPORT (0x0019, RFC 8656 section 18.6). Pure, thread-safe.

#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

// IANA protocol numbers. RFC 8656: "This specification only allows the use
// of code point 17 (User Datagram Protocol)"; 6 (TCP) is RFC 6062's.
inline constexpr std::uint8_t kProtocolTcp = 6;
inline constexpr std::uint8_t kProtocolUdp = 17;

void add_requested_transport(MessageBuilder& builder, std::uint8_t protocol);

// The protocol number, whatever it is: a value other than 17 is the
// handler's 442 (Unsupported Transport Protocol), not a malformed request.
// bad_attribute_length unless exactly 4 bytes.
std::variant<std::uint8_t, ParseError> decode_requested_transport(
    std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
