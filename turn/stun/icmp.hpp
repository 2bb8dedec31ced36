#pragma once
// ICMP (0x8004, RFC 8656 section 18.13): in a Data indication, the ICMP
// error a relay received from a peer. Pure, thread-safe.

#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

struct IcmpAttribute {
    std::uint8_t type = 0;         // 7 bits: ICMPv4 or ICMPv6 type, per the peer's family
    std::uint16_t code = 0;        // 9 bits
    std::uint32_t error_data = 0;  // the next-hop MTU for "fragmentation needed"/"packet too big"
    bool operator==(const IcmpAttribute&) const = default;
};

// Refuses (builder.fail()) a type over 127 or a code over 511.
void add_icmp(MessageBuilder& builder, const IcmpAttribute& icmp);

// bad_attribute_length unless exactly 8 bytes; the reserved bits are ignored.
std::variant<IcmpAttribute, ParseError> decode_icmp(std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
