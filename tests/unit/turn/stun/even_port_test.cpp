#include "turn/stun/even_port.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(EvenPort, ExactBytesAndRoundTrip) {
    const auto reserve = test::build([](MessageBuilder& b) { add_even_port(b, EvenPort{true}); });
    EXPECT_EQ(test::to_hex(std::span(reserve).subspan(20)), "00 18 00 01 80 00 00 00");
    EXPECT_EQ(ok(decode_even_port(*test::attribute_value(reserve, kAttrEvenPort))), EvenPort{true});

    const auto plain = test::build([](MessageBuilder& b) { add_even_port(b, EvenPort{false}); });
    EXPECT_EQ(ok(decode_even_port(*test::attribute_value(plain, kAttrEvenPort))), EvenPort{false});
}

TEST(EvenPort, RffuIgnoredAndSizeChecked) {
    EXPECT_EQ(ok(decode_even_port(from_hex("7f"))), EvenPort{false});
    EXPECT_EQ(ok(decode_even_port(from_hex("ff"))), EvenPort{true});
    EXPECT_EQ(error_of(decode_even_port({})), ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_even_port(from_hex("80 00 00 00"))),
              ParseError::bad_attribute_length);
}

}  // namespace
}  // namespace switchboard::turn::stun
