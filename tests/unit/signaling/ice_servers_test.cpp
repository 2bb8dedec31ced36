#include "signaling/ice_servers.hpp"

#include <gtest/gtest.h>

#include "shared/turn_credentials.hpp"

namespace switchboard::signaling {
namespace {

using Urls = std::vector<std::string>;

shared::Config turn_config(std::string host) {
    shared::Config config;
    config.public_host = std::move(host);
    config.turn.secrets = {"first-secret", "second-secret"};
    config.turn.listen_udp = {{"0.0.0.0", 3478}};
    config.turn.listen_tcp = {{"0.0.0.0", 3479}};
    config.turn.listen_tls = {{"0.0.0.0", 5349}};
    return config;
}

TEST(IceServerFactory, UrlsFromTheListeners) {
    const IceServerFactory ice(turn_config("turn.example.com"));
    EXPECT_EQ(ice.stun_urls(), Urls{"stun:turn.example.com:3478"});
    EXPECT_EQ(ice.turn_urls(), (Urls{"turn:turn.example.com:3478?transport=udp",
                                     "turn:turn.example.com:3479?transport=tcp",
                                     "turns:turn.example.com:5349?transport=tcp"}));
}

TEST(IceServerFactory, DefaultsAdvertiseUdpAndTcpOnLocalhost) {
    shared::Config config;
    config.turn.secrets = {"s"};
    const IceServerFactory ice(config);
    EXPECT_EQ(ice.stun_urls(), Urls{"stun:localhost:3478"});
    EXPECT_EQ(ice.turn_urls(),
              (Urls{"turn:localhost:3478?transport=udp", "turn:localhost:3478?transport=tcp"}));
}

TEST(IceServerFactory, OnlyTheFirstListenerOfEachKindIsAdvertised) {
    auto config = turn_config("h");
    config.turn.listen_udp = {{"0.0.0.0", 1000}, {"0.0.0.0", 1001}};
    const IceServerFactory ice(config);
    EXPECT_EQ(ice.stun_urls(), Urls{"stun:h:1000"});
    EXPECT_EQ(ice.turn_urls().front(), "turn:h:1000?transport=udp");
    EXPECT_EQ(ice.turn_urls().size(), 3u);
}

TEST(IceServerFactory, StunFallsBackToTcpAndTlsOnlyHasNoStun) {
    auto config = turn_config("h");
    config.turn.listen_udp.clear();
    const IceServerFactory tcp(config);
    EXPECT_EQ(tcp.stun_urls(), Urls{"stun:h:3479"});
    EXPECT_EQ(tcp.turn_urls(), (Urls{"turn:h:3479?transport=tcp", "turns:h:5349?transport=tcp"}));

    config.turn.listen_tcp.clear();
    const IceServerFactory tls(config);
    EXPECT_TRUE(tls.stun_urls().empty());
    EXPECT_EQ(tls.turn_urls(), Urls{"turns:h:5349?transport=tcp"});
}

TEST(IceServerFactory, Ipv6HostsAreBracketed) {
    for (const auto& host : {std::string("2001:db8::1"), std::string("[2001:db8::1]")}) {
        const IceServerFactory ice(turn_config(host));
        EXPECT_EQ(ice.stun_urls(), Urls{"stun:[2001:db8::1]:3478"}) << host;
        EXPECT_EQ(ice.turn_urls().front(), "turn:[2001:db8::1]:3478?transport=udp") << host;
    }
    const IceServerFactory v4(turn_config("192.0.2.7"));
    EXPECT_EQ(v4.stun_urls(), Urls{"stun:192.0.2.7:3478"});
}

TEST(IceServerFactory, ReloadSwapsTheMintingSecretAndTtlButKeepsTheUrls) {
    auto config = turn_config("h");
    IceServerFactory ice(config);
    const auto urls = ice.turn_urls();
    auto next = turn_config("other-host");
    next.turn.secrets = {"rotated", "first-secret"};
    next.turn.credential_ttl = std::chrono::minutes(20);
    ice.reload(next);
    EXPECT_EQ(ice.turn_urls(), urls) << "URLs follow the bound ports, not a reload";
    EXPECT_EQ(ice.ttl_seconds(), 1200);
    const auto list = ice.make("alice", 1'764'000'000);
    EXPECT_EQ(list.username, "1764001200:alice");
    EXPECT_EQ(list.credential, shared::turn_password("rotated", "1764001200:alice"));
}

TEST(IceServerFactory, TurnDisabledHasNoUrls) {
    auto config = turn_config("h");
    config.turn.enabled = false;
    const IceServerFactory ice(config);
    EXPECT_TRUE(ice.stun_urls().empty());
    EXPECT_TRUE(ice.turn_urls().empty());
    const auto list = ice.make("alice", 1000);
    EXPECT_TRUE(list.stun_urls.empty());
    EXPECT_TRUE(list.turn_urls.empty());
}

TEST(IceServerFactory, MakeMintsRestCredentialsWithTheFirstSecret) {
    auto config = turn_config("h");
    config.turn.credential_ttl = std::chrono::minutes(10);
    const IceServerFactory ice(config);
    EXPECT_EQ(ice.ttl_seconds(), 600);
    const auto list = ice.make("alice", 1'764'000'000);
    EXPECT_EQ(list.expires_at, 1'764'000'600);
    EXPECT_EQ(list.username, "1764000600:alice");
    EXPECT_EQ(list.credential, shared::turn_password("first-secret", "1764000600:alice"));
    EXPECT_NE(list.credential, shared::turn_password("second-secret", "1764000600:alice"));
    EXPECT_EQ(list.credential.size(), 28u);
    EXPECT_EQ(list.stun_urls, ice.stun_urls());
    EXPECT_EQ(list.turn_urls, ice.turn_urls());
    const auto parsed = shared::parse_turn_username(list.username);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->expires_at, list.expires_at);
    EXPECT_EQ(parsed->user_id, "alice");
}

}  // namespace
}  // namespace switchboard::signaling
