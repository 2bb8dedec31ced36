// Allocate (RFC 8656 section 7.2): every numbered check, the success
// response, retransmissions, quotas and draining.
#include "engine_fixture.hpp"
#include "turn/stun/dont_fragment.hpp"
#include "turn/stun/even_port.hpp"
#include "turn/stun/reservation_token.hpp"

namespace switchboard::turn::test {
namespace {

// The RESERVATION-TOKEN of an Allocate response.
stun::ReservationToken token_of(const Message& reply) {
    return std::get<stun::ReservationToken>(
        stun::decode_reservation_token(reply.find(stun::kAttrReservationToken)->value));
}

class EngineAllocate : public EngineFixture {};

TEST_F(EngineAllocate, SuccessCarriesRelayedLifetimeAndMappedAddress) {
    TestClient client = rest_client("alice");
    const auto reply = allocate(client);
    ASSERT_TRUE(reply.is_success());
    ASSERT_EQ(sink.opened.size(), 1u);
    EXPECT_EQ(sink.opened[0].family, stun::Address::Family::v4);
    EXPECT_EQ(sink.opened[0].client, client.tuple);
    EXPECT_EQ(reply.xor_address(stun::kAttrXorRelayedAddress), sink.opened[0].address);
    EXPECT_EQ(reply.xor_address(stun::kAttrXorMappedAddress), client.tuple.client);
    EXPECT_EQ(
        std::get<std::uint32_t>(stun::decode_lifetime(reply.find(stun::kAttrLifetime)->value)),
        600u);
    EXPECT_TRUE(shared.is_relayed(sink.opened[0].address));
    EXPECT_EQ(shared.per_user["alice"], 1);
    EXPECT_EQ(engine().allocation_count(), 1u);
    EXPECT_EQ(metrics.gauge("switchboard_turn_allocations", "").value(), 1);
    EXPECT_EQ(metrics.counter("switchboard_turn_allocations_total", "").value(), 1u);
}

TEST_F(EngineAllocate, RetransmissionGetsIdenticalBytesAndNoSecondRelay) {
    TestClient client = rest_client("alice");
    fetch_nonce(client);
    const auto request = client.request(stun::Method::allocate, udp());
    const auto first = send(client, request);
    clock.advance(std::chrono::seconds(2));
    const auto again = send(client, request);
    ASSERT_TRUE(first && again);
    EXPECT_TRUE(first->is_success());
    EXPECT_EQ(first->bytes(), again->bytes());
    EXPECT_EQ(sink.open_calls, 1);
    EXPECT_EQ(shared.per_user["alice"], 1);
}

TEST_F(EngineAllocate, NewTransactionOnAnAllocatedFiveTupleIs437) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    EXPECT_EQ(allocate(client).error_code(), 437);
    EXPECT_EQ(sink.open_calls, 1);
}

TEST_F(EngineAllocate, RequestedTransportMissingIs400AndNotUdpIs442) {
    TestClient client = rest_client("alice");
    EXPECT_EQ(request(client, stun::Method::allocate).error_code(), 400);
    EXPECT_EQ(request(client, stun::Method::allocate,
                      [](stun::MessageBuilder& b) {
                          stun::add_requested_transport(b, stun::kProtocolTcp);
                      })
                  .error_code(),
              442);
    EXPECT_EQ(request(client, stun::Method::allocate,
                      [](stun::MessageBuilder& b) {
                          b.add(stun::kAttrRequestedTransport, bytes_of("\x11"));  // 1 byte
                      })
                  .error_code(),
              400);
    EXPECT_EQ(sink.open_calls, 0);
}

TEST_F(EngineAllocate, DontFragmentIsAccepted) {
    TestClient client = rest_client("alice");
    EXPECT_TRUE(
        allocate(client, [](stun::MessageBuilder& b) { stun::add_dont_fragment(b); }).is_success());
}

TEST_F(EngineAllocate, UnknownReservationTokenIs508AndWithEvenPortOrFamily400) {
    TestClient client = rest_client("alice");
    const stun::ReservationToken token{1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(
        allocate(client, [&](stun::MessageBuilder& b) { stun::add_reservation_token(b, token); })
            .error_code(),
        508);
    EXPECT_EQ(allocate(client,
                       [&](stun::MessageBuilder& b) {
                           stun::add_reservation_token(b, token);
                           stun::add_even_port(b, {false});
                       })
                  .error_code(),
              400);
    EXPECT_EQ(allocate(client,
                       [&](stun::MessageBuilder& b) {
                           stun::add_reservation_token(b, token);
                           stun::add_address_family(b, stun::kAttrRequestedAddressFamily,
                                                    stun::Address::Family::v4);
                       })
                  .error_code(),
              400);
    EXPECT_EQ(sink.open_calls, 0);
}

TEST_F(EngineAllocate, EvenPortWithReserveHandsOutATokenForTheNextPort) {
    sink.next_port = 50001;  // odd first: reopened until even
    TestClient rtp = rest_client("alice", 40000);
    const auto reply =
        allocate(rtp, [](stun::MessageBuilder& b) { stun::add_even_port(b, {true}); });
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(reply.xor_address(stun::kAttrXorRelayedAddress)->port, 50002);
    const auto* token_attribute = reply.find(stun::kAttrReservationToken);
    ASSERT_NE(token_attribute, nullptr);
    const auto token =
        std::get<stun::ReservationToken>(stun::decode_reservation_token(token_attribute->value));

    // The RTCP allocation presents the token (from another 5-tuple) and gets
    // port + 1, exactly.
    TestClient rtcp = rest_client("alice", 40001);
    const auto second =
        allocate(rtcp, [&](stun::MessageBuilder& b) { stun::add_reservation_token(b, token); });
    ASSERT_TRUE(second.is_success());
    EXPECT_EQ(second.xor_address(stun::kAttrXorRelayedAddress)->port, 50003);
    EXPECT_FALSE(second.has(stun::kAttrReservationToken));

    // A token is good once.
    TestClient again = rest_client("alice", 40002);
    EXPECT_EQ(
        allocate(again, [&](stun::MessageBuilder& b) { stun::add_reservation_token(b, token); })
            .error_code(),
        508);
}

TEST_F(EngineAllocate, ATokenAllocateOverIpv6GetsTheReservedIpv6Port) {
    // A client that reached us over IPv6 asks for an IPv6 relay with a
    // reservation; the token's Allocate may not name a family (step 5), and
    // gets the reserved IPv6 address all the same.
    TestClient rtp = rest_client("alice", 40000);
    rtp.tuple = tuple("[2001:db8:5::1]:40000", Transport::udp, "[2001:db8:5::2]:3478");
    const auto reply = allocate(rtp, [](stun::MessageBuilder& b) {
        stun::add_address_family(b, stun::kAttrRequestedAddressFamily, stun::Address::Family::v6);
        stun::add_even_port(b, {true});
    });
    ASSERT_TRUE(reply.is_success());
    const auto token = token_of(reply);
    TestClient rtcp = rest_client("alice", 40001);
    rtcp.tuple = tuple("[2001:db8:5::1]:40001", Transport::udp, "[2001:db8:5::2]:3478");
    const auto second =
        allocate(rtcp, [&](stun::MessageBuilder& b) { stun::add_reservation_token(b, token); });
    ASSERT_TRUE(second.is_success());
    const auto relayed = second.xor_address(stun::kAttrXorRelayedAddress);
    ASSERT_TRUE(relayed);
    EXPECT_EQ(relayed->family, stun::Address::Family::v6);
    EXPECT_EQ(relayed->port, reply.xor_address(stun::kAttrXorRelayedAddress)->port + 1);
}

TEST_F(EngineAllocate, ReservationsExpireAfterAboutThirtySeconds) {
    TestClient rtp = rest_client("alice", 40000);
    const auto reply =
        allocate(rtp, [](stun::MessageBuilder& b) { stun::add_even_port(b, {true}); });
    ASSERT_TRUE(reply.is_success());
    const auto token = token_of(reply);
    clock.advance(std::chrono::seconds(31));
    TestClient rtcp = rest_client("alice", 40001);
    EXPECT_EQ(
        allocate(rtcp, [&](stun::MessageBuilder& b) { stun::add_reservation_token(b, token); })
            .error_code(),
        508);
}

TEST_F(EngineAllocate, EvenPortWithReserveSkipsAnEvenPortWhoseNextCannotBeHeld) {
    // 50002 is even but 50003 is bound by someone else.
    sink.busy.insert("203.0.113.50:50003");
    sink.next_port = 50002;
    TestClient client = rest_client("alice");
    const auto reply =
        allocate(client, [](stun::MessageBuilder& b) { stun::add_even_port(b, {true}); });
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(reply.xor_address(stun::kAttrXorRelayedAddress)->port, 50004);
    EXPECT_EQ(sink.closed.size(), 2u);  // 50002, then the odd 50003
    EXPECT_EQ(*sink.held, (std::set<std::string>{"203.0.113.50:50005"}));
}

TEST_F(EngineAllocate, TheReservedPortIsHeldUntilTakenOrExpired) {
    TestClient rtp = rest_client("alice", 40000);
    const auto reply =
        allocate(rtp, [](stun::MessageBuilder& b) { stun::add_even_port(b, {true}); });
    ASSERT_TRUE(reply.is_success());
    const auto port = reply.xor_address(stun::kAttrXorRelayedAddress)->port;
    const std::string next = "203.0.113.50:" + std::to_string(port + 1);
    EXPECT_EQ(*sink.held, std::set<std::string>{next});
    // The tick before 30 s keeps it, the one after frees it.
    tick_after(std::chrono::seconds(29));
    EXPECT_EQ(*sink.held, std::set<std::string>{next});
    tick_after(std::chrono::seconds(2));
    EXPECT_TRUE(sink.held->empty());
}

TEST_F(EngineAllocate, AReservationPastTheTotalIs508AndFreesTheRelay) {
    shared.max_total = 1;  // room for the allocation, not for its reservation
    TestClient client = rest_client("alice");
    EXPECT_EQ(allocate(client, [](stun::MessageBuilder& b) { stun::add_even_port(b, {true}); })
                  .error_code(),
              508);
    EXPECT_TRUE(sink.held->empty());
    EXPECT_EQ(sink.closed.size(), 1u);
    EXPECT_EQ(shared.total, 0);
    // Without the R bit the same client is served.
    EXPECT_TRUE(allocate(client, [](stun::MessageBuilder& b) {
                    stun::add_even_port(b, {false});
                }).is_success());
}

TEST_F(EngineAllocate, ReservationsAreChargedToTheUsersQuota) {
    // Allocate(R) + Refresh(0) in a loop: each round leaves a held port
    // behind, charged to alice, until her quota (10) is spent; then 486, and
    // bob is unaffected.
    int reserved = 0;
    for (int i = 0; i < 20; ++i) {
        TestClient client = rest_client("alice", static_cast<std::uint16_t>(41000 + i));
        const auto reply =
            allocate(client, [](stun::MessageBuilder& b) { stun::add_even_port(b, {true}); });
        if (!reply.is_success()) {
            EXPECT_EQ(reply.error_code(), 486) << i;
            break;
        }
        ++reserved;
        ASSERT_TRUE(refresh(client, 0).is_success());
    }
    EXPECT_EQ(reserved, 9);  // the 10th Allocate needs two slots (allocation + reservation)
    EXPECT_EQ(shared.per_user["alice"], 9);
    EXPECT_EQ(sink.held->size(), 9u);
    TestClient bob = rest_client("bob", 42000);
    EXPECT_TRUE(allocate(bob).is_success());
    // After ~30 s the reservations are freed and so is alice's quota.
    tick_after(std::chrono::seconds(31));
    EXPECT_TRUE(sink.held->empty());
    EXPECT_EQ(shared.per_user["alice"], 0);
    TestClient again = rest_client("alice", 43000);
    EXPECT_TRUE(allocate(again).is_success());
}

TEST_F(EngineAllocate, TheTokenAllocateTakesTheReservationsChargeOver) {
    shared.max_per_user = 2;  // an RTP/RTCP pair exactly
    TestClient rtp = rest_client("alice", 40000);
    const auto reply =
        allocate(rtp, [](stun::MessageBuilder& b) { stun::add_even_port(b, {true}); });
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(shared.per_user["alice"], 2);
    const auto token = token_of(reply);
    TestClient rtcp = rest_client("alice", 40001);
    EXPECT_TRUE(allocate(rtcp, [&](stun::MessageBuilder& b) {
                    stun::add_reservation_token(b, token);
                }).is_success());
    EXPECT_EQ(shared.per_user["alice"], 2);
    EXPECT_EQ(shared.total, 2);
}

TEST_F(EngineAllocate, AnotherUsersTokenIsChargedToWhoeverTakesIt) {
    TestClient rtp = rest_client("alice", 40000);
    const auto reply =
        allocate(rtp, [](stun::MessageBuilder& b) { stun::add_even_port(b, {true}); });
    ASSERT_TRUE(reply.is_success());
    const auto token = token_of(reply);
    shared.max_per_user = 0;  // bob may hold nothing: 486, the reservation stays
    TestClient bob = rest_client("bob", 40001);
    const auto add_token = [&](stun::MessageBuilder& b) { stun::add_reservation_token(b, token); };
    EXPECT_EQ(allocate(bob, add_token).error_code(), 486);
    shared.max_per_user = 10;
    EXPECT_TRUE(allocate(bob, add_token).is_success());
    EXPECT_EQ(shared.per_user["alice"], 1);
    EXPECT_EQ(shared.per_user["bob"], 1);
    EXPECT_EQ(shared.total, 2);
}

TEST_F(EngineAllocate, EvenPortWithReserveAndAdditionalFamilyIs400) {
    TestClient client = rest_client("alice");
    EXPECT_EQ(allocate(client,
                       [](stun::MessageBuilder& b) {
                           stun::add_even_port(b, {true});
                           stun::add_address_family(b, stun::kAttrAdditionalAddressFamily,
                                                    stun::Address::Family::v6);
                       })
                  .error_code(),
              400);
}

TEST_F(EngineAllocate, EvenPortReopensUntilEven) {
    sink.next_port = 50001;  // odd first
    TestClient client = rest_client("alice");
    const auto reply =
        allocate(client, [](stun::MessageBuilder& b) { stun::add_even_port(b, {false}); });
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(reply.xor_address(stun::kAttrXorRelayedAddress)->port, 50002);
    EXPECT_EQ(sink.open_calls, 2);
    EXPECT_EQ(sink.closed.size(), 1u);
}

TEST_F(EngineAllocate, RequestedAddressFamilyUnsupportedIs440) {
    TestClient client = rest_client("alice");  // reached us over IPv4
    EXPECT_EQ(allocate(client,
                       [](stun::MessageBuilder& b) {
                           stun::add_address_family(b, stun::kAttrRequestedAddressFamily,
                                                    stun::Address::Family::v6);
                       })
                  .error_code(),
              440);
    EXPECT_EQ(
        allocate(
            client,
            [](stun::MessageBuilder& b) {
                b.add(stun::kAttrRequestedAddressFamily, std::vector<std::uint8_t>{0x03, 0, 0, 0});
            })
            .error_code(),
        440);
    EXPECT_EQ(sink.open_calls, 0);
}

TEST_F(EngineAllocate, Ipv6AllocationOverIpv6) {
    TestClient client = rest_client("alice");
    client.tuple = tuple("[2001:4860::7]:40000", Transport::udp, "[2001:4860::1]:3478");
    const auto reply = allocate(client, [](stun::MessageBuilder& b) {
        stun::add_address_family(b, stun::kAttrRequestedAddressFamily, stun::Address::Family::v6);
    });
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(sink.opened.at(0).family, stun::Address::Family::v6);
    EXPECT_EQ(reply.xor_address(stun::kAttrXorRelayedAddress)->family, stun::Address::Family::v6);
}

TEST_F(EngineAllocate, RelayAddressConfigDecidesTheFamily) {
    config.turn.relay_address = "203.0.113.50";
    TestClient client = rest_client("alice");
    client.tuple = tuple("[2001:4860::7]:40000", Transport::udp, "[2001:4860::1]:3478");
    EXPECT_TRUE(allocate(client).is_success());  // IPv4 relay for an IPv6 client
}

TEST_F(EngineAllocate, AdditionalAddressFamilyRules) {
    TestClient client = rest_client("alice");
    EXPECT_EQ(allocate(client,
                       [](stun::MessageBuilder& b) {
                           stun::add_address_family(b, stun::kAttrRequestedAddressFamily,
                                                    stun::Address::Family::v4);
                           stun::add_address_family(b, stun::kAttrAdditionalAddressFamily,
                                                    stun::Address::Family::v6);
                       })
                  .error_code(),
              400);
    EXPECT_EQ(allocate(client,
                       [](stun::MessageBuilder& b) {
                           stun::add_address_family(b, stun::kAttrAdditionalAddressFamily,
                                                    stun::Address::Family::v4);
                       })
                  .error_code(),
              400);
    // No IPv6 address to relay from (the request came over IPv4, nothing is
    // configured): IPv4 only, ADDRESS-ERROR-CODE 440 for IPv6. The dual
    // success is in dual_allocation_test.cpp.
    const auto reply = allocate(client, [](stun::MessageBuilder& b) {
        stun::add_address_family(b, stun::kAttrAdditionalAddressFamily, stun::Address::Family::v6);
    });
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(sink.open_calls, 1);
    const auto error =
        stun::decode_address_error_code(reply.find(stun::kAttrAddressErrorCode)->value);
    const auto& decoded = std::get<stun::AddressErrorCodeAttribute>(error);
    EXPECT_EQ(decoded.family, stun::Address::Family::v6);
    EXPECT_EQ(decoded.code, 440);
}

TEST_F(EngineAllocate, QuotaTotalIs508AndPerUserIs486) {
    shared.max_per_user = 1;
    TestClient first = rest_client("alice", 40000);
    TestClient second = rest_client("alice", 40001);
    ASSERT_TRUE(allocate(first).is_success());
    EXPECT_EQ(allocate(second).error_code(), 486);
    shared.max_total = 1;
    TestClient other = rest_client("bob", 40002);
    EXPECT_EQ(allocate(other).error_code(), 508);
    EXPECT_EQ(sink.open_calls, 1);
}

TEST_F(EngineAllocate, NoFreeRelayPortIs508AndReleasesTheQuota) {
    sink.fail_open = true;
    TestClient client = rest_client("alice");
    EXPECT_EQ(allocate(client).error_code(), 508);
    EXPECT_EQ(shared.per_user["alice"], 0);
    EXPECT_EQ(shared.total, 0);
    EXPECT_EQ(engine().allocation_count(), 0u);
}

TEST_F(EngineAllocate, ExternalAddressIsAdvertisedWithTheRelayPort) {
    config.turn.external_address = "198.51.100.7";
    TestClient client = rest_client("alice");
    const auto reply = allocate(client);
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(reply.xor_address(stun::kAttrXorRelayedAddress), addr("198.51.100.7:50000"));
    EXPECT_TRUE(shared.is_relayed(addr("198.51.100.7:50000")));
}

TEST_F(EngineAllocate, LifetimeIsClampedBetweenDefaultAndMaximum) {
    const auto granted = [&](std::uint32_t requested, std::uint16_t port) {
        TestClient client = rest_client("alice", port);
        const auto reply =
            allocate(client, [&](stun::MessageBuilder& b) { stun::add_lifetime(b, requested); });
        return std::get<std::uint32_t>(
            stun::decode_lifetime(reply.find(stun::kAttrLifetime)->value));
    };
    EXPECT_EQ(granted(3000, 40000), 3000u);
    EXPECT_EQ(granted(100, 40001), 600u);
    EXPECT_EQ(granted(100000, 40002), 3600u);  // max_allocation_lifetime 1h
    EXPECT_EQ(granted(0, 40003), 600u);
}

TEST_F(EngineAllocate, DrainingRefusesNewAllocationsWith508ButKeepsOldOnes) {
    TestClient old_client = rest_client("alice", 40000);
    ASSERT_TRUE(allocate(old_client).is_success());
    engine().stop_accepting();
    TestClient client = rest_client("alice", 40001);
    EXPECT_EQ(allocate(client).error_code(), 508);
    EXPECT_TRUE(refresh(old_client, 600).is_success());
    EXPECT_EQ(sink.open_calls, 1);
}

TEST_F(EngineAllocate, AllocationsPerFiveTupleAreIndependent) {
    TestClient udp_client = rest_client("alice", 40000);
    TestClient tcp_client = rest_client("alice", 40000, Transport::tcp);
    EXPECT_TRUE(allocate(udp_client).is_success());
    EXPECT_TRUE(allocate(tcp_client).is_success());
    EXPECT_EQ(engine().allocation_count(), 2u);
    EXPECT_NE(sink.opened[0].id, sink.opened[1].id);
}

}  // namespace
}  // namespace switchboard::turn::test
