#pragma once
// What the Engine's handlers share (internal to turn/): the configuration,
// clock, cross-worker state, the per-worker allocation table and scratch
// buffers, and the helpers every handler needs: building replies
// (Request/Reply), the peer check, and tearing an allocation down.
//
// Thread context: one per Engine, on that Engine's worker thread.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/crypto.hpp"
#include "turn/allocation_table.hpp"
#include "turn/authenticator.hpp"
#include "turn/engine.hpp"
#include "turn/engine_metrics.hpp"
#include "turn/nonce.hpp"
#include "turn/peer_policy.hpp"
#include "turn/reply_limiter.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/message.hpp"

namespace switchboard::turn {

// A request being answered. `credentials` is set once the long-term
// credential checks passed; the reply is then integrity-protected.
struct Request {
    const FiveTuple& from;
    const stun::MessageView& message;
    const Credentials* credentials = nullptr;
};

// The response to one request (RFC 8489 section 6.3.1.1: same method and
// transaction id). finish() closes it the way the request asks:
// MESSAGE-INTEGRITY (or -SHA256) with the request's key when it was
// authenticated ("the server MUST ... include MESSAGE-INTEGRITY", section
// 9.2.4 on authenticated requests), FINGERPRINT when the request had one
// (section 7: the response "MUST" include it when the request did).
class Reply {
public:
    static Reply success(const Request& request);
    // `code` with its RFC phrase unless `reason` is given.
    static Reply error(const Request& request, std::uint16_t code, std::string_view reason = {});

    stun::MessageBuilder& builder() noexcept { return builder_; }
    // Empty if the builder refused something (then nothing is sent).
    std::vector<std::uint8_t> finish() &&;

private:
    Reply(const Request& request, stun::MessageClass cls);

    const Request& request_;
    stun::MessageBuilder builder_;
};

struct EngineContext {
    EngineContext(const shared::Config& config, const shared::Clock& clock, SharedState& shared,
                  const ActiveUsers& active, shared::Metrics& metrics,
                  std::span<const std::uint8_t> nonce_key);

    TimePoint now() const { return clock.now(); }

    // Reply::error plus the errors_total counter.
    Reply error(const Request& request, std::uint16_t code, std::string_view reason = {});
    // An unauthenticated 401/438 that tells the client how to authenticate:
    // ERROR-CODE, REALM and a fresh NONCE only (RFC 8489 section 9.2.4), so
    // a spoofed request cannot be amplified.
    std::vector<std::uint8_t> challenge(const Request& request, std::uint16_t code,
                                        std::string_view reason = {});

    // May an allocation whose client reached us on `from` exchange data
    // with `peer`? The peer policy, the address the request arrived on
    // (ours), and the relay-to-relay exception (SharedState::is_relayed).
    bool peer_allowed(const stun::Address& peer, const FiveTuple& from) const {
        return policy_allows(peer.bytes, from) || shared.is_relayed(peer);
    }
    // The first two alone: a verdict on the IP, which a permission keeps.
    bool policy_allows(const shared::IpBytes& ip, const FiveTuple& from) const;
    // The data path's check, both directions (RFC 8656 section 9): a live
    // permission for the peer's IP, and, where the policy said no to that IP
    // and the permission exists through the relay-to-relay exception, the
    // peer must be that one relayed address (IP and port), not any port of
    // its IP. Counts the drop when it says no.
    bool data_permitted(const Allocation& allocation, const stun::Address& peer, TimePoint now);

    // Relays closed, quota released, relayed addresses unregistered, gauge
    // updated. No-op for an unknown id.
    void destroy(AllocationId id, EngineSink& sink);
    // One relay of a dual allocation closed and its address unregistered;
    // the allocation lives on with the other (RFC 8656 section 8.1).
    void destroy_relay(Allocation& allocation, stun::Address::Family family, EngineSink& sink);

    AllocationId next_allocation_id() noexcept { return next_id_++; }

    const shared::Config& config;
    const shared::Clock& clock;
    SharedState& shared;
    EngineMetrics metrics;
    NonceIssuer nonces;
    Authenticator authenticator;
    PeerPolicy policy;
    AllocationTable allocations;
    ReplyLimiter unauthenticated_replies;  // per source IP, UDP only
    bool accepting = true;
    // Data path: Data indications and ChannelData are built here, so
    // relaying allocates nothing once it has grown to the largest packet.
    std::vector<std::uint8_t> scratch;
    // Transaction ids of Data indications, one per relayed datagram.
    shared::RandomPool random;

private:
    AllocationId next_id_;
};

}  // namespace switchboard::turn
