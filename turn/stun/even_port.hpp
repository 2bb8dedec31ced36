#pragma once
// EVEN-PORT (0x0018, RFC 8656 section 18.7). Pure, thread-safe.

#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

struct EvenPort {
    // "If 1, the server is requested to reserve the next-higher port number
    // (on the same IP address) for a subsequent allocation."
    bool reserve_next = false;
    bool operator==(const EvenPort&) const = default;
};

void add_even_port(MessageBuilder& builder, EvenPort even_port);

// bad_attribute_length unless exactly 1 byte; the RFFU bits are ignored.
std::variant<EvenPort, ParseError> decode_even_port(std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
