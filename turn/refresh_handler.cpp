// Refresh (RFC 8656 section 8.2, "Receiving a Refresh Request").
#include "turn/handlers.hpp"
#include "turn/stun/address_family.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/lifetime.hpp"

namespace switchboard::turn {

std::vector<std::uint8_t> handle_refresh(EngineContext& context, const Request& request,
                                         Allocation& allocation, EngineSink& sink) {
    const stun::MessageView& message = request.message;

    // "If the server receives a Refresh Request with a
    // REQUESTED-ADDRESS-FAMILY attribute and the attribute value does not
    // match the address family of the allocation, the server MUST reply
    // with a 443 (Peer Address Family Mismatch) error." For a dual
    // allocation either family matches; section 8.1: "When refreshing a
    // dual allocation, the client includes a REQUESTED-ADDRESS-FAMILY
    // attribute indicating the address family type that should be
    // refreshed. If no REQUESTED-ADDRESS-FAMILY attribute is included, then
    // the request should be treated as applicable to all address families."
    std::optional<stun::Address::Family> only;
    if (const auto* family_attribute = message.find(stun::kAttrRequestedAddressFamily)) {
        const auto family = stun::decode_address_family(family_attribute->value);
        if (!std::holds_alternative<stun::Address::Family>(family)) {
            return std::move(context.error(request, stun::kErrorBadRequest)).finish();
        }
        only = std::get<stun::Address::Family>(family);
        if (allocation.relay(*only) == nullptr) {
            return std::move(context.error(request, stun::kErrorPeerAddressFamilyMismatch))
                .finish();
        }
    }

    // "The server computes a value called the "desired lifetime" as
    // follows: if the request contains a LIFETIME attribute and the
    // attribute value is zero, then the "desired lifetime" is zero.
    // Otherwise, if the request contains a LIFETIME attribute, then the
    // server computes the minimum of the client's requested lifetime and the
    // server's maximum allowed lifetime. If this computed value is greater
    // than the default lifetime, then the "desired lifetime" is the computed
    // value. Otherwise, the "desired lifetime" is the default lifetime."
    std::optional<std::uint32_t> requested;
    if (const auto* lifetime = message.find(stun::kAttrLifetime)) {
        const auto seconds = stun::decode_lifetime(lifetime->value);
        if (!std::holds_alternative<std::uint32_t>(seconds)) {
            return std::move(context.error(request, stun::kErrorBadRequest)).finish();
        }
        requested = std::get<std::uint32_t>(seconds);
    }
    const auto desired = requested == 0u ? std::chrono::seconds(0)
                                         : granted_lifetime(context.config.turn, requested);

    // "If the "desired lifetime" is zero, then the request succeeds and the
    // allocation is deleted. If the "desired lifetime" is non-zero, then the
    // request succeeds and the allocation's time-to-expiry is set to the
    // "desired lifetime"." ... "the server sends a success response
    // containing: A LIFETIME attribute containing the current value of the
    // time-to-expiry timer."
    Reply reply = Reply::success(request);
    stun::add_lifetime(reply.builder(), static_cast<std::uint32_t>(desired.count()));
    auto response = std::move(reply).finish();
    if (desired.count() == 0) {
        // Deleting one family of a dual allocation closes that relay only.
        if (only && allocation.relay_count() > 1) {
            context.destroy_relay(allocation, *only, sink);
        } else {
            context.destroy(allocation.id(), sink);  // `allocation` is gone now
        }
    } else {
        // One time-to-expiry serves both families of a dual allocation: a
        // Refresh of either keeps both (deleting one takes LIFETIME 0).
        allocation.set_expires(context.now() + desired);
    }
    return response;
}

}  // namespace switchboard::turn
