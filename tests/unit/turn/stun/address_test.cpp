// Address: construction, text forms, equality and hashing.

#include "turn/stun/address.hpp"

#include "shared/address.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace switchboard::turn::stun {
namespace {

TEST(Address, FromIpv4IsStoredMapped) {
    const Address address = Address::from_ipv4({192, 0, 2, 1}, 3478);
    EXPECT_EQ(address.family, Address::Family::v4);
    EXPECT_EQ(address.ipv4(), (std::array<std::uint8_t, 4>{192, 0, 2, 1}));
    // The same 16 bytes as shared::parse_ip, so peer policy CIDRs apply as is.
    EXPECT_EQ(address.bytes, *shared::parse_ip("192.0.2.1"));
    EXPECT_EQ(address.to_string(), "192.0.2.1:3478");
}

TEST(Address, DefaultIsIpv4Any) {
    EXPECT_EQ(Address{}, Address::from_ipv4({0, 0, 0, 0}, 0));
    EXPECT_EQ(Address{}.to_string(), "0.0.0.0:0");
}

TEST(Address, FromIpv6) {
    const auto address = Address::from_ip("2001:DB8::0:1", 443);
    ASSERT_TRUE(address);
    EXPECT_EQ(address->family, Address::Family::v6);
    EXPECT_EQ(address->ip_string(), "2001:db8::1");
    EXPECT_EQ(address->to_string(), "[2001:db8::1]:443");
    EXPECT_EQ(*address, Address::from_ipv6(address->bytes, 443));
}

TEST(Address, MappedIpv6TextStaysIpv6) {
    const auto mapped = Address::from_ip("::ffff:192.0.2.1", 1);
    ASSERT_TRUE(mapped);
    EXPECT_EQ(mapped->family, Address::Family::v6);
    EXPECT_EQ(mapped->bytes, Address::from_ipv4({192, 0, 2, 1}, 1).bytes);
    EXPECT_NE(*mapped, Address::from_ipv4({192, 0, 2, 1}, 1));  // family differs
    EXPECT_EQ(mapped->to_string(), "[::ffff:192.0.2.1]:1");
}

TEST(Address, Parse) {
    EXPECT_EQ(Address::parse("203.0.113.7:65535"), Address::from_ipv4({203, 0, 113, 7}, 65535));
    EXPECT_EQ(Address::parse("[::1]:0")->to_string(), "[::1]:0");
    for (const char* bad : {"", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:1x",
                            "::1:3478", "[::1]", "[::1]:", "[1.2.3.4]:1", "example.org:3478",
                            "1.2.3:4", "[::1]:3478 ", " 1.2.3.4:1", "1.2.3.4:+1"}) {
        EXPECT_FALSE(Address::parse(bad)) << bad;
    }
}

TEST(Address, FromIpRefusesNonLiterals) {
    for (const char* bad : {"", "localhost", "1.2.3.4.5", "256.1.1.1", "::g", "fe80::1%eth0"}) {
        EXPECT_FALSE(Address::from_ip(bad, 1)) << bad;
    }
    EXPECT_FALSE(Address::from_ip(std::string(200, '1'), 1));
    // An embedded NUL must not let inet_pton see only the part before it.
    EXPECT_FALSE(Address::from_ip(std::string_view("1.2.3.4\0", 8), 1));
    EXPECT_FALSE(Address::parse(std::string_view("1.2.3.4\0:1", 10)));
}

TEST(Address, EqualityAndHash) {
    std::unordered_set<Address> set;
    set.insert(Address::from_ipv4({10, 0, 0, 1}, 1000));
    set.insert(Address::from_ipv4({10, 0, 0, 1}, 1000));
    set.insert(Address::from_ipv4({10, 0, 0, 1}, 1001));
    set.insert(Address::from_ipv4({10, 0, 0, 2}, 1000));
    set.insert(*Address::from_ip("::ffff:10.0.0.1", 1000));
    EXPECT_EQ(set.size(), 4u);
    EXPECT_EQ(AddressHash{}(Address::from_ipv4({10, 0, 0, 1}, 1000)),
              std::hash<Address>{}(Address::from_ipv4({10, 0, 0, 1}, 1000)));
}

}  // namespace
}  // namespace switchboard::turn::stun
