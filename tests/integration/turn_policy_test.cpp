// The peer policy (DESIGN.md rule 6, coturn CVE-2020-26262): TURN never
// relays to loopback, private, CGN, link-local, multicast, reserved or the
// server's own addresses unless allow_peers lists them; IPv6 spellings of an
// IPv4 address are judged as that address; the relayed address of a live
// allocation on this server is always a valid peer (relay-to-relay).
//
// Order of the checks in turn/create_permission_handler.cpp: for each
// XOR-PEER-ADDRESS, the address family is compared with the allocation's
// relayed address FIRST (443 Peer Address Family Mismatch, RFC 8656 section
// 10.2), and only a peer of the right family goes to the policy (403). So on
// an IPv4 allocation every IPv6 form, the IPv4-mapped/compatible/NAT64/6to4
// spellings of 127.0.0.1 included, is refused with 443 before the policy
// sees it; the policy's IPv6 rules are exercised on an IPv6 allocation
// (a listener on [::1]), where each of those forms must get 403.

#include <map>
#include <thread>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"
#include "turn/stun/error_code.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kForbiddenIpv4 = {
    "127.0.0.1",       "0.0.0.0",         "10.1.2.3",  "172.16.0.1",      "192.168.1.1",
    "100.64.0.1",      "169.254.169.254", "224.0.0.1", "255.255.255.255", "240.0.0.1",
    "127.255.255.254", "172.31.255.255",  "192.0.2.1", "198.18.0.1",
};

const std::vector<std::string> kForbiddenIpv6 = {
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",    // IPv4-mapped loopback
    "::127.0.0.1",         // IPv4-compatible loopback (deprecated form)
    "64:ff9b::7f00:1",     // NAT64 of 127.0.0.1
    "2002:7f00:1::",       // 6to4 of 127.0.0.1
    "::ffff:10.0.0.1",     // IPv4-mapped private
    "64:ff9b::a9fe:a9fe",  // NAT64 of 169.254.169.254 (cloud metadata)
    "2002:c0a8:101::",     // 6to4 of 192.168.1.1
};

class TurnPolicyTest : public TurnTest {
protected:
    // An allocation of `user` over UDP on `ip`:`port`; nullptr with a failure.
    std::unique_ptr<TurnClient> allocated(const std::string& user,
                                          const std::string& ip = "127.0.0.1",
                                          std::uint16_t port = 0,
                                          std::optional<stun::Address::Family> family = {}) {
        const auto creds = rest_credentials(user);
        std::string error;
        auto c = TurnClient::connect(Proto::udp, ip, port ? port : udp_port_, creds.username,
                                     creds.password, &error);
        if (!c) {
            ADD_FAILURE() << "connect: " << error;
            return nullptr;
        }
        const auto r = c->allocate({}, family);
        if (!r || !r->success() || !r->xor_relayed) {
            ADD_FAILURE() << "Allocate failed: " << (r ? r->describe() : "no response");
            return nullptr;
        }
        if (!c->integrity_ok()) {
            ADD_FAILURE() << "the Allocate success response's MESSAGE-INTEGRITY does not verify";
            return nullptr;
        }
        relayed_[c.get()] = *r->xor_relayed;
        return c;
    }

    stun::Address relayed(TurnClient& c) { return relayed_.at(&c); }

    std::map<TurnClient*, stun::Address> relayed_;
};

