// The TURN engine (turn/engine.hpp) driven by a fuzzed sequence of events
// with a fake clock: raw client packets, requests signed with a static
// user's long-term key (so that the fuzzer reaches allocations, permissions,
// channels and relaying, not only the 401), peer packets to the relays it
// opened, ChannelData, client closes, and time passing with ticks. The real
// ProcessState holds the quotas and reservations.
//
// Input: a list of events, each an opcode byte and a length-prefixed body.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/metrics.hpp"
#include "turn/engine.hpp"
#include "turn/process_state.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/long_term_key.hpp"
#include "turn/stun/message.hpp"
#include "turn/stun/text_attributes.hpp"

namespace turn = switchboard::turn;
namespace stun = switchboard::turn::stun;
namespace shared = switchboard::shared;

namespace {

struct Everyone final : turn::ActiveUsers {
    bool is_active(std::string_view) const override { return true; }
};

struct Held final : turn::HeldPort {
    explicit Held(stun::Address a) : address_(a) {}
    const stun::Address& address() const override { return address_; }
    stun::Address address_;
};

// Relays "open" on 203.0.113.1 (IPv4) or 2001:db8::1 (IPv6); replies are
// kept for their NONCE.
struct Sink final : turn::EngineSink {
    void send_to_client(const turn::FiveTuple&, std::span<const std::uint8_t> bytes) override {
        const auto parsed = stun::parse_message(bytes);
        if (const auto* m = std::get_if<stun::MessageView>(&parsed)) {
            if (const auto* a = m->find(stun::kAttrNonce))
                nonce.assign(a->value.begin(), a->value.end());
        }
    }
    std::optional<stun::Address> open_relay(turn::AllocationId id, stun::Address::Family family,
                                            const turn::FiveTuple&) override {
        if (relays.size() >= 64) return std::nullopt;
        auto a = stun::Address::from_ip(
            family == stun::Address::Family::v4 ? "203.0.113.1" : "2001:db8::1",
            static_cast<std::uint16_t>(50000 + next_port++ % 10000));
        relays[id] = *a;
        return a;
    }
    std::unique_ptr<turn::HeldPort> hold_port(const stun::Address& address) override {
        return std::make_unique<Held>(address);
    }
    std::optional<stun::Address> open_held_relay(turn::AllocationId id,
                                                 std::unique_ptr<turn::HeldPort> port) override {
        relays[id] = port->address();
        return port->address();
    }
    void send_to_peer(turn::AllocationId, const stun::Address&,
                      std::span<const std::uint8_t>) override {}
    void close_relay(turn::AllocationId id) override { relays.erase(id); }

    std::map<turn::AllocationId, stun::Address> relays;
    std::string nonce;
    unsigned next_port = 0;
};

struct Reader {
    std::span<const std::uint8_t> in;
    std::uint8_t byte() {
        if (in.empty()) return 0;
        const auto b = in[0];
        in = in.subspan(1);
        return b;
    }
    std::span<const std::uint8_t> body() {
        const std::size_t n = std::min<std::size_t>(byte(), in.size());
        const auto out = in.first(n);
        in = in.subspan(n);
        return out;
    }
};

const stun::Method kMethods[] = {stun::Method::binding, stun::Method::allocate,
                                 stun::Method::refresh, stun::Method::create_permission,
                                 stun::Method::channel_bind};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const shared::Config config = [] {
        shared::Config c;
        c.turn.secrets = {"fuzz-secret-0123456789abcdef0123456789"};
        c.turn.static_users = {{"tester", "tester-password"}};
        c.turn.require_active_session = false;
        c.turn.unauthenticated_replies.per_second = 0;
        return c;
    }();
    static const auto key = stun::long_term_key("tester", "switchboard", "tester-password");
    static const std::uint8_t nonce_key[32] = {7};
    shared::FakeClock clock(1'700'000'000);
    turn::ProcessState state(32, 8);
    Everyone everyone;
    shared::Metrics metrics;
    turn::Engine engine(config, clock, state, everyone, metrics, nonce_key);
    Sink sink;

    Reader r{std::span(data, size)};
    for (int events = 0; !r.in.empty() && events < 256; ++events) {
        const std::uint8_t op = r.byte();
        const std::uint8_t who = r.byte();
        const turn::FiveTuple from{
            who % 3 == 0   ? turn::Transport::udp
            : who % 3 == 1 ? turn::Transport::tcp
                           : turn::Transport::tls,
            *stun::Address::from_ip(who & 8 ? "198.51.100.7" : "192.0.2.9",
                                    static_cast<std::uint16_t>(40000 + (who >> 4))),
            *stun::Address::from_ip("203.0.113.1", 3478)};
        switch (op % 6) {
            case 0: engine.on_client_packet(from, r.body(), sink); break;
            case 1: {  // a signed request: raw attributes (type, length, value), then the
                       // credentials
                stun::MessageBuilder b(kMethods[r.byte() % 5], stun::MessageClass::request,
                                       stun::TransactionId::random());
                auto attrs = r.body();
                while (attrs.size() >= 3) {
                    const std::uint16_t type = static_cast<std::uint16_t>(attrs[0] << 8 | attrs[1]);
                    const std::size_t n = std::min<std::size_t>(attrs[2], attrs.size() - 3);
                    b.add(type, attrs.subspan(3, n));
                    attrs = attrs.subspan(3 + n);
                }
                stun::add_username(b, "tester");
                stun::add_realm(b, "switchboard");
                stun::add_nonce(b, sink.nonce.empty() ? "none" : sink.nonce);
                b.add_message_integrity(key);
                if (b.ok()) engine.on_client_packet(from, b.bytes(), sink);
                break;
            }
            case 2: {  // a peer's datagram to one of the relays
                const auto body = r.body();
                if (sink.relays.empty()) break;
                auto it = sink.relays.begin();
                std::advance(it, who % sink.relays.size());
                const auto peer =
                    stun::Address::from_ip(who & 1 ? "8.8.8.8" : "192.168.1.1", 5000 + (who & 7));
                engine.on_peer_packet(it->first, *peer, body, sink);
                break;
            }
            case 3:
                clock.advance(std::chrono::seconds(r.byte()));
                engine.tick(sink);
                break;
            case 4: engine.on_client_closed(from, sink); break;
            case 5: engine.drop_user("tester", sink); break;
        }
    }
    return 0;
}
