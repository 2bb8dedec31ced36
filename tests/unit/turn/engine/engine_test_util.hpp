#pragma once
// Test doubles and a tiny TURN client for the Engine tests: a FakeSink that
// records every effect, a FakeSharedState with quotas and the relayed set,
// and TestClient, which builds requests with the STUN codec and signs them
// with its long-term key, so tests read like the RFC 8656 flows.

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/metrics.hpp"
#include "shared/turn_credentials.hpp"
#include "turn/engine.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/long_term_key.hpp"
#include "turn/stun/message.hpp"
#include "turn/stun/text_attributes.hpp"
#include "turn/stun/xor_address.hpp"

namespace switchboard::turn::test {

inline stun::Address addr(std::string_view text) {
    const auto parsed = stun::Address::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(stun::Address{});
}

inline std::vector<std::uint8_t> bytes_of(std::string_view text) {
    return {text.begin(), text.end()};
}

// A parsed message that owns its bytes. Move-only: the view points into
// the vector's heap buffer, which a move keeps and a copy would not.
class Message {
public:
    explicit Message(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {
        auto parsed = stun::parse_message(bytes_);
        if (auto* view = std::get_if<stun::MessageView>(&parsed)) {
            view_.emplace(*view);
        }
    }
    Message(Message&&) = default;
    Message& operator=(Message&&) = default;
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;

    bool parsed() const { return view_.has_value(); }
    const stun::MessageView& view() const { return *view_; }
    const std::vector<std::uint8_t>& bytes() const { return bytes_; }
    stun::MessageClass cls() const { return view_->message_class(); }
    stun::Method method() const { return view_->method(); }
    bool is_success() const { return parsed() && cls() == stun::MessageClass::success_response; }
    bool has(std::uint16_t type) const { return view_->find(type) != nullptr; }
    const stun::Attribute* find(std::uint16_t type) const { return view_->find(type); }

    // 0 when there is no (valid) ERROR-CODE.
    std::uint16_t error_code() const {
        const auto* attribute = find(stun::kAttrErrorCode);
        if (attribute == nullptr) return 0;
        const auto decoded = stun::decode_error_code(attribute->value);
        const auto* error = std::get_if<stun::ErrorCodeAttribute>(&decoded);
        return error ? error->code : 0;
    }
    std::string text(std::uint16_t type) const {
        const auto* attribute = find(type);
        return attribute ? std::string(attribute->value.begin(), attribute->value.end()) : "";
    }
    std::optional<stun::Address> xor_address(std::uint16_t type) const {
        const auto* attribute = find(type);
        if (attribute == nullptr) return std::nullopt;
        const auto decoded = stun::decode_xor_address(attribute->value, view_->transaction_id());
        const auto* address = std::get_if<stun::Address>(&decoded);
        return address ? std::optional<stun::Address>(*address) : std::nullopt;
    }
    std::vector<std::uint16_t> attribute_types() const {
        std::vector<std::uint16_t> types;
        for (const auto& attribute : view_->attributes()) types.push_back(attribute.type);
        return types;
    }

private:
    std::vector<std::uint8_t> bytes_;
    std::optional<stun::MessageView> view_;
};

// Records itself in `held` while alive.
class FakeHeldPort final : public HeldPort {
public:
    FakeHeldPort(const stun::Address& address, std::shared_ptr<std::set<std::string>> held)
        : address_(address), held_(std::move(held)) {
        held_->insert(address_.to_string());
    }
    ~FakeHeldPort() override { held_->erase(address_.to_string()); }
    const stun::Address& address() const override { return address_; }

private:
    stun::Address address_;
    std::shared_ptr<std::set<std::string>> held_;  // outlives the sink if need be
};

class FakeSink final : public EngineSink {
public:
    struct ToClient {
        FiveTuple client;
        std::vector<std::uint8_t> bytes;
    };
    struct ToPeer {
        AllocationId id;
        stun::Address peer;
        std::vector<std::uint8_t> payload;
    };
    struct Opened {
        AllocationId id;
        stun::Address::Family family;
        FiveTuple client;
        stun::Address address;
    };

    void send_to_client(const FiveTuple& client, std::span<const std::uint8_t> bytes) override {
        to_client.push_back({client, {bytes.begin(), bytes.end()}});
    }
    std::optional<stun::Address> open_relay(AllocationId id, stun::Address::Family family,
                                            const FiveTuple& client) override {
        ++open_calls;
        if (fail_open || fail_family == family) return std::nullopt;
        stun::Address address = family == stun::Address::Family::v4 ? relay_v4 : relay_v6;
        address.port = next_port++;
        opened.push_back({id, family, client, address});
        return address;
    }
    // A port of `busy` cannot be held (bound by someone else).
    std::unique_ptr<HeldPort> hold_port(const stun::Address& address) override {
        if (busy.contains(address.to_string())) return nullptr;
        return std::make_unique<FakeHeldPort>(address, held);
    }
    std::optional<stun::Address> open_held_relay(AllocationId id,
                                                 std::unique_ptr<HeldPort> port) override {
        ++open_calls;
        const stun::Address address = port->address();
        opened.push_back({id, address.family, FiveTuple{}, address});
        return address;
    }
    void send_to_peer(AllocationId id, const stun::Address& peer,
                      std::span<const std::uint8_t> payload) override {
        to_peer.push_back({id, peer, {payload.begin(), payload.end()}});
    }
    void close_relay(AllocationId id) override { closed.push_back(id); }

