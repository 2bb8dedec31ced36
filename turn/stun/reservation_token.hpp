#pragma once
// RESERVATION-TOKEN (0x0022, RFC 8656 section 18.9). Pure, thread-safe.
//
// "The RESERVATION-TOKEN attribute contains a token that uniquely
// identifies a relayed transport address being held in reserve by the
// server. ... The attribute value is 8 bytes and contains the token value."

#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

using ReservationToken = std::array<std::uint8_t, 8>;

void add_reservation_token(MessageBuilder& builder, const ReservationToken& token);

// bad_attribute_length unless exactly 8 bytes.
std::variant<ReservationToken, ParseError> decode_reservation_token(
    std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
