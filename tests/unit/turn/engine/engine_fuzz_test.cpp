// Garbage from clients and peers never crashes the engine, never gets an
// answer bigger than a challenge, and is counted (DESIGN.md rule 2).
#include <random>

#include "engine_fixture.hpp"

namespace switchboard::turn::test {
namespace {

class EngineFuzz : public EngineFixture {};

TEST_F(EngineFuzz, ThousandsOfRandomAndMutatedPacketsNeverCrash) {
    TestClient client = rest_client("alice");
    ASSERT_TRUE(allocate(client).is_success());
    ASSERT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());
    const auto relay = relay_of(client).id;
    std::vector<std::vector<std::uint8_t>> seeds = {
        client.request(stun::Method::refresh,
                       [](stun::MessageBuilder& b) { stun::add_lifetime(b, 600); }),
        client.request(stun::Method::create_permission, peers({peer_a, peer_b})),
        client.request(stun::Method::channel_bind,
                       [&](stun::MessageBuilder& b) {
                           stun::add_channel_number(b, 0x4001);
                           stun::add_xor_address(b, stun::kAttrXorPeerAddress, peer_b);
                       }),
        client.request(stun::Method::allocate, udp()),
        send_indication(client, peer_a, "data"),
        {0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4},
    };

    std::mt19937 random(20251124);
    const auto byte = [&] { return static_cast<std::uint8_t>(random()); };
    std::size_t replies = 0;
    for (int i = 0; i < 3000; ++i) {
        std::vector<std::uint8_t> packet;
        switch (i % 3) {
            case 0: {  // random bytes, sometimes with a STUN or ChannelData header
                packet.resize(random() % 200);
                for (auto& b : packet) b = byte();
                if (packet.size() >= 20 && i % 2 == 0) {
                    packet[0] = 0x00;
                    packet[1] = static_cast<std::uint8_t>(random() % 0x20);
                    packet[2] = 0x00;
                    packet[3] = static_cast<std::uint8_t>((packet.size() - 20) & ~3u);
                    packet[4] = 0x21, packet[5] = 0x12, packet[6] = 0xA4, packet[7] = 0x42;
                    packet.resize(20 + packet[3]);
                } else if (packet.size() >= 4 && i % 5 == 0) {
                    packet[0] = 0x40;
                }
                break;
            }
            case 1: {  // a valid message with a few bytes flipped or cut
                packet = seeds[random() % seeds.size()];
                for (int flips = 1 + random() % 4; flips > 0; --flips) {
                    packet[random() % packet.size()] ^=
                        static_cast<std::uint8_t>(1u << (random() % 8));
                }
                if (random() % 4 == 0) packet.resize(random() % packet.size());
                break;
            }
            case 2: {  // random datagrams from random peers
                packet.resize(random() % 100);
                for (auto& b : packet) b = byte();
                const stun::Address peer = random() % 2 ? peer_a : addr("9.9.9.9:9");
                engine().on_peer_packet(random() % 3 ? relay : random(), peer, packet, sink);
                continue;
            }
        }
        const std::size_t before = sink.to_client.size();
        FiveTuple from = client.tuple;
        if (random() % 3 == 0) from.transport = Transport::tcp;
        engine().on_client_packet(from, packet, sink);
        for (std::size_t k = before; k < sink.to_client.size(); ++k) {
            ++replies;
            // Never more than a few times the request (no amplification).
            EXPECT_LE(sink.to_client[k].bytes.size(),
                      std::max<std::size_t>(packet.size(), 20) * 4 + 100);
        }
    }
    EXPECT_GT(dropped("malformed"), 500u);
    EXPECT_GT(replies, 0u);
    // Still serving.
    EXPECT_TRUE(refresh(client, 600).error_code() == 0 || engine().allocation_count() == 0);
    TestClient fresh = rest_client("bob", 41000);
    EXPECT_TRUE(allocate(fresh).is_success());
}

}  // namespace
}  // namespace switchboard::turn::test
