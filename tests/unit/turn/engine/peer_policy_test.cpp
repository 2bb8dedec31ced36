#include "turn/peer_policy.hpp"

#include <gtest/gtest.h>

namespace switchboard::turn {
namespace {

shared::IpBytes ip(std::string_view text) {
    const auto parsed = shared::parse_ip(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(shared::IpBytes{});
}

TEST(PeerPolicyTest, DefaultListParsesCompletely) {
    EXPECT_EQ(PeerPolicy::default_deny_list().size(), 29u);
}

TEST(PeerPolicyTest, NormalizesIpv6SpellingsOfIpv4) {
    EXPECT_EQ(PeerPolicy::normalize(ip("::ffff:127.0.0.1")), ip("127.0.0.1"));
    EXPECT_EQ(PeerPolicy::normalize(ip("::127.0.0.1")), ip("127.0.0.1"));
    EXPECT_EQ(PeerPolicy::normalize(ip("64:ff9b::7f00:1")), ip("127.0.0.1"));
    EXPECT_EQ(PeerPolicy::normalize(ip("2002:7f00:1::")), ip("127.0.0.1"));
    EXPECT_EQ(PeerPolicy::normalize(ip("2002:a00:1:5::9")), ip("10.0.0.1"));
    EXPECT_EQ(PeerPolicy::normalize(ip("::")), ip("0.0.0.0"));
    EXPECT_EQ(PeerPolicy::normalize(ip("2606:4700::1111")), ip("2606:4700::1111"));
    EXPECT_EQ(PeerPolicy::normalize(ip("64:ff9b:1::1")), ip("64:ff9b:1::1"));
}

TEST(PeerPolicyTest, DefaultDeniesSpecialAndAllowsPublic) {
    const PeerPolicy policy(shared::TurnConfig{});
    for (const char* denied :
         {"127.0.0.1", "10.0.0.1", "169.254.169.254", "::ffff:169.254.169.254",
          "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "::", "::1", "fe80::1", "fd00::1", "ff05::2",
          "224.0.0.251", "0.0.0.0", "2001:db8::5", "2001:0:4136:e378:8000:63bf:3fff:fdd2"}) {
        EXPECT_FALSE(policy.allowed(ip(denied))) << denied;
    }
    for (const char* allowed : {"8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111",
                                "2a00:1450:4001::200e", "64:ff9b::808:808", "2002:808:808::"}) {
        EXPECT_TRUE(policy.allowed(ip(allowed))) << allowed;
    }
}

TEST(PeerPolicyTest, AllowPeersOverridesAllSpellings) {
    shared::TurnConfig config;
    config.allow_peers = {*shared::parse_cidr("127.0.0.1/32")};
    const PeerPolicy policy(config);
    EXPECT_TRUE(policy.allowed(ip("127.0.0.1")));
    EXPECT_TRUE(policy.allowed(ip("::ffff:127.0.0.1")));
    EXPECT_TRUE(policy.allowed(ip("64:ff9b::7f00:1")));
    EXPECT_FALSE(policy.allowed(ip("127.0.0.2")));
}

TEST(PeerPolicyTest, ExplicitDenyListReplacesTheDefault) {
    shared::TurnConfig config;
    config.deny_peers_default = false;
    config.deny_peers = {*shared::parse_cidr("8.8.8.0/24")};
    config.listen_udp = {{"0.0.0.0", 3478}};
    const PeerPolicy policy(config);
    EXPECT_TRUE(policy.allowed(ip("10.0.0.1")));
    EXPECT_FALSE(policy.allowed(ip("8.8.8.8")));
    EXPECT_FALSE(policy.allowed(ip("::ffff:8.8.8.8")));
}

TEST(PeerPolicyTest, OwnAddressesAreDeniedButNotWildcards) {
    shared::TurnConfig config;
    config.deny_peers_default = false;
    config.listen_udp = {{"0.0.0.0", 3478}, {"5.5.5.5", 3478}};
    config.listen_tls = {{"2a01::5", 5349}};
    config.relay_address = "6.6.6.6";
    config.external_address = "7.7.7.7";
    const PeerPolicy policy(config);
    EXPECT_FALSE(policy.allowed(ip("5.5.5.5")));
    EXPECT_FALSE(policy.allowed(ip("2a01::5")));
    EXPECT_FALSE(policy.allowed(ip("6.6.6.6")));
    EXPECT_FALSE(policy.allowed(ip("7.7.7.7")));
    EXPECT_TRUE(policy.allowed(ip("0.0.0.1")));
}

}  // namespace
}  // namespace switchboard::turn
