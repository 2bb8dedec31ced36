// ChannelBind (RFC 8656 section 12.2, "Receiving a ChannelBind Request").
#include "turn/handlers.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/channel_number.hpp"
#include "turn/stun/error_code.hpp"

namespace switchboard::turn {

std::vector<std::uint8_t> handle_channel_bind(EngineContext& context, const Request& request,
                                              Allocation& allocation) {
    const stun::MessageView& message = request.message;
    const auto bad_request = [&] {
        return std::move(context.error(request, stun::kErrorBadRequest)).finish();
    };

    // "The server MUST check the following:
    //  o  The request contains both a CHANNEL-NUMBER and an
    //     XOR-PEER-ADDRESS attribute;
    //  o  The channel number is in the range 0x4000 through 0x4FFF
    //     (inclusive);
    //  o  The channel number is not currently bound to a different transport
    //     address (same transport address is OK);
    //  o  The transport address is not currently bound to a different
    //     channel number.
    //  If any of these tests fail, the server replies with a 400 (Bad
    //  Request) error."
    const stun::Attribute* number_attribute = message.find(stun::kAttrChannelNumber);
    const stun::Attribute* peer_attribute = message.find(stun::kAttrXorPeerAddress);
    if (number_attribute == nullptr || peer_attribute == nullptr) {
        return bad_request();
    }
    const auto number = stun::decode_channel_number(number_attribute->value);
    const auto peer = decode_peer_address(message, *peer_attribute);
    if (!std::holds_alternative<std::uint16_t>(number) || !peer) {
        return bad_request();
    }
    const std::uint16_t channel = std::get<std::uint16_t>(number);

    // "If the XOR-PEER-ADDRESS attribute contains an address of an address
    // family that is not the same as that of a relayed transport address for
    // the allocation, the server MUST generate an error response with the
    // 443 (Peer Address Family Mismatch) response code." A dual allocation
    // has a relayed address of each family.
    if (allocation.relay(peer->family) == nullptr) {
        return std::move(context.error(request, stun::kErrorPeerAddressFamilyMismatch)).finish();
    }
    // "The server MAY impose restrictions on the IP address and port values
    // allowed in the XOR-PEER-ADDRESS attribute; if a value is not allowed,
    // the server rejects the request with a 403 (Forbidden) error."
    if (!context.peer_allowed(*peer, request.from)) {
        return std::move(context.error(request, stun::kErrorForbidden)).finish();
    }
    // "If the request is valid, but the server is unable to fulfill the
    // request due to some capacity limit or similar, the server replies with
    // a 508 (Insufficient Capacity) error." (The permission it installs.)
    if (!allocation.has_permission_entry(peer->bytes) &&
        allocation.permission_count() >= kMaxPermissionsPerAllocation) {
        return std::move(context.error(request, stun::kErrorInsufficientCapacity)).finish();
    }

    // "If the server can satisfy the request, then the server creates or
    // refreshes the channel binding using the channel number in the
    // CHANNEL-NUMBER attribute and the transport address in the
    // XOR-PEER-ADDRESS attribute. The server also installs or refreshes a
    // permission for the IP address in the XOR-PEER-ADDRESS attribute as
    // described in Section 10."
    const TimePoint now = context.now();
    switch (allocation.bind_channel(channel, *peer, now)) {
        case Allocation::BindResult::ok: break;
        case Allocation::BindResult::full:  // the 508 above, for channels
            return std::move(context.error(request, stun::kErrorInsufficientCapacity)).finish();
        case Allocation::BindResult::number_taken:
        case Allocation::BindResult::peer_taken: return bad_request();
    }
    allocation.install_permission(peer->bytes, now,
                                  context.policy_allows(peer->bytes, request.from));
    // "There are no required attributes in a successful ChannelBind
    // response."
    return std::move(Reply::success(request)).finish();
}

}  // namespace switchboard::turn
