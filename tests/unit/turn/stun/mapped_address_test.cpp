// MAPPED-ADDRESS: exact bytes, round trips and refusals.

#include "turn/stun/mapped_address.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(MappedAddress, EncodesIpv4) {
    const auto bytes = test::build(
        [](MessageBuilder& b) { add_mapped_address(b, *Address::parse("192.0.2.1:32853")); });
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "00 01 00 08 00 01 80 55 c0 00 02 01");
}

TEST(MappedAddress, RoundTrips) {
    for (const char* text : {"192.0.2.1:32853", "0.0.0.0:0", "255.255.255.255:65535",
                             "[2001:db8::1]:3478", "[::]:1", "[::ffff:1.2.3.4]:9"}) {
        const Address address = *Address::parse(text);
        const auto bytes = test::build([&](MessageBuilder& b) { add_mapped_address(b, address); });
        const auto value = test::attribute_value(bytes, kAttrMappedAddress);
        ASSERT_TRUE(value);
        EXPECT_EQ(ok(decode_mapped_address(*value)), address) << text;
    }
}

TEST(MappedAddress, OtherTypesShareTheEncoding) {
    const Address address = *Address::parse("[2001:db8::2]:5349");
    const auto bytes = test::build(
        [&](MessageBuilder& b) { add_mapped_address(b, address, kAttrAlternateServer); });
    const auto value = test::attribute_value(bytes, kAttrAlternateServer);
    ASSERT_TRUE(value);
    EXPECT_EQ(value->size(), 20u);
    EXPECT_EQ(ok(decode_mapped_address(*value)), address);
}

TEST(MappedAddress, ReservedByteIsIgnored) {
    EXPECT_EQ(ok(decode_mapped_address(from_hex("ff 01 00 50 7f 00 00 01"))),
              *Address::parse("127.0.0.1:80"));
}

TEST(MappedAddress, Refusals) {
    EXPECT_EQ(error_of(decode_mapped_address(from_hex(""))), ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_mapped_address(from_hex("00 01 00"))),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_mapped_address(from_hex("00 01 00 50 7f 00 00"))),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_mapped_address(from_hex("00 01 00 50 7f 00 00 01 00 00 00 00"))),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_mapped_address(from_hex("00 02 00 50 7f 00 00 01"))),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_mapped_address(from_hex("00 03 00 50 7f 00 00 01"))),
              ParseError::bad_address_family);
    EXPECT_EQ(error_of(decode_mapped_address(from_hex("00 00 00 50 7f 00 00 01"))),
              ParseError::bad_address_family);
}

}  // namespace
}  // namespace switchboard::turn::stun
