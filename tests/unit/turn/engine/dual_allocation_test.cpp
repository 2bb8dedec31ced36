// Dual allocation (RFC 8656 section 7.2 step 9, ADDITIONAL-ADDRESS-FAMILY):
// one IPv4 and one IPv6 relay in one allocation, the partial forms
// (ADDRESS-ERROR-CODE 440/508), peers of either family (sections 10.2, 11,
// 12.2), and deleting one family or both (section 8).
#include "engine_fixture.hpp"
#include "turn/stun/channel_data.hpp"
#include "turn/stun/even_port.hpp"

namespace switchboard::turn::test {
namespace {

using Family = stun::Address::Family;

class EngineDualAllocation : public EngineFixture {
protected:
    EngineDualAllocation() {
        // The server has an address of each family to relay from.
        config.turn.listen_udp = {{"192.0.2.1", 3478}, {"2001:4860::1", 3478}};
    }

    static TestClient::Attributes dual() {
        return [](stun::MessageBuilder& b) {
            stun::add_address_family(b, stun::kAttrAdditionalAddressFamily, Family::v6);
        };
    }

    // Every XOR-RELAYED-ADDRESS of a response, in order.
    static std::vector<stun::Address> relayed_addresses(const Message& reply) {
        std::vector<stun::Address> out;
        for (const auto& attribute : reply.view().attributes()) {
            if (attribute.type != stun::kAttrXorRelayedAddress) continue;
            const auto decoded =
                stun::decode_xor_address(attribute.value, reply.view().transaction_id());
            EXPECT_TRUE(std::holds_alternative<stun::Address>(decoded));
            if (const auto* a = std::get_if<stun::Address>(&decoded)) out.push_back(*a);
        }
        return out;
    }

    static std::optional<stun::AddressErrorCodeAttribute> address_error(const Message& reply) {
        const auto* attribute = reply.find(stun::kAttrAddressErrorCode);
        if (attribute == nullptr) return std::nullopt;
        const auto decoded = stun::decode_address_error_code(attribute->value);
        const auto* error = std::get_if<stun::AddressErrorCodeAttribute>(&decoded);
        return error ? std::optional(*error) : std::nullopt;
    }

    // The relay of `family` the engine opened for `client`.
    const FakeSink::Opened& relay(const TestClient& client, Family family) {
        for (const auto& opened : sink.opened) {
            if (opened.client == client.tuple && opened.family == family) return opened;
        }
        ADD_FAILURE() << "no relay of that family";
        static FakeSink::Opened none{};
        return none;
    }

    // A dual allocation for `client`, with both relays checked.
    void allocate_dual(TestClient& client) {
        const auto reply = allocate(client, dual());
        ASSERT_TRUE(reply.is_success()) << reply.error_code();
        ASSERT_EQ(relayed_addresses(reply).size(), 2u);
    }

    Message refresh_family(TestClient& client, std::uint32_t lifetime, Family family) {
        return request(client, stun::Method::refresh, [&](stun::MessageBuilder& b) {
            stun::add_lifetime(b, lifetime);
            stun::add_address_family(b, stun::kAttrRequestedAddressFamily, family);
        });
    }

    static std::vector<std::uint8_t> channel_data(std::uint16_t channel, std::string_view payload) {
        std::vector<std::uint8_t> out;
        EXPECT_TRUE(
            stun::encode_channel_data(channel, bytes_of(payload), out, stun::Framing::datagram));
        return out;
    }

