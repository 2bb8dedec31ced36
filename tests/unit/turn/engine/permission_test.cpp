// CreatePermission (RFC 8656 section 10.2) and the peer policy as the
// Engine applies it: every forbidden form gets 403, allow_peers overrides,
// relayed addresses of this server are always valid peers.
#include "engine_fixture.hpp"

namespace switchboard::turn::test {
namespace {

class EnginePermission : public EngineFixture {};

TEST_F(EnginePermission, InstallsSeveralPeersAtOnce) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(create_permission(client, {peer_a, peer_b}).is_success());
    sink.clear();
    peer_sends(client, addr("8.8.8.8:1"), "a");  // the port is ignored
    peer_sends(client, peer_b, "b");
    EXPECT_EQ(sink.to_client.size(), 2u);
    EXPECT_EQ(dropped("no_permission"), 0u);
}

TEST_F(EnginePermission, WithoutPeerAddressIs400) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    EXPECT_EQ(create_permission(client, {}).error_code(), 400);
    EXPECT_EQ(
        request(client, stun::Method::create_permission,
                [](stun::MessageBuilder& b) { b.add(stun::kAttrXorPeerAddress, bytes_of("bad")); })
            .error_code(),
        400);
}

TEST_F(EnginePermission, FamilyMismatchIs443) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    EXPECT_EQ(create_permission(client, {addr("[2606:4700::1111]:5000")}).error_code(), 443);
}

TEST_F(EnginePermission, OneForbiddenPeerRefusesAllAtomically) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    EXPECT_EQ(create_permission(client, {peer_a, addr("127.0.0.1:5000"), peer_b}).error_code(),
              403);
    sink.clear();
    peer_sends(client, peer_a, "x");
    peer_sends(client, peer_b, "x");
    EXPECT_EQ(dropped("no_permission"), 2u);
    EXPECT_TRUE(sink.to_client.empty());
}

struct ForbiddenCase {
    const char* peer;
    bool ipv6;
};

class EngineForbiddenPeer : public EngineFixture,
                            public ::testing::WithParamInterface<ForbiddenCase> {};

TEST_P(EngineForbiddenPeer, CreatePermissionAndChannelBindAre403) {
    const auto& param = GetParam();
    TestClient client = rest_client("alice");
    if (param.ipv6) {
        client.tuple = tuple("[2001:4860::7]:40000", Transport::udp, "[2001:4860::1]:3478");
        ASSERT_TRUE(allocate(client, [](stun::MessageBuilder& b) {
                        stun::add_address_family(b, stun::kAttrRequestedAddressFamily,
                                                 stun::Address::Family::v6);
                    }).is_success());
    } else {
        ASSERT_TRUE(allocate(client).is_success());
    }
    const auto peer = addr(param.peer);
    EXPECT_EQ(create_permission(client, {peer}).error_code(), 403) << param.peer;
    EXPECT_EQ(channel_bind(client, 0x4000, peer).error_code(), 403) << param.peer;
    // And a Send indication to it goes nowhere.
    engine().on_client_packet(client.tuple, send_indication(client, peer, "x"), sink);
    EXPECT_TRUE(sink.to_peer.empty());
}

INSTANTIATE_TEST_SUITE_P(
    DefaultDenyList, EngineForbiddenPeer,
    ::testing::Values(
        ForbiddenCase{"0.0.0.0:5000", false}, ForbiddenCase{"0.1.2.3:5000", false},
        ForbiddenCase{"10.1.2.3:5000", false}, ForbiddenCase{"100.64.0.1:5000", false},
        ForbiddenCase{"100.127.255.254:5000", false}, ForbiddenCase{"127.0.0.1:5000", false},
        ForbiddenCase{"127.255.0.1:5000", false}, ForbiddenCase{"169.254.169.254:80", false},
        ForbiddenCase{"169.254.1.1:5000", false}, ForbiddenCase{"172.16.0.1:5000", false},
        ForbiddenCase{"172.31.255.255:5000", false}, ForbiddenCase{"192.0.0.8:5000", false},
        ForbiddenCase{"192.0.2.55:5000", false}, ForbiddenCase{"192.168.1.1:5000", false},
        ForbiddenCase{"198.18.0.1:5000", false}, ForbiddenCase{"198.19.255.1:5000", false},
        ForbiddenCase{"198.51.100.1:5000", false}, ForbiddenCase{"203.0.113.9:5000", false},
        ForbiddenCase{"224.0.0.1:5000", false}, ForbiddenCase{"239.255.255.250:1900", false},
        ForbiddenCase{"240.0.0.1:5000", false}, ForbiddenCase{"255.255.255.255:5000", false},
        // IPv6 and the IPv6 spellings of forbidden IPv4 addresses.
        ForbiddenCase{"[::ffff:127.0.0.1]:5000", true}, ForbiddenCase{"[::127.0.0.1]:5000", true},
        ForbiddenCase{"[64:ff9b::7f00:1]:5000", true},
        ForbiddenCase{"[64:ff9b::a9fe:a9fe]:80", true}, ForbiddenCase{"[2002:7f00:1::]:5000", true},
        ForbiddenCase{"[2002:c0a8:101::1]:5000", true}, ForbiddenCase{"[::]:5000", true},
        ForbiddenCase{"[::1]:5000", true}, ForbiddenCase{"[fc00::1]:5000", true},
        ForbiddenCase{"[fd12:3456::1]:5000", true}, ForbiddenCase{"[fe80::1]:5000", true},
        ForbiddenCase{"[ff02::1]:5000", true}, ForbiddenCase{"[2001:db8::1]:5000", true},
        ForbiddenCase{"[64:ff9b:1::1]:5000", true}, ForbiddenCase{"[100::1]:5000", true},
        // The address the request arrived on (ours).
        ForbiddenCase{"[2001:4860::1]:3478", true}));

