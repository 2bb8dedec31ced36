// Engine: demultiplexing and dispatch only. The rules live in the handlers
// (handlers.hpp), the state in Allocation/AllocationTable.
#include "turn/engine.hpp"

#include <variant>

#include "shared/log.hpp"
#include "turn/engine_context.hpp"
#include "turn/handlers.hpp"
#include "turn/request_auth.hpp"
#include "turn/stun/channel_data.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/unknown_attributes.hpp"

namespace switchboard::turn {

std::size_t FiveTupleHash::operator()(const FiveTuple& t) const noexcept {
    const stun::AddressHash hash;
    std::size_t h = hash(t.client);
    h ^= hash(t.server) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h ^ (static_cast<std::size_t>(t.transport) << 1);
}

struct Engine::Impl {
    Impl(const shared::Config& config, const shared::Clock& clock, SharedState& shared,
         const ActiveUsers& active, shared::Metrics& metrics,
         std::span<const std::uint8_t> nonce_key)
        : context(config, clock, shared, active, metrics, nonce_key) {}

    void on_stun(const FiveTuple& from, const stun::MessageView& message, EngineSink& sink);
    void on_request(const FiveTuple& from, const stun::MessageView& message, EngineSink& sink);
    std::vector<std::uint8_t> on_allocation_request(const Request& request, EngineSink& sink);

