#include "turn/stun/lifetime.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::ok;

TEST(Lifetime, RoundTripsAndExactBytes) {
    for (const std::uint32_t seconds : {0u, 600u, 3600u, 0xFFFFFFFFu}) {
        const auto bytes =
            test::build([&](MessageBuilder& b) { add_lifetime(b, seconds); }, Method::refresh);
        const auto value = test::attribute_value(bytes, kAttrLifetime);
        ASSERT_TRUE(value);
        EXPECT_EQ(ok(decode_lifetime(*value)), seconds);
    }
    const auto bytes = test::build([](MessageBuilder& b) { add_lifetime(b, 600); });
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "00 0d 00 04 00 00 02 58");
}

TEST(Lifetime, WrongSizeRefused) {
    for (const char* hex : {"", "00 00 02", "00 00 02 58 00"}) {
        EXPECT_EQ(error_of(decode_lifetime(test::from_hex(hex))), ParseError::bad_attribute_length)
            << hex;
    }
}

}  // namespace
}  // namespace switchboard::turn::stun
