#pragma once
// The Prometheus series of the TURN engine (switchboard_turn_*), registered
// once and kept as references so the hot path is one relaxed atomic add.
// Every Engine registers the same series (Metrics is get-or-create), so the
// values are process totals. Label values come from bounded sets only
// (method names, error codes, drop reasons), never from peers.
//
// Thread context: the counters are atomic; error() takes the registry mutex
// the first time a given code is seen by this engine.

#include <array>
#include <cstdint>
#include <unordered_map>

#include "shared/metrics.hpp"
#include "turn/stun/message.hpp"

namespace switchboard::turn {

enum class DropReason : std::uint8_t {
    malformed,        // not STUN/ChannelData, or a bad attribute
    no_allocation,    // data or indication from a 5-tuple without allocation
    no_permission,    // RFC 8656 section 9: no permission for the peer's IP
    forbidden_peer,   // the peer policy refuses the address
    unknown_channel,  // ChannelData on an unbound channel
    bandwidth,        // over max_bps_per_allocation
    unexpected,       // responses and indications other than Send from a client
    rate_limited,     // an unauthenticated UDP request past turn.unauthenticated_replies
};
inline constexpr std::size_t kDropReasonCount = 8;

// Why a request whose MAC verified was refused anyway (authenticator.hpp).
enum class CredentialRefusal : std::uint8_t {
    expired,         // REST username past its expiry (Allocate)
    expiry_too_far,  // expiring beyond credential_ttl + skew (Allocate)
    inactive,        // require_active_session and no signaling session
};
inline constexpr std::size_t kCredentialRefusalCount = 3;

class EngineMetrics {
public:
    explicit EngineMetrics(shared::Metrics& registry);

    shared::Counter& request(stun::Method method) noexcept;
    shared::Counter& error(std::uint16_t code);
    void drop(DropReason reason) noexcept { dropped_[static_cast<std::size_t>(reason)]->inc(); }
    void credential_refusal(CredentialRefusal reason) noexcept {
        refusals_[static_cast<std::size_t>(reason)]->inc();
    }

    shared::Gauge& allocations;
    shared::Counter& allocations_total;
    shared::Counter& packets_to_peer;
    shared::Counter& bytes_to_peer;
    shared::Counter& packets_from_peer;
    shared::Counter& bytes_from_peer;

private:
    shared::Metrics& registry_;
    std::array<shared::Counter*, 8> requests_{};  // 7 methods + unknown
    std::array<shared::Counter*, kDropReasonCount> dropped_{};
    std::array<shared::Counter*, kCredentialRefusalCount> refusals_{};
    std::unordered_map<std::uint16_t, shared::Counter*> errors_;
};

}  // namespace switchboard::turn