TEST_F(EnginePermission, OwnConfiguredAddressesAreForbidden) {
    config.turn.listen_udp = {{"9.9.9.9", 3478}};
    config.turn.relay_address = "";
    config.turn.external_address = "4.4.4.4";
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    EXPECT_EQ(create_permission(client, {addr("9.9.9.9:3478")}).error_code(), 403);
    EXPECT_EQ(create_permission(client, {addr("4.4.4.4:1")}).error_code(), 403);
    EXPECT_EQ(create_permission(client, {addr("192.0.2.1:1")}).error_code(), 403);  // arrival
}

TEST_F(EnginePermission, InterfaceAddressesAddedByTheIoLayerAreForbidden) {
    // Listening on 0.0.0.0, the config names none of our addresses; the io
    // layer hands the engine the interface addresses instead.
    config.turn.listen_udp = {{"0.0.0.0", 3478}};
    TestClient client = rest_client("alice");
    const stun::Address own[] = {addr("9.9.9.10:0"), addr("[2001:4860::10]:0")};
    engine().add_own_addresses(own);
    ASSERT_TRUE(allocate(client).is_success());
    EXPECT_EQ(create_permission(client, {addr("9.9.9.10:1")}).error_code(), 403);
    EXPECT_TRUE(create_permission(client, {addr("9.9.9.11:1")}).is_success());
}

TEST_F(EnginePermission, AllowPeersOverridesTheDenyList) {
    config.turn.allow_peers = {*shared::parse_cidr("127.0.0.1/32")};
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    EXPECT_TRUE(create_permission(client, {addr("127.0.0.1:5000")}).is_success());
    EXPECT_EQ(create_permission(client, {addr("127.0.0.2:5000")}).error_code(), 403);
    engine().on_client_packet(client.tuple, send_indication(client, addr("127.0.0.1:5000"), "hi"),
                              sink);
    ASSERT_EQ(sink.to_peer.size(), 1u);
    EXPECT_EQ(sink.to_peer[0].peer, addr("127.0.0.1:5000"));
}

TEST_F(EnginePermission, RelayedAddressOfThisServerIsAValidPeer) {
    // Two relay-only clients on one server: each one's relayed address
    // (203.0.113.50, a documentation range the policy denies) is a peer.
    TestClient alice = rest_client("alice", 40000);
    TestClient bob = rest_client("bob", 40001);
    ASSERT_TRUE(allocate(alice).is_success());
    ASSERT_TRUE(allocate(bob).is_success());
    const stun::Address bob_relay = relay_of(bob).address;
    EXPECT_TRUE(create_permission(alice, {bob_relay}).is_success());
    EXPECT_TRUE(channel_bind(alice, 0x4000, bob_relay).is_success());
    engine().on_client_packet(alice.tuple, send_indication(alice, bob_relay, "hi bob"), sink);
    ASSERT_EQ(sink.to_peer.size(), 1u);
    EXPECT_EQ(sink.to_peer[0].peer, bob_relay);
    // Only that relayed address: another port of the relay IP stays
    // forbidden even though the permission (per IP) exists.
    stun::Address other_port = bob_relay;
    other_port.port = 3478;
    engine().on_client_packet(alice.tuple, send_indication(alice, other_port, "no"), sink);
    EXPECT_EQ(sink.to_peer.size(), 1u);
    EXPECT_EQ(dropped("forbidden_peer"), 1u);
    // Once bob's allocation is gone, so is the exception.
    ASSERT_TRUE(refresh(bob, 0).is_success());
    EXPECT_EQ(create_permission(alice, {bob_relay}).error_code(), 403);
}

TEST_F(EnginePermission, PublicPeersOfBothFamiliesAreAllowed) {
    TestClient v4 = rest_client("alice", 40000);
    ASSERT_TRUE(allocate(v4).is_success());
    EXPECT_TRUE(create_permission(v4, {addr("8.8.8.8:1"), addr("93.184.216.34:2")}).is_success());
    TestClient v6 = rest_client("alice", 40001);
    v6.tuple = tuple("[2001:4860::7]:40000", Transport::udp, "[2001:4860::1]:3478");
    ASSERT_TRUE(allocate(v6, [](stun::MessageBuilder& b) {
                    stun::add_address_family(b, stun::kAttrRequestedAddressFamily,
                                             stun::Address::Family::v6);
                }).is_success());
    EXPECT_TRUE(create_permission(v6, {addr("[2606:4700::1111]:1"), addr("[2002:808:808::1]:2")})
                    .is_success());
}

}  // namespace
}  // namespace switchboard::turn::test
