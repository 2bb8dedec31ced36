#include "turn/engine_context.hpp"

#include "shared/log.hpp"

#include <utility>

#include "shared/crypto.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/text_attributes.hpp"

namespace switchboard::turn {
namespace {

// Ids are unique across workers too (the io layer may keep one map of
// relay sockets): a random 32-bit engine prefix and a 32-bit counter.
AllocationId random_id_base() {
    std::array<std::uint8_t, 4> prefix{};
    shared::random_bytes(prefix);
    AllocationId base = 0;
    for (const auto byte : prefix) {
        base = (base << 8) | byte;
    }
    return (base << 32) | 1;
}

}  // namespace

Reply::Reply(const Request& request, stun::MessageClass cls)
    : request_(request),
      builder_(request.message.method(), cls, request.message.transaction_id()) {}

Reply Reply::success(const Request& request) {
    return Reply(request, stun::MessageClass::success_response);
}

Reply Reply::error(const Request& request, std::uint16_t code, std::string_view reason) {
    Reply reply(request, stun::MessageClass::error_response);
    stun::add_error_code(reply.builder_, code, reason);
    return reply;
}

std::vector<std::uint8_t> Reply::finish() && {
    if (request_.credentials != nullptr) {
        if (request_.credentials->sha256) {
            builder_.add_message_integrity_sha256(request_.credentials->key);
        } else {
            builder_.add_message_integrity(request_.credentials->key);
        }
    }
    if (request_.message.fingerprint_offset()) {
        builder_.add_fingerprint();
    }
    if (!builder_.ok()) {
        return {};
    }
    return std::move(builder_).take();
}

EngineContext::EngineContext(const shared::Config& config_, const shared::Clock& clock_,
                             SharedState& shared_, const ActiveUsers& active,
                             shared::Metrics& metrics_, std::span<const std::uint8_t> nonce_key)
    : config(config_),
      clock(clock_),
      shared(shared_),
      metrics(metrics_),
      nonces(nonce_key, clock_),
      authenticator(config_.turn, clock_, active),
      policy(config_.turn),
      unauthenticated_replies(config_.turn.unauthenticated_replies.per_second,
                              config_.turn.unauthenticated_replies.burst),
      next_id_(random_id_base()) {}

Reply EngineContext::error(const Request& request, std::uint16_t code, std::string_view reason) {
    metrics.error(code).inc();
    // Debug level: a flood of bad requests must not flood the log.
    SB_LOG(debug, "turn",
           request.from.client.to_string() + " " +
               std::string(stun::to_string(request.message.method())) + ": " +
               std::to_string(code) + (reason.empty() ? "" : " " + std::string(reason)));
    return Reply::error(request, code, reason);
}

std::vector<std::uint8_t> EngineContext::challenge(const Request& request, std::uint16_t code,
                                                   std::string_view reason) {
    const Request bare{request.from, request.message, nullptr};
    Reply reply = error(bare, code, reason);
    stun::add_realm(reply.builder(), config.turn.realm);
    stun::add_nonce(reply.builder(), nonces.issue(request.from));
    return std::move(reply).finish();
}

bool EngineContext::policy_allows(const shared::IpBytes& ip, const FiveTuple& from) const {
    if (policy.explicitly_allowed(ip)) {
        return true;
    }
    const bool ours = PeerPolicy::normalize(ip) == PeerPolicy::normalize(from.server.bytes);
    return !ours && policy.allowed(ip);
}

bool EngineContext::data_permitted(const Allocation& allocation, const stun::Address& peer,
                                   TimePoint now) {
    const Allocation::Permission* permission = allocation.permission(peer.bytes, now);
    if (permission == nullptr) {
        metrics.drop(DropReason::no_permission);
        return false;
    }
    if (!permission->policy_allows && !shared.is_relayed(peer)) {
        metrics.drop(DropReason::forbidden_peer);
        return false;
    }
    return true;
}

void EngineContext::destroy(AllocationId id, EngineSink& sink) {
    const auto allocation = allocations.remove(id);
    if (!allocation) {
        return;
    }
    allocation->for_each_relay([&](const Allocation::Relay& relay) {
        sink.close_relay(relay.id);
        shared.remove_relayed(relay.address);
    });
    shared.release_allocation(allocation->user());
    metrics.allocations.dec();
}

void EngineContext::destroy_relay(Allocation& allocation, stun::Address::Family family,
                                  EngineSink& sink) {
    if (const auto relay = allocations.remove_relay(allocation, family)) {
        sink.close_relay(relay->id);
        shared.remove_relayed(relay->address);
    }
}

}  // namespace switchboard::turn
