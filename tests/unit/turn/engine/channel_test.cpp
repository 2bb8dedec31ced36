// ChannelBind (RFC 8656 section 12.2) and ChannelData both ways (sections
// 12.4 to 12.7).
#include "engine_fixture.hpp"
#include "turn/allocation.hpp"
#include "turn/stun/channel_data.hpp"

namespace switchboard::turn::test {
namespace {

class EngineChannel : public EngineFixture {};

std::vector<std::uint8_t> channel_data(std::uint16_t channel, std::string_view payload,
                                       stun::Framing framing = stun::Framing::datagram) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(stun::encode_channel_data(channel, bytes_of(payload), out, framing));
    return out;
}

TEST_F(EngineChannel, BindThenDataFlowsBothWaysOverUdp) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    const auto reply = channel_bind(client, 0x4000, peer_a);
    ASSERT_TRUE(reply.is_success());
    EXPECT_EQ(reply.attribute_types(), std::vector<std::uint16_t>{stun::kAttrMessageIntegrity});

    engine().on_client_packet(client.tuple, channel_data(0x4000, "to peer"), sink);
    ASSERT_EQ(sink.to_peer.size(), 1u);
    EXPECT_EQ(sink.to_peer[0].id, relay_of(client).id);
    EXPECT_EQ(sink.to_peer[0].peer, peer_a);
    EXPECT_EQ(sink.to_peer[0].payload, bytes_of("to peer"));

    sink.clear();
    peer_sends(client, peer_a, "hello");  // 5 bytes: no padding over UDP
    ASSERT_EQ(sink.to_client.size(), 1u);
    EXPECT_EQ(sink.to_client[0].client, client.tuple);
    EXPECT_EQ(sink.to_client[0].bytes,
              (std::vector<std::uint8_t>{0x40, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'}));
    EXPECT_EQ(
        metrics.counter("switchboard_turn_relayed_packets_total", "", {{"direction", "from_peer"}})
            .value(),
        1u);
    EXPECT_EQ(
        metrics.counter("switchboard_turn_relayed_bytes_total", "", {{"direction", "to_peer"}})
            .value(),
        7u);
}

TEST_F(EngineChannel, StreamClientsGetPaddedChannelDataAndMustPad) {
    TestClient client = rest_client("alice", 40000, Transport::tcp);
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4ABC, peer_a).is_success());
    sink.clear();
    peer_sends(client, peer_a, "hello");
    ASSERT_EQ(sink.to_client.size(), 1u);
    EXPECT_EQ(sink.to_client[0].bytes, (std::vector<std::uint8_t>{0x4A, 0xBC, 0x00, 0x05, 'h', 'e',
                                                                  'l', 'l', 'o', 0, 0, 0}));
    // From a stream client, an unpadded message is malformed.
    engine().on_client_packet(client.tuple, channel_data(0x4ABC, "hello"), sink);
    EXPECT_EQ(dropped("malformed"), 1u);
    engine().on_client_packet(client.tuple, channel_data(0x4ABC, "hello", stun::Framing::stream),
                              sink);
    ASSERT_EQ(sink.to_peer.size(), 1u);
    EXPECT_EQ(sink.to_peer[0].payload, bytes_of("hello"));
}

TEST_F(EngineChannel, NumberOutOfRangeOrMissingAttributesIs400) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    for (const std::uint16_t number : {0x3FFF, 0x8000, 0xFFFF, 0x0000}) {
        const auto reply =
            request(client, stun::Method::channel_bind, [&](stun::MessageBuilder& b) {
                const std::vector<std::uint8_t> value{static_cast<std::uint8_t>(number >> 8),
                                                      static_cast<std::uint8_t>(number), 0, 0};
                b.add(stun::kAttrChannelNumber, value);
                stun::add_xor_address(b, stun::kAttrXorPeerAddress, peer_a);
            });
        EXPECT_EQ(reply.error_code(), 400) << number;
    }
    EXPECT_EQ(request(client, stun::Method::channel_bind,
                      [&](stun::MessageBuilder& b) { stun::add_channel_number(b, 0x4000); })
                  .error_code(),
              400);
    EXPECT_EQ(request(client, stun::Method::channel_bind, peers({peer_a})).error_code(), 400);
}

TEST_F(EngineChannel, ConflictingBindingsAre400) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());
    // The number is bound to another peer.
    EXPECT_EQ(channel_bind(client, 0x4000, peer_b).error_code(), 400);
    // The peer is bound to another number (same IP, other port is another peer).
    EXPECT_EQ(channel_bind(client, 0x4001, peer_a).error_code(), 400);
    EXPECT_TRUE(channel_bind(client, 0x4001, addr("8.8.8.8:5001")).is_success());
    // The same pair again is a refresh.
    EXPECT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());
}

TEST_F(EngineChannel, ChannelsPastTheCapAre508UntilOnesExpire) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    // All to one peer IP, so one permission: only the channel cap stops them.
    for (std::uint16_t i = 0; i < turn::kMaxChannelsPerAllocation; ++i) {
        ASSERT_TRUE(channel_bind(client, static_cast<std::uint16_t>(0x4000 + i),
                                 addr("8.8.8.8:" + std::to_string(10000 + i)))
                        .is_success())
            << i;
    }
    const auto peer = addr("8.8.8.8:30000");
    EXPECT_EQ(channel_bind(client, 0x4FFF, peer).error_code(), 508);
    // Refreshing one that exists is not a new binding.
    EXPECT_TRUE(channel_bind(client, 0x4000, addr("8.8.8.8:10000")).is_success());
    // Once they expire (10 minutes), new ones fit again, before any tick sweeps them.
    clock.advance(std::chrono::minutes(5));
    ASSERT_TRUE(refresh(client, 600).is_success());
    clock.advance(std::chrono::minutes(6));
    EXPECT_TRUE(channel_bind(client, 0x4FFF, peer).is_success());
}

TEST_F(EngineChannel, BindingInstallsThePermission) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());
    // Another port of the same IP: the permission is per IP, no channel.
    sink.clear();
    peer_sends(client, addr("8.8.8.8:9999"), "x");
    ASSERT_EQ(sink.to_client.size(), 1u);
    EXPECT_EQ(Message(sink.to_client[0].bytes).method(), stun::Method::data);
}

TEST_F(EngineChannel, FamilyMismatchIs443) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    EXPECT_EQ(channel_bind(client, 0x4000, addr("[2606:4700::1111]:1")).error_code(), 443);
}

TEST_F(EngineChannel, UnknownChannelAndNoAllocationAreDropped) {
    TestClient client = rest_client("alice");
    engine().on_client_packet(client.tuple, channel_data(0x4000, "x"), sink);
    EXPECT_EQ(dropped("no_allocation"), 1u);
    ASSERT_TRUE(allocate(client).is_success());
    engine().on_client_packet(client.tuple, channel_data(0x4002, "x"), sink);
    EXPECT_EQ(dropped("unknown_channel"), 1u);
    EXPECT_TRUE(sink.to_peer.empty());
}

TEST_F(EngineChannel, ChannelDataNeedsAPermission) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client, [](stun::MessageBuilder& b) {
                    stun::add_lifetime(b, 3600);
                }).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());
    tick_after(std::chrono::seconds(300));  // permission gone, channel alive
    engine().on_client_packet(client.tuple, channel_data(0x4000, "x"), sink);
    EXPECT_TRUE(sink.to_peer.empty());
    EXPECT_EQ(dropped("no_permission"), 1u);
}

}  // namespace
}  // namespace switchboard::turn::test
