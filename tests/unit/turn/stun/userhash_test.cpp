#include "turn/stun/userhash.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

TEST(Userhash, ThirtyTwoBytesExactly) {
    std::vector<std::uint8_t> value(32);
    for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<std::uint8_t>(i);
    const auto hash = test::ok(decode_userhash(value));
    ASSERT_TRUE(hash);
    EXPECT_TRUE(std::equal(hash->begin(), hash->end(), value.begin()));
    value.pop_back();
    EXPECT_EQ(test::error_of(decode_userhash(value)), ParseError::bad_attribute_length);
    value.resize(33);
    EXPECT_EQ(test::error_of(decode_userhash(value)), ParseError::bad_attribute_length);
}

}  // namespace
}  // namespace switchboard::turn::stun