    const stun::Address peer_v6 = addr("[2606:4700::1111]:7000");
};

TEST_F(EngineDualAllocation, SuccessCarriesOneRelayedAddressOfEachFamilyIpv4First) {
    TestClient client = rest_client("alice");
    const auto reply = allocate(client, dual());
    ASSERT_TRUE(reply.is_success()) << reply.error_code();
    ASSERT_EQ(sink.opened.size(), 2u);
    EXPECT_EQ(sink.opened[0].family, Family::v4);
    EXPECT_EQ(sink.opened[1].family, Family::v6);
    EXPECT_NE(sink.opened[0].id, sink.opened[1].id);
    EXPECT_EQ(relayed_addresses(reply),
              (std::vector<stun::Address>{sink.opened[0].address, sink.opened[1].address}));
    EXPECT_FALSE(reply.has(stun::kAttrAddressErrorCode));
    EXPECT_EQ(reply.xor_address(stun::kAttrXorMappedAddress), client.tuple.client);
    EXPECT_TRUE(reply.has(stun::kAttrLifetime));
    // Both addresses are relay-to-relay peers; the quota and the gauge count
    // one allocation.
    EXPECT_TRUE(shared.is_relayed(sink.opened[0].address));
    EXPECT_TRUE(shared.is_relayed(sink.opened[1].address));
    EXPECT_EQ(shared.per_user["alice"], 1);
    EXPECT_EQ(shared.total, 1);
    EXPECT_EQ(engine().allocation_count(), 1u);
    EXPECT_EQ(metrics.gauge("switchboard_turn_allocations", "").value(), 1);
}

TEST_F(EngineDualAllocation, RetransmissionOpensNothingMore) {
    TestClient client = rest_client("alice");
    fetch_nonce(client);
    const auto request = client.request(stun::Method::allocate, udp(dual()));
    const auto first = send(client, request);
    const auto again = send(client, request);
    ASSERT_TRUE(first && again);
    EXPECT_TRUE(first->is_success());
    EXPECT_EQ(first->bytes(), again->bytes());
    EXPECT_EQ(sink.open_calls, 2);
}

TEST_F(EngineDualAllocation, RelayAddressOfOneFamilyAndTheArrivalAddressOfTheOther) {
    config.turn.listen_udp = {{"0.0.0.0", 3478}, {"::", 3478}};  // wildcards: no help
    config.turn.relay_address = "203.0.113.50";
    TestClient client = rest_client("alice");
    client.tuple = tuple("[2001:4860::7]:40000", Transport::udp, "[2001:4860::1]:3478");
    const auto reply = allocate(client, dual());
    ASSERT_TRUE(reply.is_success()) << reply.error_code();
    const auto relayed = relayed_addresses(reply);
    ASSERT_EQ(relayed.size(), 2u);
    EXPECT_EQ(relayed[0].family, Family::v4);
    EXPECT_EQ(relayed[1].family, Family::v6);
}

TEST_F(EngineDualAllocation, NoIpv6AddressKeepsTheIpv4AllocationWithAddressError440) {
    config.turn.listen_udp = {{"0.0.0.0", 3478}};
    TestClient client = rest_client("alice");  // reached us over IPv4
    const auto reply = allocate(client, dual());
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(sink.open_calls, 1);
    const auto relayed = relayed_addresses(reply);
    ASSERT_EQ(relayed.size(), 1u);
    EXPECT_EQ(relayed[0].family, Family::v4);
    const auto error = address_error(reply);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->family, Family::v6);
    EXPECT_EQ(error->code, 440);
    // A plain IPv4 allocation: IPv6 peers are a family mismatch.
    EXPECT_EQ(create_permission(client, {peer_v6}).error_code(), 443);
}

TEST_F(EngineDualAllocation, NoFreeIpv6PortKeepsTheIpv4AllocationWithAddressError508) {
    sink.fail_family = Family::v6;
    TestClient client = rest_client("alice");
    const auto reply = allocate(client, dual());
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(relayed_addresses(reply).size(), 1u);
    const auto error = address_error(reply);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->family, Family::v6);
    EXPECT_EQ(error->code, 508);
    EXPECT_EQ(shared.relayed.size(), 1u);
}

