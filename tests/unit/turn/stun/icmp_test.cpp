#include "turn/stun/icmp.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(Icmp, ExactBytes) {
    // ICMPv4 type 3 (unreachable) code 4 (fragmentation needed), MTU 1400.
    const auto bytes = test::build(
        [](MessageBuilder& b) {
            add_icmp(b, IcmpAttribute{3, 4, 1400});
        },
        Method::data, MessageClass::indication);
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "80 04 00 08 00 00 06 04 00 00 05 78");
}

TEST(Icmp, RoundTripsTheFieldLimits) {
    for (const IcmpAttribute icmp :
         {IcmpAttribute{0, 0, 0}, IcmpAttribute{127, 511, 0xFFFFFFFF}, IcmpAttribute{1, 256, 7}}) {
        const auto bytes = test::build([&](MessageBuilder& b) { add_icmp(b, icmp); });
        EXPECT_EQ(ok(decode_icmp(*test::attribute_value(bytes, kAttrIcmp))), icmp);
    }
}

TEST(Icmp, Refusals) {
    for (const IcmpAttribute icmp : {IcmpAttribute{128, 0, 0}, IcmpAttribute{0, 512, 0}}) {
        MessageBuilder builder(Method::data, MessageClass::indication, TransactionId{});
        add_icmp(builder, icmp);
        EXPECT_FALSE(builder.ok());
    }
    EXPECT_EQ(error_of(decode_icmp(from_hex("00 00 06 04"))), ParseError::bad_attribute_length);
    EXPECT_EQ(ok(decode_icmp(from_hex("ff ff 06 04 00 00 00 00"))), (IcmpAttribute{3, 4, 0}));
}

}  // namespace
}  // namespace switchboard::turn::stun
