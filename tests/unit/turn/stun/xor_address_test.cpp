// XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS.

#include "turn/stun/xor_address.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

#include <random>

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(XorAddress, Rfc5769Values) {
    const TransactionId id = test::rfc5769_transaction_id();
    EXPECT_EQ(ok(decode_xor_address(from_hex("00 01 a1 47 e1 12 a6 43"), id)),
              *Address::parse("192.0.2.1:32853"));
    EXPECT_EQ(ok(decode_xor_address(
                  from_hex("00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9"), id)),
              *Address::parse("[2001:db8:1234:5678:11:2233:4455:6677]:32853"));
}

TEST(XorAddress, Ipv4DoesNotDependOnTheTransactionId) {
    const Address address = *Address::parse("192.0.2.1:32853");
    const Address a = xor_address(address, test::rfc5769_transaction_id());
    const Address b = xor_address(address, TransactionId{});
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.port, 32853 ^ 0x2112);
}

TEST(XorAddress, RoundTripsForEveryTypeAndFamily) {
    std::mt19937 rng(5769);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 200; ++i) {
        TransactionId id;
        for (auto& b : id.bytes) b = static_cast<std::uint8_t>(byte(rng));
        std::array<std::uint8_t, 16> ip{};
        for (auto& b : ip) b = static_cast<std::uint8_t>(byte(rng));
        const auto port = static_cast<std::uint16_t>(byte(rng) * 256 + byte(rng));
        const Address address = i % 2 == 0 ? Address::from_ipv4({ip[0], ip[1], ip[2], ip[3]}, port)
                                           : Address::from_ipv6(ip, port);
        EXPECT_EQ(xor_address(xor_address(address, id), id), address);
        for (const std::uint16_t type :
             {kAttrXorMappedAddress, kAttrXorPeerAddress, kAttrXorRelayedAddress}) {
            MessageBuilder builder(Method::create_permission, MessageClass::request, id);
            add_xor_address(builder, type, address);
            ASSERT_TRUE(builder.ok());
            const auto parsed = ok(parse_message(builder.bytes()));
            ASSERT_TRUE(parsed);
            const Attribute* attribute = parsed->find(type);
            ASSERT_NE(attribute, nullptr);
            EXPECT_EQ(attribute->value.size(), i % 2 == 0 ? 8u : 20u);
            EXPECT_EQ(ok(decode_xor_address(attribute->value, parsed->transaction_id())), address);
        }
    }
}

TEST(XorAddress, TheWireValueIsObfuscated) {
    // The point of XOR: the address must not appear in clear (ALGs rewrite it).
    const Address address = *Address::parse("10.1.2.3:5000");
    const auto bytes =
        test::build([&](MessageBuilder& b) { add_xor_address(b, kAttrXorPeerAddress, address); });
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "00 12 00 08 00 01 32 9a 2b 13 a6 41");
}

TEST(XorAddress, Refusals) {
    const TransactionId id = test::rfc5769_transaction_id();
    EXPECT_EQ(error_of(decode_xor_address(from_hex("00 01 a1"), id)),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_xor_address(from_hex("00 01 a1 47 e1 12 a6"), id)),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_xor_address(from_hex("00 02 a1 47 e1 12 a6 43"), id)),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_xor_address(from_hex("00 04 a1 47 e1 12 a6 43"), id)),
              ParseError::bad_address_family);
}

}  // namespace
}  // namespace switchboard::turn::stun
