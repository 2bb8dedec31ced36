#include "turn/stun/reservation_token.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

TEST(ReservationToken, RoundTripAndSize) {
    const ReservationToken token = {1, 2, 3, 4, 5, 6, 7, 8};
    const auto bytes = test::build([&](MessageBuilder& b) { add_reservation_token(b, token); });
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "00 22 00 08 01 02 03 04 05 06 07 08");
    EXPECT_EQ(
        test::ok(decode_reservation_token(*test::attribute_value(bytes, kAttrReservationToken))),
        token);
    EXPECT_EQ(test::error_of(decode_reservation_token(test::from_hex("01 02 03 04"))),
              ParseError::bad_attribute_length);
}

}  // namespace
}  // namespace switchboard::turn::stun