TEST_F(EngineDualAllocation, NoFreeIpv4PortIs508AndOpensNoIpv6) {
    sink.fail_family = Family::v4;
    TestClient client = rest_client("alice");
    EXPECT_EQ(allocate(client, dual()).error_code(), 508);
    EXPECT_TRUE(sink.opened.empty());
    EXPECT_EQ(shared.total, 0);
}

TEST_F(EngineDualAllocation, AdditionalFamilyIpv4Is400) {
    TestClient client = rest_client("alice");
    EXPECT_EQ(allocate(client,
                       [](stun::MessageBuilder& b) {
                           stun::add_address_family(b, stun::kAttrAdditionalAddressFamily,
                                                    Family::v4);
                       })
                  .error_code(),
              400);
    EXPECT_EQ(sink.open_calls, 0);
}

TEST_F(EngineDualAllocation, EvenPortAppliesToBothRelays) {
    sink.next_port = 50001;  // odd first: each relay is reopened until even
    TestClient client = rest_client("alice");
    const auto reply = allocate(client, [](stun::MessageBuilder& b) {
        stun::add_address_family(b, stun::kAttrAdditionalAddressFamily, Family::v6);
        stun::add_even_port(b, {false});
    });
    ASSERT_TRUE(reply.is_success());
    const auto relayed = relayed_addresses(reply);
    ASSERT_EQ(relayed.size(), 2u);
    EXPECT_EQ(relayed[0].port % 2, 0);
    EXPECT_EQ(relayed[1].port % 2, 0);
}

TEST_F(EngineDualAllocation, PermissionsAndChannelsForPeersOfEitherFamily) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    EXPECT_TRUE(create_permission(client, {peer_v6}).is_success());
    EXPECT_TRUE(create_permission(client, {peer_a}).is_success());
    EXPECT_TRUE(create_permission(client, {peer_b, peer_v6}).is_success());
    EXPECT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());
    EXPECT_TRUE(channel_bind(client, 0x4001, peer_v6).is_success());
}

TEST_F(EngineDualAllocation, PeerDataOnEitherRelayReachesTheClient) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    ASSERT_TRUE(create_permission(client, {peer_a, peer_v6}).is_success());
    sink.clear();
    engine().on_peer_packet(relay(client, Family::v4).id, peer_a, bytes_of("over v4"), sink);
    engine().on_peer_packet(relay(client, Family::v6).id, peer_v6, bytes_of("over v6"), sink);
    ASSERT_EQ(sink.to_client.size(), 2u);
    const Message v4(sink.to_client[0].bytes);
    const Message v6(sink.to_client[1].bytes);
    ASSERT_TRUE(v4.parsed() && v6.parsed());
    EXPECT_EQ(v4.method(), stun::Method::data);
    EXPECT_EQ(v4.xor_address(stun::kAttrXorPeerAddress), peer_a);
    EXPECT_EQ(v4.text(stun::kAttrData), "over v4");
    EXPECT_EQ(v6.method(), stun::Method::data);
    EXPECT_EQ(v6.xor_address(stun::kAttrXorPeerAddress), peer_v6);
    EXPECT_EQ(v6.text(stun::kAttrData), "over v6");
    EXPECT_EQ(sink.to_client[1].client, client.tuple);

    // Through channels, as ChannelData.
    ASSERT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4001, peer_v6).is_success());
    sink.clear();
    engine().on_peer_packet(relay(client, Family::v4).id, peer_a, bytes_of("a"), sink);
    engine().on_peer_packet(relay(client, Family::v6).id, peer_v6, bytes_of("b"), sink);
    ASSERT_EQ(sink.to_client.size(), 2u);
    EXPECT_EQ(sink.to_client[0].bytes, (std::vector<std::uint8_t>{0x40, 0x00, 0x00, 0x01, 'a'}));
    EXPECT_EQ(sink.to_client[1].bytes, (std::vector<std::uint8_t>{0x40, 0x01, 0x00, 0x01, 'b'}));
}

