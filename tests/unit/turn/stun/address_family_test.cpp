#include "turn/stun/address_family.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(AddressFamily, BothAttributesBothFamilies) {
    for (const std::uint16_t type : {kAttrRequestedAddressFamily, kAttrAdditionalAddressFamily}) {
        for (const Address::Family family : {Address::Family::v4, Address::Family::v6}) {
            const auto bytes =
                test::build([&](MessageBuilder& b) { add_address_family(b, type, family); });
            const auto value = test::attribute_value(bytes, type);
            ASSERT_TRUE(value);
            EXPECT_EQ(value->size(), 4u);
            EXPECT_EQ(ok(decode_address_family(*value)), family);
        }
    }
    const auto v6 = test::build([](MessageBuilder& b) {
        add_address_family(b, kAttrRequestedAddressFamily, Address::Family::v6);
    });
    EXPECT_EQ(test::to_hex(std::span(v6).subspan(20)), "00 17 00 04 02 00 00 00");
}

TEST(AddressFamily, Refusals) {
    EXPECT_EQ(error_of(decode_address_family(from_hex("03 00 00 00"))),
              ParseError::bad_address_family);
    EXPECT_EQ(error_of(decode_address_family(from_hex("01"))), ParseError::bad_attribute_length);
    // Reserved bits "MUST be ignored by the server".
    EXPECT_EQ(ok(decode_address_family(from_hex("01 ff ff ff"))), Address::Family::v4);
}

}  // namespace
}  // namespace switchboard::turn::stun
