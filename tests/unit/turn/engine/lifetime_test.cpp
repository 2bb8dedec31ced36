// Lifetimes with the injected clock (RFC 8656): allocations 600 s by
// default, Refresh (section 8.2), permissions 300 s (section 9), channels
// 600 s (section 12), the response cache.
#include "engine_fixture.hpp"

namespace switchboard::turn::test {
namespace {

class EngineLifetime : public EngineFixture {};

TEST_F(EngineLifetime, AllocationExpiresAfterDefaultLifetime) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    const auto relay = relay_of(client);
    tick_after(std::chrono::seconds(599));
    EXPECT_EQ(engine().allocation_count(), 1u);
    tick_after(std::chrono::seconds(1));
    EXPECT_EQ(engine().allocation_count(), 0u);
    EXPECT_EQ(sink.closed, std::vector<AllocationId>{relay.id});
    EXPECT_EQ(shared.per_user["alice"], 0);
    EXPECT_FALSE(shared.is_relayed(relay.address));
    EXPECT_EQ(metrics.gauge("switchboard_turn_allocations", "").value(), 0);
}

TEST_F(EngineLifetime, RefreshExtends) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    tick_after(std::chrono::seconds(500));
    const auto reply = refresh(client, std::nullopt);  // no LIFETIME: the default
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(
        std::get<std::uint32_t>(stun::decode_lifetime(reply.find(stun::kAttrLifetime)->value)),
        600u);
    tick_after(std::chrono::seconds(599));  // 1099 s after the Allocate
    EXPECT_EQ(engine().allocation_count(), 1u);
    tick_after(std::chrono::seconds(1));
    EXPECT_EQ(engine().allocation_count(), 0u);
}

TEST_F(EngineLifetime, RefreshWithZeroDeletes) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    const auto reply = refresh(client, 0);
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(
        std::get<std::uint32_t>(stun::decode_lifetime(reply.find(stun::kAttrLifetime)->value)), 0u);
    EXPECT_EQ(engine().allocation_count(), 0u);
    EXPECT_EQ(sink.closed.size(), 1u);
    EXPECT_EQ(shared.total, 0);
    // Gone: the next Refresh finds nothing.
    EXPECT_EQ(refresh(client, 600).error_code(), 437);
}

TEST_F(EngineLifetime, RefreshWithoutAllocationIs437) {
    TestClient client = rest_client("alice");
    EXPECT_EQ(refresh(client, 600).error_code(), 437);
    EXPECT_EQ(create_permission(client, {peer_a}).error_code(), 437);
    EXPECT_EQ(channel_bind(client, 0x4000, peer_a).error_code(), 437);
}

TEST_F(EngineLifetime, RefreshFamilyMismatchIs443) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    const auto reply = request(client, stun::Method::refresh, [](stun::MessageBuilder& b) {
        stun::add_address_family(b, stun::kAttrRequestedAddressFamily, stun::Address::Family::v6);
    });
    EXPECT_EQ(reply.error_code(), 443);
    const auto same = request(client, stun::Method::refresh, [](stun::MessageBuilder& b) {
        stun::add_address_family(b, stun::kAttrRequestedAddressFamily, stun::Address::Family::v4);
    });
    EXPECT_TRUE(same.is_success());
}

TEST_F(EngineLifetime, RetransmittedRefreshIsAnsweredFromTheCacheWithoutRedoingIt) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    tick_after(std::chrono::seconds(100));
    const auto request = client.request(
        stun::Method::refresh, [](stun::MessageBuilder& b) { stun::add_lifetime(b, 600); });
    const auto first = send(client, request);  // expires at 700 s
    tick_after(std::chrono::seconds(30));
    const auto again = send(client, request);  // cached: still expires at 700 s
    ASSERT_TRUE(first && again);
    EXPECT_EQ(first->bytes(), again->bytes());
    tick_after(std::chrono::seconds(570));  // 700 s
    EXPECT_EQ(engine().allocation_count(), 0u);
}

TEST_F(EngineLifetime, CachedResponsesExpireAfter40Seconds) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    const auto request = client.request(
        stun::Method::refresh, [](stun::MessageBuilder& b) { stun::add_lifetime(b, 600); });
    ASSERT_TRUE(send(client, request)->is_success());  // expires at 600 s from now
    tick_after(std::chrono::seconds(41));
    ASSERT_TRUE(send(client, request)->is_success());  // redone: 641 s
    tick_after(std::chrono::seconds(560));             // 601 s
    EXPECT_EQ(engine().allocation_count(), 1u);
}

TEST_F(EngineLifetime, PermissionLastsFiveMinutes) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "one"), sink);
    EXPECT_EQ(sink.to_peer.size(), 1u);
    tick_after(std::chrono::seconds(299));
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "two"), sink);
    EXPECT_EQ(sink.to_peer.size(), 2u);
    tick_after(std::chrono::seconds(1));
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "three"), sink);
    EXPECT_EQ(sink.to_peer.size(), 2u);
    EXPECT_EQ(dropped("no_permission"), 1u);
}

TEST_F(EngineLifetime, PermissionRefreshedByCreatePermissionNotBySend) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    tick_after(std::chrono::seconds(200));
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "x"), sink);
    tick_after(std::chrono::seconds(100));  // 300 s: a Send does not refresh
    peer_sends(client, peer_a, "in");
    EXPECT_EQ(dropped("no_permission"), 1u);
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    tick_after(std::chrono::seconds(299));
    sink.clear();
    peer_sends(client, peer_a, "in");
    EXPECT_EQ(sink.to_client.size(), 1u);
}

TEST_F(EngineLifetime, ChannelLastsTenMinutes) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client, [](stun::MessageBuilder& b) {
                    stun::add_lifetime(b, 3600);
                }).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4001, peer_a).is_success());
    tick_after(std::chrono::seconds(400));
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());  // permission to 700 s
    tick_after(std::chrono::seconds(199));                          // 599 s
    sink.clear();
    peer_sends(client, peer_a, "via channel");
    ASSERT_EQ(sink.to_client.size(), 1u);
    EXPECT_EQ(sink.to_client[0].bytes[0], 0x40);
    tick_after(std::chrono::seconds(1));  // 600 s: channel gone, permission left
    sink.clear();
    peer_sends(client, peer_a, "as data");
    ASSERT_EQ(sink.to_client.size(), 1u);
    const Message data(sink.to_client[0].bytes);
    ASSERT_TRUE(data.parsed());
    EXPECT_EQ(data.method(), stun::Method::data);
    const std::vector<std::uint8_t> channel_data{0x40, 0x01, 0x00, 0x01, 'x', 0, 0, 0};
    engine().on_client_packet(client.tuple, channel_data, sink);
    EXPECT_EQ(dropped("unknown_channel"), 1u);
}

TEST_F(EngineLifetime, RebindingRefreshesTheChannel) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client, [](stun::MessageBuilder& b) {
                    stun::add_lifetime(b, 3600);
                }).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4001, peer_a).is_success());
    tick_after(std::chrono::seconds(500));
    ASSERT_TRUE(channel_bind(client, 0x4001, peer_a).is_success());  // to 1100 s
    tick_after(std::chrono::seconds(500));                           // 1000 s
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    sink.clear();
    peer_sends(client, peer_a, "x");
    ASSERT_EQ(sink.to_client.size(), 1u);
    EXPECT_EQ(sink.to_client[0].bytes[0], 0x40);
}

}  // namespace
}  // namespace switchboard::turn::test
