#include "shared/address.hpp"

#include <gtest/gtest.h>

namespace switchboard::shared {
namespace {

IpBytes ip(const char* text) {
    const auto parsed = parse_ip(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(IpBytes{});
}

TEST(ParseIp, Ipv4IsStoredMapped) {
    const IpBytes expected{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    EXPECT_EQ(parse_ip("192.0.2.1"), expected);
    EXPECT_EQ(parse_ip("::ffff:192.0.2.1"), expected);  // the same address, written mapped
    EXPECT_TRUE(is_ipv4_mapped(expected));
    EXPECT_FALSE(is_ipv4_mapped(ip("::1")));
    EXPECT_FALSE(is_ipv4_mapped(ip("::")));
}

TEST(ParseIp, RejectsNamesAndJunk) {
    for (const char* text : {"", "localhost", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4",
                             "1.2.3.4 ", "[::1]", "::1::2", "fe80::1%eth0", "1.2.3.4/32"}) {
        SCOPED_TRACE(text);
        EXPECT_FALSE(parse_ip(text).has_value());
    }
}

TEST(FormatIp, MappedPrintsAsIpv4) {
    EXPECT_EQ(format_ip(ip("10.1.2.3")), "10.1.2.3");
    EXPECT_EQ(format_ip(ip("::ffff:10.1.2.3")), "10.1.2.3");
    EXPECT_EQ(format_ip(ip("2001:0db8:0000:0000:0000:0000:0000:0001")), "2001:db8::1");
    EXPECT_EQ(format_ip(ip("::")), "::");
}

struct EndpointCase {
    const char* text;
    std::optional<Endpoint> expected;
};

TEST(ParseEndpoint, Table) {
    const EndpointCase cases[] = {
        {"127.0.0.1:8080", Endpoint{"127.0.0.1", 8080}},
        {"0.0.0.0:0", Endpoint{"0.0.0.0", 0}},  // port 0 = ephemeral
        {"255.255.255.255:65535", Endpoint{"255.255.255.255", 65535}},
        {"[::1]:3478", Endpoint{"::1", 3478}},
        {"[::]:5349", Endpoint{"::", 5349}},
        {"[::ffff:10.0.0.1]:80", Endpoint{"::ffff:10.0.0.1", 80}},
        {"[2001:db8::1]:443", Endpoint{"2001:db8::1", 443}},
        {"", std::nullopt},
        {"127.0.0.1", std::nullopt},
        {"127.0.0.1:", std::nullopt},
        {":8080", std::nullopt},
        {"127.0.0.1:65536", std::nullopt},
        {"127.0.0.1:99999999", std::nullopt},
        {"127.0.0.1:-1", std::nullopt},
        {"127.0.0.1:+80", std::nullopt},
        {"127.0.0.1:80x", std::nullopt},
        {"127.0.0.1: 80", std::nullopt},
        {"localhost:8080", std::nullopt},  // names are not resolved
        {"::1:3478", std::nullopt},        // IPv6 needs brackets
        {"[::1]3478", std::nullopt},
        {"[::1]:", std::nullopt},
        {"[::1:3478", std::nullopt},
        {"[127.0.0.1]:80", std::nullopt},
        {"[]:80", std::nullopt},
        {"1.2.3.4:80:90", std::nullopt},
    };
    for (const EndpointCase& c : cases) {
        SCOPED_TRACE(c.text);
        EXPECT_EQ(parse_endpoint(c.text), c.expected);
    }
}

TEST(Endpoint, ToStringBracketsIpv6AndRoundTrips) {
    EXPECT_EQ((Endpoint{"127.0.0.1", 8080}).to_string(), "127.0.0.1:8080");
    EXPECT_EQ((Endpoint{"::1", 3478}).to_string(), "[::1]:3478");
    EXPECT_EQ((Endpoint{"0.0.0.0", 0}).to_string(), "0.0.0.0:0");
    for (const char* text : {"10.0.0.1:1", "[fe80::1]:65535", "[::ffff:1.2.3.4]:9"}) {
        EXPECT_EQ(parse_endpoint(text).value_or(Endpoint{}).to_string(), text);
    }
}

struct CidrCase {
    const char* cidr;
    const char* normalized;  // nullptr = the parse must fail
    std::vector<const char*> inside;
    std::vector<const char*> outside;
};

TEST(ParseCidr, Table) {
    const CidrCase cases[] = {
        {"10.0.0.0/8",
         "10.0.0.0/8",
         {"10.0.0.0", "10.255.255.255", "::ffff:10.1.2.3"},
         {"11.0.0.0", "9.255.255.255", "::a00:1"}},
        {"127.0.0.1", "127.0.0.1/32", {"127.0.0.1"}, {"127.0.0.2", "::1"}},
        {"192.168.1.77/24",
         "192.168.1.0/24",
         {"192.168.1.1", "192.168.1.255"},
         {"192.168.2.1"}},  // host bits cleared
        {"172.16.0.0/12", "172.16.0.0/12", {"172.31.255.255"}, {"172.32.0.0", "172.15.255.255"}},
        {"100.64.0.0/10", "100.64.0.0/10", {"100.127.0.1"}, {"100.128.0.1"}},
        {"169.254.0.0/17",
         "169.254.0.0/17",
         {"169.254.127.255"},
         {"169.254.128.0"}},  // prefix not on a byte boundary
        {"0.0.0.0/0",
         "0.0.0.0/0",
         {"1.2.3.4", "255.255.255.255"},
         {"::1", "2001:db8::1"}},  // IPv4 only
        {"::1/128", "::1/128", {"::1"}, {"::2", "127.0.0.1"}},
        {"::1", "::1/128", {"::1"}, {"::"}},
        {"fc00::/7", "fc00::/7", {"fc00::1", "fdff:ffff::1"}, {"fe00::1", "fbff::1"}},
        {"fe80::1/10", "fe80::/10", {"fe80::abcd", "febf::1"}, {"fec0::1"}},
        {"::/0",
         "::/0",
         {"::1", "2001:db8::1", "10.0.0.1"},
         {}},  // everything, mapped IPv4 included
        {"::ffff:10.0.0.0/104", "10.0.0.0/8", {"10.9.9.9"}, {"11.0.0.0"}},
        {"", nullptr, {}, {}},
        {"10.0.0.0/", nullptr, {}, {}},
        {"10.0.0.0/33", nullptr, {}, {}},
        {"10.0.0.0/-1", nullptr, {}, {}},
        {"10.0.0.0/8/8", nullptr, {}, {}},
        {"10.0.0.0/ 8", nullptr, {}, {}},
        {"::/129", nullptr, {}, {}},
        {"10.0.0/8", nullptr, {}, {}},
        {"example.com/8", nullptr, {}, {}},
        {"[::1]/128", nullptr, {}, {}},
        {"/8", nullptr, {}, {}},
    };
    for (const CidrCase& c : cases) {
        SCOPED_TRACE(c.cidr);
        const auto cidr = parse_cidr(c.cidr);
        if (c.normalized == nullptr) {
            EXPECT_FALSE(cidr.has_value());
            continue;
        }
        ASSERT_TRUE(cidr.has_value());
        EXPECT_EQ(cidr->to_string(), c.normalized);
        EXPECT_EQ(parse_cidr(cidr->to_string()), cidr);
        for (const char* address : c.inside) EXPECT_TRUE(cidr->contains(ip(address))) << address;
        for (const char* address : c.outside) EXPECT_FALSE(cidr->contains(ip(address))) << address;
    }
}

TEST(IsLoopback, Ipv4EightAndIpv6OneOnly) {
    for (const char* ip : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"})
        EXPECT_TRUE(is_loopback(*parse_ip(ip))) << ip;
    for (const char* ip : {"128.0.0.1", "10.0.0.1", "::2", "::", "::7f00:1", "0.0.0.0"})
        EXPECT_FALSE(is_loopback(*parse_ip(ip))) << ip;
}

}  // namespace
}  // namespace switchboard::shared