::testing::AssertionResult refused_with(const std::optional<StunResponse>& r, std::uint16_t code,
                                        const std::string& what) {
    if (!r) return ::testing::AssertionFailure() << what << ": no response";
    if (r->cls != stun::MessageClass::error_response || r->error_code != code)
        return ::testing::AssertionFailure()
               << what << ": expected error " << code << ", got " << r->describe();
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult accepted(const std::optional<StunResponse>& r, const std::string& what) {
    if (!r) return ::testing::AssertionFailure() << what << ": no response";
    if (!r->success()) return ::testing::AssertionFailure() << what << ": " << r->describe();
    return ::testing::AssertionSuccess();
}

TEST_F(TurnPolicyTest, ForbiddenIpv4PeersGet403WithoutAllowPeers) {
    ASSERT_TRUE(start_turn({}));
    auto c = allocated("alice");
    ASSERT_TRUE(c);
    std::uint16_t channel = 0x4000;
    for (const auto& ip : kForbiddenIpv4) {
        EXPECT_TRUE(refused_with(c->create_permission({address(ip, 5000)}), stun::kErrorForbidden,
                                 "CreatePermission " + ip));
        EXPECT_TRUE(refused_with(c->channel_bind(channel++, address(ip, 5000)),
                                 stun::kErrorForbidden, "ChannelBind " + ip));
    }
    // Public addresses are fine (nothing is sent to them: a permission
    // alone sends no packet).
    EXPECT_TRUE(
        accepted(c->create_permission({address("8.8.8.8", 53)}), "CreatePermission 8.8.8.8"));
    EXPECT_TRUE(accepted(c->create_permission({address("1.1.1.1", 1), address("9.9.9.9", 2)}),
                         "CreatePermission 1.1.1.1 + 9.9.9.9"));
    EXPECT_TRUE(accepted(c->channel_bind(0x4FFF, address("8.8.4.4", 3478)), "ChannelBind 8.8.4.4"));
    // All or nothing: one forbidden peer refuses the whole request.
    EXPECT_TRUE(refused_with(c->create_permission({address("8.8.8.8", 1), address("10.1.2.3", 1)}),
                             stun::kErrorForbidden, "CreatePermission 8.8.8.8 + 10.1.2.3"));
    EXPECT_TRUE(c->integrity_ok()) << "a response's MESSAGE-INTEGRITY does not verify";

    // Every refusal was counted.
    const auto metrics = http_get(server_->port(), "/metrics");
    const auto forbidden =
        metric_value(metrics.body, "switchboard_turn_errors_total", R"(code="403")");
    ASSERT_TRUE(forbidden) << metrics.body;
    EXPECT_GE(*forbidden, 2.0 * static_cast<double>(kForbiddenIpv4.size()) + 1) << metrics.body;
}

TEST_F(TurnPolicyTest, Ipv6PeersOnAnIpv4AllocationGet443BeforeThePolicy) {
    ASSERT_TRUE(start_turn({}));
    auto c = allocated("alice");
    ASSERT_TRUE(c);
    ASSERT_EQ(relayed(*c).family, stun::Address::Family::v4);
    for (const auto& ip : kForbiddenIpv6) {
        // The family check comes first (create_permission_handler.cpp): 443.
        EXPECT_TRUE(refused_with(c->create_permission({address(ip, 5000)}),
                                 stun::kErrorPeerAddressFamilyMismatch,
                                 "CreatePermission [" + ip + "]"));
        EXPECT_TRUE(refused_with(c->channel_bind(0x4001, address(ip, 5000)),
                                 stun::kErrorPeerAddressFamilyMismatch,
                                 "ChannelBind [" + ip + "]"));
    }
    // Also for a public IPv6 address: the family alone decides.
    EXPECT_TRUE(refused_with(c->create_permission({address("2001:4860:4860::8888", 53)}),
                             stun::kErrorPeerAddressFamilyMismatch,
                             "CreatePermission [2001:4860:4860::8888]"));
}

TEST_F(TurnPolicyTest, ForbiddenIpv6FormsGet403OnAnIpv6Allocation) {
    {
        std::string error;
        if (!StunSocket::connect(Proto::udp, "::1", 9, &error))
            GTEST_SKIP() << "no IPv6 loopback: " << error;
    }
    TurnServerSpec spec;
    spec.udp6 = true;
    ASSERT_TRUE(start_turn(spec));
    auto c = allocated("alice", "::1", udp6_port_, stun::Address::Family::v6);
    ASSERT_TRUE(c);
    ASSERT_EQ(relayed(*c).family, stun::Address::Family::v6) << relayed(*c).to_string();
    std::uint16_t channel = 0x4000;
    for (const auto& ip : kForbiddenIpv6) {
        EXPECT_TRUE(refused_with(c->create_permission({address(ip, 5000)}), stun::kErrorForbidden,
                                 "CreatePermission [" + ip + "]"));
        EXPECT_TRUE(refused_with(c->channel_bind(channel++, address(ip, 5000)),
                                 stun::kErrorForbidden, "ChannelBind [" + ip + "]"));
    }
    // Public IPv6, and IPv6 spellings of a public IPv4 address, are fine.
    for (const std::string ip :
         {"2001:4860:4860::8888", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::"}) {
        EXPECT_TRUE(
            accepted(c->create_permission({address(ip, 53)}), "CreatePermission [" + ip + "]"));
    }
    // IPv4 peers on an IPv6 allocation: family mismatch.
    EXPECT_TRUE(refused_with(c->create_permission({address("8.8.8.8", 53)}),
                             stun::kErrorPeerAddressFamilyMismatch,
                             "CreatePermission 8.8.8.8 on an IPv6 allocation"));
    EXPECT_TRUE(c->integrity_ok());
}

TEST_F(TurnPolicyTest, AllowPeersAdmitsLoopbackAndDataFlows) {
    TurnServerSpec spec;
    spec.allow_peers = R"(["127.0.0.1/32"])";
    ASSERT_TRUE(start_turn(spec));
    auto c = allocated("alice");
    ASSERT_TRUE(c);
    UdpPeer peer;
    ASSERT_TRUE(peer.ok());
    const auto peer_address = peer.local_address();
    ASSERT_TRUE(accepted(c->create_permission({peer_address}), "CreatePermission 127.0.0.1"));
    // The /32 admits exactly that address; the rest of 127/8 stays denied.
    EXPECT_TRUE(refused_with(c->create_permission({address("127.0.0.2", 1)}), stun::kErrorForbidden,
                             "CreatePermission 127.0.0.2"));
    EXPECT_TRUE(refused_with(c->create_permission({address("10.0.0.1", 1)}), stun::kErrorForbidden,
                             "CreatePermission 10.0.0.1"));

    // Client -> peer (Send indication) ...
    ASSERT_TRUE(c->send_indication(peer_address, to_bytes("ping")));
    const auto got = peer.receive(3s);
    ASSERT_TRUE(got) << "the peer received nothing through the relay";
    EXPECT_EQ(got->first, to_bytes("ping"));
    EXPECT_EQ(got->second, relayed(*c)) << "the datagram did not come from the relayed address";
    // ... and peer -> client (Data indication).
    ASSERT_TRUE(peer.send_to(relayed(*c), to_bytes("pong")));
    const auto back = c->receive_data(3s);
    ASSERT_TRUE(back) << "no Data indication";
    EXPECT_FALSE(back->channel_data);
    ASSERT_TRUE(back->peer);
    EXPECT_EQ(*back->peer, peer_address);
    EXPECT_EQ(back->payload, to_bytes("pong"));
}

TEST_F(TurnPolicyTest, RelayToRelayIsAllowedWithoutAllowPeers) {
    ASSERT_TRUE(start_turn({}));
    auto a = allocated("alice");
    auto b = allocated("bob");
    ASSERT_TRUE(a && b);
    const auto ra = relayed(*a);
    const auto rb = relayed(*b);
    ASSERT_EQ(ra.ip_string(), "127.0.0.1");
    ASSERT_EQ(rb.ip_string(), "127.0.0.1");
    // Loopback in general is refused ...
    EXPECT_TRUE(refused_with(a->create_permission({address("127.0.0.1", 9)}), stun::kErrorForbidden,
                             "CreatePermission 127.0.0.1:9"));
    // ... the other allocation's relayed address is not.
    ASSERT_TRUE(accepted(a->create_permission({rb}), "A: CreatePermission " + rb.to_string()));
    ASSERT_TRUE(accepted(b->create_permission({ra}), "B: CreatePermission " + ra.to_string()));

    // A Send indication from A reaches B as a Data indication from A's relay.
    ASSERT_TRUE(a->send_indication(rb, to_bytes("relay-to-relay")));
    auto got = b->receive_data(3s);
    ASSERT_TRUE(got) << "B received nothing";
    ASSERT_TRUE(got->peer);
    EXPECT_EQ(*got->peer, ra);
    EXPECT_EQ(got->payload, to_bytes("relay-to-relay"));

    // Channels too, both ways.
    ASSERT_TRUE(accepted(a->channel_bind(0x4001, rb), "A: ChannelBind"));
    ASSERT_TRUE(accepted(b->channel_bind(0x4002, ra), "B: ChannelBind"));
    ASSERT_TRUE(a->send_channel_data(0x4001, to_bytes("over a channel")));
    got = b->receive_data(3s);
    ASSERT_TRUE(got) << "B received nothing on its channel";
    EXPECT_TRUE(got->channel_data);
    EXPECT_EQ(got->channel, 0x4002);
    EXPECT_EQ(got->payload, to_bytes("over a channel"));
    ASSERT_TRUE(b->send_channel_data(0x4002, to_bytes("and back")));
    got = a->receive_data(3s);
    ASSERT_TRUE(got) << "A received nothing on its channel";
    EXPECT_EQ(got->channel, 0x4001);
    EXPECT_EQ(got->payload, to_bytes("and back"));

    // The exception holds for the relayed address (IP and port), not for
    // every port of the relay IP: A's permission for 127.0.0.1 does not let
    // it send to a local service on another port.
    UdpPeer local_service;
    ASSERT_TRUE(local_service.ok());
    ASSERT_TRUE(a->send_indication(local_service.local_address(), to_bytes("probe")));
    bool dropped = false;
    for (int i = 0; i < 60 && !dropped; ++i) {
        const auto m = http_get(server_->port(), "/metrics");
        dropped =
            metric_value(m.body, "switchboard_turn_dropped_total", R"(reason="forbidden_peer")")
                .value_or(0) >= 1;
        if (!dropped) std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(dropped) << "no forbidden_peer drop counted";
    EXPECT_FALSE(local_service.receive(200ms))
        << "a Send indication reached a local non-relay port";

    // Once B's allocation is gone, its address is an ordinary loopback one.
    const auto deleted = b->refresh(0);
    ASSERT_TRUE(accepted(deleted, "B: Refresh lifetime 0"));
    EXPECT_TRUE(refused_with(a->create_permission({rb}), stun::kErrorForbidden,
                             "A: CreatePermission of the deleted relay " + rb.to_string()));
    EXPECT_TRUE(a->integrity_ok() && b->integrity_ok());
}

// Regression (was a bug): the relay-to-relay exception is checked per
// packet towards the peer (client_data_handler.cpp relay_to_peer) but not
// from it: turn/peer_data_handler.cpp admits a datagram on the IP
// permission alone, so once A has a permission for B's relayed address
// (loopback / the server's own IP, policy says no), any other port on that
// IP, e.g. a local service, can send datagrams to A's client.
TEST_F(TurnPolicyTest, RelayPermissionAdmitsOnlyTheRelayNotOtherPortsOfItsIp) {
    ASSERT_TRUE(start_turn({}));
    auto a = allocated("alice");
    auto b = allocated("bob");
    ASSERT_TRUE(a && b);
    const auto ra = relayed(*a);
    const auto rb = relayed(*b);
    ASSERT_TRUE(accepted(a->create_permission({rb}), "A: CreatePermission " + rb.to_string()));
    ASSERT_TRUE(accepted(b->create_permission({ra}), "B: CreatePermission " + ra.to_string()));
    UdpPeer local_service;
    ASSERT_TRUE(local_service.ok());
    ASSERT_TRUE(local_service.send_to(ra, to_bytes("from a local service")));
    // B's datagram is the barrier: whatever A gets first arrived first.
    ASSERT_TRUE(b->send_indication(ra, to_bytes("from the relay")));
    const auto got = a->receive_data(3s);
    ASSERT_TRUE(got && got->peer);
    EXPECT_EQ(*got->peer, rb) << "A received a datagram from " << got->peer->to_string()
                              << ", a non-relay port of the relay IP";
}

}  // namespace
}  // namespace sbtest::turnit
