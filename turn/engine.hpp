#pragma once
// The TURN engine of one worker thread (RFC 8656 over RFC 8489): it owns the
// allocations whose client 5-tuples land on this worker, and turns packets
// into effects through an EngineSink that the io layer implements (send to a
// client, open/close a relay socket, send to a peer). Pure: no sockets, time
// from an injected Clock, so every rule is unit-tested with a fake sink.
//
// Thread context: one Engine per worker, called only on that worker's thread.
// The objects it shares with other workers (SharedState) are thread-safe.
// Hot path (ChannelData, Send indications, peer data): no heap allocation per
// packet (scratch buffers are reused), and no lock except for a peer allowed
// only by the relay-to-relay exception, whose every packet re-checks
// SharedState::is_relayed.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/metrics.hpp"
#include "turn/stun/address.hpp"

namespace switchboard::turn {

enum class Transport : std::uint8_t { udp, tcp, tls };

// Client side of an allocation: how the client reached us. For TCP/TLS the
// tuple names one connection.
struct FiveTuple {
    Transport transport = Transport::udp;
    stun::Address client;  // the client's address as we see it (its NAT's)
    stun::Address server;  // our address the packet arrived on
    bool operator==(const FiveTuple&) const = default;
};

struct FiveTupleHash {
    std::size_t operator()(const FiveTuple& t) const noexcept;
};

// Names an allocation and each of its relay sockets: a relay socket's id
// is its allocation's id, except for the second relay of a dual allocation
// (RFC 8656 section 7.2, ADDITIONAL-ADDRESS-FAMILY), which has its own.
using AllocationId = std::uint64_t;

// A UDP port bound by the io layer on the engine's behalf and held unused,
// so that nothing else (another allocation, another process) can take it:
// the next-higher port of an EVEN-PORT allocation with the R bit, until the
// Allocate that presents its RESERVATION-TOKEN (RFC 8656 section 7.2) makes
// it a relay. Destroying it frees the port. Not tied to a worker: a
// reservation made on one worker may be taken on another.
class HeldPort {
public:
    virtual ~HeldPort() = default;
    virtual const stun::Address& address() const = 0;
};

// What the io layer does on the engine's behalf. Calls happen synchronously
// inside Engine methods; spans are valid only during the call.
class EngineSink {
public:
    virtual ~EngineSink() = default;
    // A STUN message or ChannelData to the client (for streams the engine has
    // already padded ChannelData to 4 bytes).
    virtual void send_to_client(const FiveTuple& client, std::span<const std::uint8_t> bytes) = 0;
    // Binds a UDP relay socket `id` of `family` on relay_bind_address()
    // (turn/relay_address.hpp) and the port range. Returns its local
    // address, or nullopt when no port is free (the engine answers 508, or
    // ADDRESS-ERROR-CODE 508 for a dual allocation's second family).
    virtual std::optional<stun::Address> open_relay(AllocationId id, stun::Address::Family family,
                                                    const FiveTuple& client) = 0;
    // Binds exactly `address` and holds it unused (HeldPort), or nullptr when
    // it is taken.
    virtual std::unique_ptr<HeldPort> hold_port(const stun::Address& address) = 0;
    // Turns a held port (from any worker's hold_port) into relay socket
    // `id`; returns its address, or nullopt if the port was not this io
    // layer's.
    virtual std::optional<stun::Address> open_held_relay(AllocationId id,
                                                         std::unique_ptr<HeldPort> port) = 0;
    // From relay socket `id` (the one of the peer's family).
    virtual void send_to_peer(AllocationId id, const stun::Address& peer,
                              std::span<const std::uint8_t> payload) = 0;
    virtual void close_relay(AllocationId id) = 0;
};

// The bridge as one worker sees it (turn.require_active_session; asked about
// REST usernames only): is this user's signaling session alive? Answered on
// the worker's thread from its own snapshot (shared/session_bridge.hpp),
// never under a signaling lock.
class ActiveUsers {
public:
    virtual ~ActiveUsers() = default;
    virtual bool is_active(std::string_view user_id) const = 0;
};

// Shared by every worker's engine (thread-safe).
class SharedState {
public:
    virtual ~SharedState() = default;
    // Global quotas: reserve one allocation for `user` (max_allocations ->
    // false_total, max_allocations_per_user -> false_user).
    enum class Reserve { ok, total_exceeded, user_exceeded };
    virtual Reserve reserve_allocation(std::string_view user) = 0;
    virtual void release_allocation(std::string_view user) = 0;
    // Relayed addresses of live allocations on this server (any worker): a
    // valid peer even when the policy would deny its range (relay-to-relay).
    virtual void add_relayed(const stun::Address& a) = 0;
    virtual void remove_relayed(const stun::Address& a) = 0;
    virtual bool is_relayed(const stun::Address& a) const = 0;
    // Port reservations (EVEN-PORT with the R bit): `port` is held for
    // `token` until `expiry`, charged to `user` like an allocation (it holds
    // a port as one does): refused as reserve_allocation would refuse, and
    // the port is then freed. Expired ones are freed, and their charge
    // released, by expire_reservations (each worker's tick) or the next add
    // or take.
    virtual Reserve add_reservation(std::uint64_t token, std::string_view user,
                                    std::unique_ptr<HeldPort> port,
                                    shared::Clock::Steady::time_point expiry) = 0;
    // The Allocate that presents `token` (on any worker), made by `user`,
    // takes the port, and the charge becomes that allocation's (moved to
    // `user` if another user made the reservation and `user`'s quota allows:
    // else user_exceeded and the reservation stays). No port and `ok`: no
    // such reservation (unknown or expired), nothing charged.
    struct Taken {
        std::unique_ptr<HeldPort> port;
        Reserve status = Reserve::ok;
    };
    virtual Taken take_reservation(std::uint64_t token, std::string_view user,
                                   shared::Clock::Steady::time_point now) = 0;
    virtual void expire_reservations(shared::Clock::Steady::time_point now) = 0;
};

struct EngineStats;  // counters, defined in engine.cpp

class Engine {
public:
    // `nonce_key` is a per-process random key shared by all workers so a
    // nonce issued by one worker is valid on another (TCP vs UDP of one client).
    Engine(const shared::Config& config, const shared::Clock& clock, SharedState& shared,
           const ActiveUsers& active, shared::Metrics& metrics,
           std::span<const std::uint8_t> nonce_key);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // A datagram (UDP) or one framed message (TCP/TLS: one STUN message or
    // one ChannelData, as stun::next_frame_size split it) from a client.
    void on_client_packet(const FiveTuple& from, std::span<const std::uint8_t> bytes,
                          EngineSink& sink);
    // A datagram received on relay socket `id` (either relay of a dual
    // allocation) from `peer`.
    void on_peer_packet(AllocationId id, const stun::Address& peer,
                        std::span<const std::uint8_t> bytes, EngineSink& sink);
    // A TCP/TLS client connection closed: its allocation goes with it (RFC 8656 §3.1).
    void on_client_closed(const FiveTuple& client, EngineSink& sink);
    // Expires allocations, permissions and channel bindings. Call about once a second.
    void tick(EngineSink& sink);
    // The bridge: tear down every allocation made with REST credentials of
    // `user_id` (its session ended, it left its last room, it was kicked);
    // those of a static user of the same name stay. Costs that user's
    // allocations, not a scan.
    void drop_user(std::string_view user_id, EngineSink& sink);
    // Draining: refuse new allocations (Allocate -> 508... or 486) from now on.
    void stop_accepting();
    // SIGHUP: the hot TURN settings of `config` (shared/reload.hpp): secrets
    // and static users.
    void reload(const shared::Config& config);
    // Start-up, before any packet: more addresses of this server to refuse as
    // peers (the io layer's interface addresses, for wildcard listeners).
    void add_own_addresses(std::span<const stun::Address> addresses);

    std::size_t allocation_count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::turn
