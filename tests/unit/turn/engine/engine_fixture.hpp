#pragma once
// The Engine under test with its fakes, and the RFC flows as one-liners:
// fetch a nonce (the 401 dance), Allocate, CreatePermission, ChannelBind.

#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "engine_test_util.hpp"
#include "turn/stun/address_family.hpp"
#include "turn/stun/channel_number.hpp"
#include "turn/stun/data.hpp"
#include "turn/stun/lifetime.hpp"
#include "turn/stun/requested_transport.hpp"

namespace switchboard::turn::test {

class EngineFixture : public ::testing::Test {
protected:
    EngineFixture() {
        config.turn.secrets = {"secret-one", "secret-two"};
        config.turn.static_users = {{"tester", "tester-password"}};
        // Tests send many unauthenticated requests from one address; the
        // limit on their replies has tests of its own (reply_limit_test.cpp).
        config.turn.unauthenticated_replies.per_second = 0;
        shared.active = {"alice", "bob"};
    }

    Engine& engine() {
        if (!engine_) {
            engine_ = std::make_unique<Engine>(config, clock, shared, shared, metrics, nonce_key);
        }
        return *engine_;
    }

    FiveTuple tuple(std::string_view client, Transport transport = Transport::udp,
                    std::string_view server = "192.0.2.1:3478") {
        return FiveTuple{transport, addr(client), addr(server)};
    }

    // A client with REST credentials minted now for `user_id`.
    TestClient rest_client(std::string_view user_id, std::uint16_t port = 40000,
                           Transport transport = Transport::udp, std::size_t secret = 0,
                           std::int64_t ttl = 3600) {
        const auto credential = shared::mint_turn_credential(config.turn.secrets.at(secret),
                                                             user_id, clock.unix_seconds(), ttl);
        TestClient client;
        client.tuple = tuple("93.184.216.34:" + std::to_string(port), transport);
        client.username = credential.username;
        client.password = credential.password;
        return client;
    }

    // A client with the static (long-term) credentials username/password.
    TestClient static_client(std::string username, std::string password,
                             std::uint16_t port = 40000) {
        TestClient client;
        client.tuple = tuple("93.184.216.34:" + std::to_string(port));
        client.username = std::move(username);
        client.password = std::move(password);
        return client;
    }

    // Delivers `bytes` from the client; returns what the engine answered
    // that client during the call (nullopt: nothing), remembering a NONCE.
    std::optional<Message> send(TestClient& client, const std::vector<std::uint8_t>& bytes) {
        const std::size_t before = sink.to_client.size();
        engine().on_client_packet(client.tuple, bytes, sink);
        std::optional<Message> reply;
        for (std::size_t i = before; i < sink.to_client.size(); ++i) {
            if (sink.to_client[i].client == client.tuple) {
                reply.emplace(sink.to_client[i].bytes);
            }
        }
        if (reply && reply->parsed() && reply->has(stun::kAttrNonce)) {
            client.nonce = reply->text(stun::kAttrNonce);
        }
        return reply;
    }

    // The first step of every authenticated flow: an unsigned request, 401,
    // REALM and NONCE.
    void fetch_nonce(TestClient& client) {
        const auto reply = send(client, client.request(stun::Method::refresh, {}, false));
        ASSERT_TRUE(reply && reply->parsed());
        ASSERT_EQ(reply->error_code(), 401);
    }

    Message request(TestClient& client, stun::Method method,
                    const TestClient::Attributes& attributes = {}) {
        if (client.nonce.empty()) fetch_nonce(client);
        auto reply = send(client, client.request(method, attributes));
        if (reply && reply->parsed() && reply->error_code() == 438) {
            // As a client does: retry once with the fresh nonce.
            reply = send(client, client.request(method, attributes));
        }
        EXPECT_TRUE(reply.has_value());
        return reply ? std::move(*reply) : Message({});
    }

    static TestClient::Attributes udp(TestClient::Attributes more = {}) {
        return [more](stun::MessageBuilder& b) {
            stun::add_requested_transport(b, stun::kProtocolUdp);
            if (more) more(b);
        };
    }

    Message allocate(TestClient& client, const TestClient::Attributes& more = {}) {
        return request(client, stun::Method::allocate, udp(more));
    }

    static TestClient::Attributes peers(std::vector<stun::Address> addresses) {
        return [addresses](stun::MessageBuilder& b) {
            for (const auto& a : addresses) stun::add_xor_address(b, stun::kAttrXorPeerAddress, a);
        };
    }

    Message create_permission(TestClient& client, std::vector<stun::Address> addresses) {
        return request(client, stun::Method::create_permission, peers(std::move(addresses)));
    }

    Message channel_bind(TestClient& client, std::uint16_t channel, const stun::Address& peer) {
        return request(client, stun::Method::channel_bind, [&](stun::MessageBuilder& b) {
            stun::add_channel_number(b, channel);
            stun::add_xor_address(b, stun::kAttrXorPeerAddress, peer);
        });
    }

    Message refresh(TestClient& client, std::optional<std::uint32_t> lifetime) {
        return request(client, stun::Method::refresh, [&](stun::MessageBuilder& b) {
            if (lifetime) stun::add_lifetime(b, *lifetime);
        });
    }

    std::vector<std::uint8_t> send_indication(const TestClient& client, const stun::Address& peer,
                                              std::string_view payload) {
        return client.indication(stun::Method::send, [&](stun::MessageBuilder& b) {
            stun::add_xor_address(b, stun::kAttrXorPeerAddress, peer);
            stun::add_data(b, bytes_of(payload));
        });
    }

    // The relay the engine opened for `client` (the last one).
    const FakeSink::Opened& relay_of(const TestClient& client) {
        for (auto it = sink.opened.rbegin(); it != sink.opened.rend(); ++it) {
            if (it->client == client.tuple) return *it;
        }
        ADD_FAILURE() << "no relay for client";
        static FakeSink::Opened none{};
        return none;
    }

    void peer_sends(const TestClient& client, const stun::Address& peer, std::string_view payload) {
        engine().on_peer_packet(relay_of(client).id, peer, bytes_of(payload), sink);
    }

    std::uint64_t dropped(std::string_view reason) {
        return metrics
            .counter("switchboard_turn_dropped_total", "", {{"reason", std::string(reason)}})
            .value();
    }

    void tick_after(std::chrono::seconds elapsed) {
        clock.advance(elapsed);
        engine().tick(sink);
    }

    shared::Config config;
    shared::FakeClock clock;
    FakeSharedState shared;
    shared::Metrics metrics;
    FakeSink sink;
    std::array<std::uint8_t, 32> nonce_key{1, 2, 3, 4, 5, 6, 7, 8};

    const stun::Address peer_a = addr("8.8.8.8:5000");
    const stun::Address peer_b = addr("1.1.1.1:6000");

private:
    std::unique_ptr<Engine> engine_;
};

}  // namespace switchboard::turn::test
