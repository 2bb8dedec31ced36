#pragma once
// UNKNOWN-ATTRIBUTES (0x000A, RFC 8489 section 14.13), and the check that
// produces its content: the comprehension-required attributes of a request
// that this server does not know. Pure, thread-safe.

#include "turn/stun/builder.hpp"
#include "turn/stun/message.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

namespace switchboard::turn::stun {

// RFC 8489 section 6.3.1.1: "If the request contains one or more unknown
// comprehension-required attributes, the server replies with an error
// response with an error code of 420 (Unknown Attribute) and includes an
// UNKNOWN-ATTRIBUTES attribute in the response that lists the unknown
// comprehension-required attributes." Each type once, in message order;
// empty (and no allocation) when there are none.
std::vector<std::uint16_t> unknown_comprehension_required(const MessageView& message);

void add_unknown_attributes(MessageBuilder& builder, std::span<const std::uint16_t> types);

// bad_attribute_length for an odd length.
std::variant<std::vector<std::uint16_t>, ParseError> decode_unknown_attributes(
    std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