TEST_F(EngineDualAllocation, DataToEachFamilyLeavesFromThatFamilysRelay) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    ASSERT_TRUE(create_permission(client, {peer_a, peer_v6}).is_success());
    sink.clear();
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "to v4"), sink);
    engine().on_client_packet(client.tuple, send_indication(client, peer_v6, "to v6"), sink);
    ASSERT_EQ(sink.to_peer.size(), 2u);
    EXPECT_EQ(sink.to_peer[0].id, relay(client, Family::v4).id);
    EXPECT_EQ(sink.to_peer[0].peer, peer_a);
    EXPECT_EQ(sink.to_peer[0].payload, bytes_of("to v4"));
    EXPECT_EQ(sink.to_peer[1].id, relay(client, Family::v6).id);
    EXPECT_EQ(sink.to_peer[1].peer, peer_v6);
    EXPECT_EQ(sink.to_peer[1].payload, bytes_of("to v6"));

    ASSERT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4001, peer_v6).is_success());
    sink.clear();
    engine().on_client_packet(client.tuple, channel_data(0x4001, "c6"), sink);
    engine().on_client_packet(client.tuple, channel_data(0x4000, "c4"), sink);
    ASSERT_EQ(sink.to_peer.size(), 2u);
    EXPECT_EQ(sink.to_peer[0].id, relay(client, Family::v6).id);
    EXPECT_EQ(sink.to_peer[0].peer, peer_v6);
    EXPECT_EQ(sink.to_peer[1].id, relay(client, Family::v4).id);
    EXPECT_EQ(sink.to_peer[1].peer, peer_a);
}

TEST_F(EngineDualAllocation, RefreshLifetimeZeroDeletesBothRelays) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    const AllocationId v4 = relay(client, Family::v4).id;
    const AllocationId v6 = relay(client, Family::v6).id;
    ASSERT_TRUE(refresh(client, 0).is_success());
    EXPECT_EQ(engine().allocation_count(), 0u);
    EXPECT_EQ(sink.closed, (std::vector<AllocationId>{v4, v6}));
    EXPECT_TRUE(shared.relayed.empty());
    EXPECT_EQ(shared.total, 0);
    EXPECT_EQ(metrics.gauge("switchboard_turn_allocations", "").value(), 0);
    sink.clear();
    engine().on_peer_packet(v6, peer_v6, bytes_of("late"), sink);
    EXPECT_TRUE(sink.to_client.empty());
}

TEST_F(EngineDualAllocation, RefreshWithAFamilyAndLifetimeZeroDeletesThatRelayOnly) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    const auto v4 = relay(client, Family::v4);
    const auto v6 = relay(client, Family::v6);
    ASSERT_TRUE(create_permission(client, {peer_a, peer_v6}).is_success());

    const auto reply = refresh_family(client, 0, Family::v6);
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(sink.closed, (std::vector<AllocationId>{v6.id}));
    EXPECT_EQ(engine().allocation_count(), 1u);
    EXPECT_FALSE(shared.is_relayed(v6.address));
    EXPECT_TRUE(shared.is_relayed(v4.address));
    EXPECT_EQ(shared.total, 1);

    // IPv6 is gone: its peers are a mismatch, its traffic goes nowhere.
    EXPECT_EQ(create_permission(client, {peer_v6}).error_code(), 443);
    EXPECT_EQ(refresh_family(client, 600, Family::v6).error_code(), 443);
    sink.clear();
    engine().on_client_packet(client.tuple, send_indication(client, peer_v6, "x"), sink);
    engine().on_peer_packet(v6.id, peer_v6, bytes_of("x"), sink);
    EXPECT_TRUE(sink.to_peer.empty());
    EXPECT_TRUE(sink.to_client.empty());
    // IPv4 still relays.
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "y"), sink);
    engine().on_peer_packet(v4.id, peer_a, bytes_of("y"), sink);
    ASSERT_EQ(sink.to_peer.size(), 1u);
    EXPECT_EQ(sink.to_peer[0].id, v4.id);
    EXPECT_EQ(sink.to_client.size(), 1u);

    // Deleting the last family deletes the allocation.
    ASSERT_TRUE(refresh_family(client, 0, Family::v4).is_success());
    EXPECT_EQ(engine().allocation_count(), 0u);
    EXPECT_EQ(sink.closed, (std::vector<AllocationId>{v6.id, v4.id}));
    EXPECT_TRUE(shared.relayed.empty());
    EXPECT_EQ(shared.total, 0);
}

