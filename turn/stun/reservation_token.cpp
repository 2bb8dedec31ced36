#include "turn/stun/reservation_token.hpp"

#include "turn/stun/attribute_type.hpp"

#include <algorithm>

namespace switchboard::turn::stun {

void add_reservation_token(MessageBuilder& builder, const ReservationToken& token) {
    builder.add(kAttrReservationToken, token);
}

std::variant<ReservationToken, ParseError> decode_reservation_token(
    std::span<const std::uint8_t> value) {
    ReservationToken token{};
    if (value.size() != token.size()) {
        return ParseError::bad_attribute_length;
    }
    std::copy(value.begin(), value.end(), token.begin());
    return token;
}

}  // namespace switchboard::turn::stun