    EngineContext context;
};

void Engine::Impl::on_stun(const FiveTuple& from, const stun::MessageView& message,
                           EngineSink& sink) {
    // RFC 8489 section 7.3: a FINGERPRINT that does not verify means the
    // packet is not STUN after all.
    if (message.fingerprint_offset() && !stun::verify_fingerprint(message)) {
        context.metrics.drop(DropReason::malformed);
        return;
    }
    switch (message.message_class()) {
        case stun::MessageClass::request: on_request(from, message, sink); return;
        case stun::MessageClass::indication:
            // RFC 8656: the only indication a client sends a server is Send.
            if (message.method() == stun::Method::send) {
                handle_send_indication(context, from, message, sink);
            } else {
                context.metrics.drop(DropReason::unexpected);
            }
            return;
        case stun::MessageClass::success_response:
        case stun::MessageClass::error_response:
            // The server sends no requests, so no response is expected.
            context.metrics.drop(DropReason::unexpected);
            return;
    }
}

void Engine::Impl::on_request(const FiveTuple& from, const stun::MessageView& message,
                              EngineSink& sink) {
    context.metrics.request(message.method()).inc();
    const Request bare{from, message, nullptr};

    // Retransmissions (RFC 8489 section 6.3.1, RFC 8656 section 7.2): the
    // same bytes again, without redoing the work. For the creating Allocate
    // that is what "MUST NOT" make a second allocation.
    if (Allocation* allocation = context.allocations.find(from)) {
        const auto* cached =
            message.method() == stun::Method::allocate
                ? allocation->allocate_response(message.transaction_id())
                : allocation->cached_response(message.transaction_id(), context.now());
        if (cached != nullptr) {
            sink.send_to_client(from, *cached);
            return;
        }
    }

    std::vector<std::uint8_t> response;
    bool authenticated_reply = false;
    switch (message.method()) {
        case stun::Method::binding: response = handle_binding(context, bare); break;
        case stun::Method::allocate:
        case stun::Method::refresh:
        case stun::Method::create_permission:
        case stun::Method::channel_bind: {
            auto authenticated = authenticate_request(context, bare);
            if (auto* error = std::get_if<std::vector<std::uint8_t>>(&authenticated)) {
                response = std::move(*error);
                break;
            }
            const auto& credentials = std::get<Credentials>(authenticated);
            response = on_allocation_request(Request{from, message, &credentials}, sink);
            authenticated_reply = true;
            break;
        }
        default:
            // A method this server does not implement (or Send/Data sent as a
            // request): RFC 8489 section 6.3.1 leaves it to the method
            // definitions; there is none, so the request is bad.
            response = std::move(context.error(bare, stun::kErrorBadRequest)).finish();
            break;
    }
    if (response.empty()) return;
    // A reply to a request that proved nothing about its sender: over UDP
    // the source may be forged, so each source IP gets only so many.
    if (!authenticated_reply && from.transport == Transport::udp &&
        !context.unauthenticated_replies.admit(from.client.bytes, context.now())) {
        context.metrics.drop(DropReason::rate_limited);
        return;
    }
    sink.send_to_client(from, response);
}

std::vector<std::uint8_t> Engine::Impl::on_allocation_request(const Request& request,
                                                              EngineSink& sink) {
    const stun::MessageView& message = request.message;
    // RFC 8489 section 6.3.1 (after the authentication checks): "If the
    // request contains one or more unknown comprehension-required
    // attributes, the server replies with an error response with an error
    // code of 420 (Unknown Attribute) and includes an UNKNOWN-ATTRIBUTES
    // attribute in the response that lists the unknown
    // comprehension-required attributes."
    const auto unknown = stun::unknown_comprehension_required(message);
    std::vector<std::uint8_t> response;
    Allocation* allocation = context.allocations.find(request.from);
    if (!unknown.empty()) {
        Reply reply = context.error(request, stun::kErrorUnknownAttribute);
        stun::add_unknown_attributes(reply.builder(), unknown);
        response = std::move(reply).finish();
    } else if (message.method() == stun::Method::allocate) {
        return handle_allocate(context, request, sink);  // keeps its own response
    } else if (allocation == nullptr) {
        // RFC 8656 section 5: requests other than Allocate need an
        // allocation; section 8.2: "If ... no allocation ... the server
        // replies with a 437 (Allocation Mismatch) error."
        return std::move(context.error(request, stun::kErrorAllocationMismatch)).finish();
    } else if (allocation->username() != request.credentials->username) {
        // RFC 8656 section 5: "the server MUST check that the USERNAME ...
        // used in the request ... is the same as that used to create the
        // allocation. If not, the server MUST reject the request with a 441
        // (Wrong Credentials) error."
        response = std::move(context.error(request, stun::kErrorWrongCredentials)).finish();
    } else if (message.method() == stun::Method::refresh) {
        response = handle_refresh(context, request, *allocation, sink);
    } else if (message.method() == stun::Method::create_permission) {
        response = handle_create_permission(context, request, *allocation);
    } else {
        response = handle_channel_bind(context, request, *allocation);
    }
    // Kept for retransmissions, if the allocation survived the request.
    if (!response.empty()) {
        if (Allocation* still = context.allocations.find(request.from)) {
            still->cache_response(message.transaction_id(), response, context.now());
        }
    }
    return response;
}

Engine::Engine(const shared::Config& config, const shared::Clock& clock, SharedState& shared,
               const ActiveUsers& active, shared::Metrics& metrics,
               std::span<const std::uint8_t> nonce_key)
    : impl_(std::make_unique<Impl>(config, clock, shared, active, metrics, nonce_key)) {}

Engine::~Engine() {
    // The io layer closes its relay sockets itself; give back what is shared.
    auto& context = impl_->context;
    for (const AllocationId id :
         context.allocations.select([](const Allocation&) { return true; })) {
        const auto allocation = context.allocations.remove(id);
        allocation->for_each_relay(
            [&](const Allocation::Relay& relay) { context.shared.remove_relayed(relay.address); });
        context.shared.release_allocation(allocation->user());
        context.metrics.allocations.dec();
    }
}

void Engine::on_client_packet(const FiveTuple& from, std::span<const std::uint8_t> bytes,
                              EngineSink& sink) {
    auto& context = impl_->context;
    // RFC 7983 / RFC 8656 section 12: 0x40-0x4F starts ChannelData,
    // 0x00-0x03 STUN; anything else is not ours.
    if (stun::looks_like_channel_data(bytes)) {
        handle_client_channel_data(context, from, bytes, sink);
        return;
    }
    const auto parsed = stun::parse_message(bytes);
    const auto* message = std::get_if<stun::MessageView>(&parsed);
    if (message == nullptr) {
        context.metrics.drop(DropReason::malformed);
        SB_LOG(trace, "turn", "dropped a malformed packet");
        return;
    }
    impl_->on_stun(from, *message, sink);
}

void Engine::on_peer_packet(AllocationId id, const stun::Address& peer,
                            std::span<const std::uint8_t> bytes, EngineSink& sink) {
    handle_peer_data(impl_->context, id, peer, bytes, sink);
}

void Engine::on_client_closed(const FiveTuple& client, EngineSink& sink) {
    auto& context = impl_->context;
    if (const Allocation* allocation = context.allocations.find(client)) {
        context.destroy(allocation->id(), sink);
    }
}

void Engine::tick(EngineSink& sink) {
    auto& context = impl_->context;
    const TimePoint now = context.now();
    // RFC 8656 section 2.2: "When the time-to-expiry reaches 0, the
    // allocation expires" (and is deleted, with its permissions and
    // channels).
    for (const AllocationId id :
         context.allocations.select([&](const Allocation& a) { return a.expired(now); })) {
        context.destroy(id, sink);
    }
    context.allocations.for_each([&](Allocation& allocation) { allocation.expire(now); });
    // Reserved ports past their ~30 s (RFC 8656 section 7.2) are freed.
    context.shared.expire_reservations(now);
}

void Engine::drop_user(std::string_view user_id, EngineSink& sink) {
    auto& context = impl_->context;
    for (const AllocationId id : context.allocations.of_rest_user(user_id))
        context.destroy(id, sink);
}

void Engine::add_own_addresses(std::span<const stun::Address> addresses) {
    for (const auto& a : addresses) impl_->context.policy.add_own_address(a.bytes);
}

void Engine::reload(const shared::Config& config) {
    impl_->context.authenticator.reload(config.turn);
}

void Engine::stop_accepting() {
    impl_->context.accepting = false;
}

std::size_t Engine::allocation_count() const {
    return impl_->context.allocations.size();
}

}  // namespace switchboard::turn