    void clear() {
        to_client.clear();
        to_peer.clear();
    }

    std::vector<ToClient> to_client;
    std::vector<ToPeer> to_peer;
    std::vector<Opened> opened;
    std::vector<AllocationId> closed;
    int open_calls = 0;
    std::set<std::string> busy;  // ports hold_port cannot bind
    // Ports held now (a FakeHeldPort alive).
    std::shared_ptr<std::set<std::string>> held = std::make_shared<std::set<std::string>>();
    bool fail_open = false;
    std::optional<stun::Address::Family> fail_family;  // no free port of this family
    std::uint16_t next_port = 50000;
    stun::Address relay_v4 = addr("203.0.113.50:0");
    stun::Address relay_v6 = addr("[2001:4860:4860::50]:0");
};

// The process-wide state and the bridge's view of active users, in one fake.
class FakeSharedState final : public SharedState, public ActiveUsers {
public:
    bool is_active(std::string_view user_id) const override {
        return active.contains(std::string(user_id));
    }
    Reserve reserve_allocation(std::string_view user) override {
        if (total >= max_total) return Reserve::total_exceeded;
        if (per_user[std::string(user)] >= max_per_user) return Reserve::user_exceeded;
        ++total;
        ++per_user[std::string(user)];
        return Reserve::ok;
    }
    void release_allocation(std::string_view user) override {
        --total;
        --per_user[std::string(user)];
    }
    void add_relayed(const stun::Address& a) override { relayed.insert(a.to_string()); }
    void remove_relayed(const stun::Address& a) override { relayed.erase(a.to_string()); }
    bool is_relayed(const stun::Address& a) const override {
        return relayed.contains(a.to_string());
    }

    Reserve add_reservation(std::uint64_t token, std::string_view user,
                            std::unique_ptr<HeldPort> port,
                            shared::Clock::Steady::time_point expiry) override {
        const Reserve charged = reserve_allocation(user);
        if (charged != Reserve::ok) return charged;
        reservations[token] = {std::move(port), expiry};
        reservation_users[token] = std::string(user);
        return Reserve::ok;
    }
    Taken take_reservation(std::uint64_t token, std::string_view user,
                           shared::Clock::Steady::time_point now) override {
        expire_reservations(now);
        auto it = reservations.find(token);
        if (it == reservations.end()) return {};
        if (reservation_users[token] != user) {
            if (per_user[std::string(user)] >= max_per_user)
                return {nullptr, Reserve::user_exceeded};
            release_allocation(reservation_users[token]);
            ++total;
            ++per_user[std::string(user)];
        }
        Taken taken{std::move(it->second.first), Reserve::ok};
        reservations.erase(it);
        reservation_users.erase(token);
        return taken;
    }
    void expire_reservations(shared::Clock::Steady::time_point now) override {
        for (auto it = reservations.begin(); it != reservations.end();) {
            if (now < it->second.second) {
                ++it;
                continue;
            }
            release_allocation(reservation_users[it->first]);
            reservation_users.erase(it->first);
            it = reservations.erase(it);
        }
    }

    std::map<std::uint64_t, std::pair<std::unique_ptr<HeldPort>, shared::Clock::Steady::time_point>>
        reservations;
    std::map<std::uint64_t, std::string> reservation_users;
    std::set<std::string> active;
    std::set<std::string> relayed;
    std::map<std::string, int> per_user;
    int total = 0;
    int max_total = 100;
    int max_per_user = 10;
};

// A TURN client: its 5-tuple, its long-term credential and the last nonce.
struct TestClient {
    FiveTuple tuple;
    std::string username;
    std::string password;
    std::string realm = "switchboard";
    std::string nonce;
    bool fingerprint = false;

    stun::LongTermKey key() const { return stun::long_term_key(username, realm, password); }

    using Attributes = std::function<void(stun::MessageBuilder&)>;

    // A request, signed (USERNAME, REALM, NONCE, MESSAGE-INTEGRITY) unless
    // `sign` is false; FINGERPRINT when `fingerprint`.
    std::vector<std::uint8_t> request(
        stun::Method method, const Attributes& attributes = {}, bool sign = true,
        const stun::TransactionId& id = stun::TransactionId::random()) const {
        stun::MessageBuilder builder(method, stun::MessageClass::request, id);
        if (attributes) attributes(builder);
        if (sign) {
            stun::add_username(builder, username);
            stun::add_realm(builder, realm);
            stun::add_nonce(builder, nonce);
            builder.add_message_integrity(key());
        }
        if (fingerprint) builder.add_fingerprint();
        EXPECT_TRUE(builder.ok());
        return std::move(builder).take();
    }

    std::vector<std::uint8_t> indication(stun::Method method, const Attributes& attributes) const {
        stun::MessageBuilder builder(method, stun::MessageClass::indication,
                                     stun::TransactionId::random());
        if (attributes) attributes(builder);
        return std::move(builder).take();
    }
};

}  // namespace switchboard::turn::test
