// Send indications (RFC 8656 section 11.2), Data indications (11.3), the
// bandwidth limit, and what a client may not send.
#include "engine_fixture.hpp"
#include "turn/stun/dont_fragment.hpp"
#include "turn/stun/integrity.hpp"

namespace switchboard::turn::test {
namespace {

class EngineDataPath : public EngineFixture {};

TEST_F(EngineDataPath, SendIndicationRelaysAndNeverAnswers) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    sink.clear();
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "payload"), sink);
    ASSERT_EQ(sink.to_peer.size(), 1u);
    EXPECT_EQ(sink.to_peer[0].peer, peer_a);
    EXPECT_EQ(sink.to_peer[0].payload, bytes_of("payload"));
    // Zero bytes of DATA are allowed; DONT-FRAGMENT is accepted.
    engine().on_client_packet(client.tuple,
                              client.indication(stun::Method::send,
                                                [&](stun::MessageBuilder& b) {
                                                    stun::add_xor_address(
                                                        b, stun::kAttrXorPeerAddress, peer_a);
                                                    stun::add_dont_fragment(b);
                                                    stun::add_data(b, {});
                                                }),
                              sink);
    ASSERT_EQ(sink.to_peer.size(), 2u);
    EXPECT_TRUE(sink.to_peer[1].payload.empty());
    EXPECT_TRUE(sink.to_client.empty());
}

TEST_F(EngineDataPath, SendIndicationDropsAreSilent) {
    TestClient client = rest_client("alice");
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "x"), sink);
    EXPECT_EQ(dropped("no_allocation"), 1u);
    ASSERT_TRUE(allocate(client).is_success());
    sink.clear();
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, "x"), sink);
    EXPECT_EQ(dropped("no_permission"), 1u);
    engine().on_client_packet(client.tuple,
                              client.indication(stun::Method::send,
                                                [&](stun::MessageBuilder& b) {
                                                    stun::add_xor_address(
                                                        b, stun::kAttrXorPeerAddress, peer_a);
                                                }),
                              sink);
    EXPECT_EQ(dropped("malformed"), 1u);
    engine().on_client_packet(client.tuple,
                              client.indication(stun::Method::send,
                                                [&](stun::MessageBuilder& b) {
                                                    stun::add_xor_address(
                                                        b, stun::kAttrXorPeerAddress, peer_a);
                                                    stun::add_data(b, bytes_of("x"));
                                                    b.add(0x7ABC, bytes_of("?"));
                                                }),
                              sink);
    EXPECT_EQ(dropped("malformed"), 2u);
    engine().on_client_packet(client.tuple, send_indication(client, addr("10.0.0.1:1"), "x"), sink);
    EXPECT_EQ(dropped("no_permission"), 2u);
    EXPECT_TRUE(sink.to_peer.empty());
    EXPECT_TRUE(sink.to_client.empty());
}

TEST_F(EngineDataPath, PeerDataBecomesADataIndication) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    sink.clear();
    peer_sends(client, peer_a, "from the peer");
    ASSERT_EQ(sink.to_client.size(), 1u);
    const Message data(sink.to_client[0].bytes);
    ASSERT_TRUE(data.parsed());
    EXPECT_EQ(data.cls(), stun::MessageClass::indication);
    EXPECT_EQ(data.method(), stun::Method::data);
    EXPECT_EQ(data.attribute_types(),
              (std::vector<std::uint16_t>{stun::kAttrXorPeerAddress, stun::kAttrData}));
    EXPECT_EQ(data.xor_address(stun::kAttrXorPeerAddress), peer_a);
    EXPECT_EQ(data.text(stun::kAttrData), "from the peer");
}

TEST_F(EngineDataPath, PeerDataWithoutPermissionIsDropped) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    sink.clear();
    peer_sends(client, peer_b, "x");
    engine().on_peer_packet(12345, peer_a, bytes_of("x"), sink);  // unknown allocation
    EXPECT_TRUE(sink.to_client.empty());
    EXPECT_EQ(dropped("no_permission"), 1u);
    EXPECT_EQ(dropped("no_allocation"), 1u);
}

TEST_F(EngineDataPath, BandwidthLimitDropsOverTheRate) {
    config.turn.max_bps_per_allocation = 80000;  // 10000 bytes per second
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    const std::string kilobyte(1000, 'x');
    for (int i = 0; i < 10; ++i) {
        engine().on_client_packet(client.tuple, send_indication(client, peer_a, kilobyte), sink);
    }
    EXPECT_EQ(sink.to_peer.size(), 10u);
    engine().on_client_packet(client.tuple, send_indication(client, peer_a, kilobyte), sink);
    peer_sends(client, peer_a, kilobyte);  // both directions share the budget
    EXPECT_EQ(sink.to_peer.size(), 10u);
    EXPECT_EQ(dropped("bandwidth"), 2u);
    clock.advance(std::chrono::milliseconds(500));  // 5000 bytes back
    for (int i = 0; i < 6; ++i) {
        engine().on_client_packet(client.tuple, send_indication(client, peer_a, kilobyte), sink);
    }
    EXPECT_EQ(sink.to_peer.size(), 15u);
    EXPECT_EQ(dropped("bandwidth"), 3u);
}

TEST_F(EngineDataPath, UnlimitedByDefault) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(create_permission(client, {peer_a}).is_success());
    const std::string big(60000, 'x');
    for (int i = 0; i < 100; ++i) {
        engine().on_client_packet(client.tuple, send_indication(client, peer_a, big), sink);
    }
    EXPECT_EQ(sink.to_peer.size(), 100u);
}

TEST_F(EngineDataPath, ResponsesAndOtherIndicationsFromClientsAreIgnored) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    sink.clear();
    for (const auto cls : {stun::MessageClass::success_response, stun::MessageClass::error_response,
                           stun::MessageClass::indication}) {
        stun::MessageBuilder b(stun::Method::data, cls, stun::TransactionId::random());
        stun::add_xor_address(b, stun::kAttrXorPeerAddress, peer_a);
        engine().on_client_packet(client.tuple, std::move(b).take(), sink);
    }
    stun::MessageBuilder response(stun::Method::allocate, stun::MessageClass::success_response,
                                  stun::TransactionId::random());
    engine().on_client_packet(client.tuple, std::move(response).take(), sink);
    EXPECT_TRUE(sink.to_client.empty());
    EXPECT_TRUE(sink.to_peer.empty());
    EXPECT_EQ(dropped("unexpected"), 4u);
    EXPECT_EQ(engine().allocation_count(), 1u);
}

TEST_F(EngineDataPath, BadFingerprintIsDroppedNotAnswered) {
    TestClient client;
    client.tuple = tuple("93.184.216.34:40000");
    client.fingerprint = true;
    auto bytes = client.request(stun::Method::binding, {}, false);
    bytes.back() ^= 0xFF;
    engine().on_client_packet(client.tuple, bytes, sink);
    EXPECT_TRUE(sink.to_client.empty());
    EXPECT_EQ(dropped("malformed"), 1u);
}

}  // namespace
}  // namespace switchboard::turn::test