TEST_F(EngineDualAllocation, DeletingTheIpv4RelayKeepsIpv6Working) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    const auto v4 = relay(client, Family::v4);
    const auto v6 = relay(client, Family::v6);
    ASSERT_TRUE(create_permission(client, {peer_a, peer_v6}).is_success());
    ASSERT_TRUE(refresh_family(client, 0, Family::v4).is_success());
    EXPECT_EQ(sink.closed, (std::vector<AllocationId>{v4.id}));
    sink.clear();
    engine().on_peer_packet(v6.id, peer_v6, bytes_of("still here"), sink);
    ASSERT_EQ(sink.to_client.size(), 1u);
    engine().on_client_packet(client.tuple, send_indication(client, peer_v6, "back"), sink);
    ASSERT_EQ(sink.to_peer.size(), 1u);
    EXPECT_EQ(sink.to_peer[0].id, v6.id);
    EXPECT_TRUE(refresh(client, 600).is_success());
    // Teardown closes what is left, once.
    engine().drop_user("alice", sink);
    EXPECT_EQ(sink.closed, (std::vector<AllocationId>{v4.id, v6.id}));
    EXPECT_TRUE(shared.relayed.empty());
}

TEST_F(EngineDualAllocation, RefreshOfOneFamilyKeepsBoth) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    tick_after(std::chrono::seconds(500));
    const auto reply = refresh_family(client, 600, Family::v6);
    ASSERT_TRUE(reply.is_success());
    tick_after(std::chrono::seconds(500));  // past the first expiry
    EXPECT_EQ(engine().allocation_count(), 1u);
    EXPECT_TRUE(sink.closed.empty());
}

TEST_F(EngineDualAllocation, DropUserClosesBothRelays) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    engine().drop_user("alice", sink);
    EXPECT_EQ(sink.closed, (std::vector<AllocationId>{relay(client, Family::v4).id,
                                                      relay(client, Family::v6).id}));
    EXPECT_TRUE(shared.relayed.empty());
    EXPECT_EQ(shared.total, 0);
    EXPECT_EQ(engine().allocation_count(), 0u);
}

TEST_F(EngineDualAllocation, ExpiryClosesBothRelays) {
    TestClient client = rest_client("alice");
    allocate_dual(client);
    tick_after(std::chrono::seconds(599));
    EXPECT_TRUE(sink.closed.empty());
    tick_after(std::chrono::seconds(2));
    EXPECT_EQ(sink.closed.size(), 2u);
    EXPECT_TRUE(shared.relayed.empty());
    EXPECT_EQ(shared.total, 0);
    EXPECT_EQ(metrics.gauge("switchboard_turn_allocations", "").value(), 0);
}

TEST_F(EngineDualAllocation, DestructorUnregistersBothAddresses) {
    {
        Engine scoped(config, clock, shared, shared, metrics, nonce_key);
        TestClient client = rest_client("alice");
        scoped.on_client_packet(client.tuple, client.request(stun::Method::allocate, udp(), false),
                                sink);
        client.nonce = Message(sink.to_client.back().bytes).text(stun::kAttrNonce);
        scoped.on_client_packet(client.tuple, client.request(stun::Method::allocate, udp(dual())),
                                sink);
        ASSERT_EQ(shared.relayed.size(), 2u);
    }
    EXPECT_TRUE(shared.relayed.empty());
    EXPECT_EQ(shared.total, 0);
}

}  // namespace
}  // namespace switchboard::turn::test
