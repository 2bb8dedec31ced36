#include "turn/stun/data.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

TEST(Data, RoundTripsAnySize) {
    for (const std::size_t size : {0u, 1u, 3u, 4u, 5u, 1200u, 65000u}) {
        std::vector<std::uint8_t> payload(size);
        for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
        const auto bytes = test::build([&](MessageBuilder& b) { add_data(b, payload); },
                                       Method::send, MessageClass::indication);
        const auto value = test::attribute_value(bytes, kAttrData);
        ASSERT_TRUE(value);
        const auto decoded = decode_data(*value);
        EXPECT_EQ(std::vector<std::uint8_t>(decoded.begin(), decoded.end()), payload) << size;
    }
}

TEST(Data, OversizedPayloadRefusesTheMessage) {
    MessageBuilder builder(Method::data, MessageClass::indication, TransactionId{});
    add_data(builder, std::vector<std::uint8_t>(65529));  // 20 + 4 + 65532 > limit
    EXPECT_FALSE(builder.ok());
}

}  // namespace
}  // namespace switchboard::turn::stun
