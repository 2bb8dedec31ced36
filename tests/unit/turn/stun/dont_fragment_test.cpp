#include "turn/stun/dont_fragment.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

TEST(DontFragment, EmptyValue) {
    const auto bytes = test::build([](MessageBuilder& b) { add_dont_fragment(b); });
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "00 1a 00 00");
    const auto value = test::attribute_value(bytes, kAttrDontFragment);
    ASSERT_TRUE(value);
    EXPECT_EQ(check_dont_fragment(*value), std::nullopt);
    EXPECT_EQ(check_dont_fragment(test::from_hex("00")), ParseError::bad_attribute_length);
}

}  // namespace
}  // namespace switchboard::turn::stun
