// CreatePermission (RFC 8656 section 10.2, "Receiving a CreatePermission
// Request"). All or nothing: one forbidden or mismatched peer refuses the
// whole request and installs no permission.
#include <algorithm>

#include "turn/handlers.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/error_code.hpp"

namespace switchboard::turn {

std::vector<std::uint8_t> handle_create_permission(EngineContext& context, const Request& request,
                                                   Allocation& allocation) {
    // "The CreatePermission request MUST contain at least one
    // XOR-PEER-ADDRESS attribute and MAY contain multiple such attributes.
    // If no such attribute exists, or if any of these attributes are
    // invalid, then a 400 (Bad Request) error is returned."
    std::vector<shared::IpBytes> peers;
    std::uint16_t refusal = 0;
    for (const auto& attribute : request.message.attributes()) {
        if (attribute.type != stun::kAttrXorPeerAddress) {
            continue;
        }
        const auto peer = decode_peer_address(request.message, attribute);
        if (!peer) {
            return std::move(context.error(request, stun::kErrorBadRequest)).finish();
        }
        // "If an XOR-PEER-ADDRESS attribute contains an address of an
        // address family that is not the same as that of a relayed transport
        // address for the allocation, the server MUST generate an error
        // response with the 443 (Peer Address Family Mismatch) response
        // code." A dual allocation has a relayed address of each family.
        if (allocation.relay(peer->family) == nullptr) {
            refusal = stun::kErrorPeerAddressFamilyMismatch;
        } else if (refusal == 0 && !context.peer_allowed(*peer, request.from)) {
            // "The server MAY impose restrictions on the IP address allowed
            // in the XOR-PEER-ADDRESS attribute; if a value is not allowed,
            // the server rejects the request with a 403 (Forbidden) error."
            refusal = stun::kErrorForbidden;
        }
        peers.push_back(peer->bytes);
    }
    if (peers.empty()) {
        return std::move(context.error(request, stun::kErrorBadRequest)).finish();
    }
    if (refusal != 0) {
        return std::move(context.error(request, refusal)).finish();
    }

    // "If the request is valid, but the server is unable to satisfy the
    // request due to some capacity limit or similar, then a 508
    // (Insufficient Capacity) error is returned."
    std::size_t added = 0;
    for (std::size_t i = 0; i < peers.size(); ++i) {
        const bool repeated =
            std::find(peers.begin(), peers.begin() + i, peers[i]) != peers.begin() + i;
        if (!repeated && !allocation.has_permission_entry(peers[i])) {
            ++added;
        }
    }
    if (allocation.permission_count() + added > kMaxPermissionsPerAllocation) {
        return std::move(context.error(request, stun::kErrorInsufficientCapacity)).finish();
    }

    // "the server installs or refreshes a permission for the IP address
    // contained in each XOR-PEER-ADDRESS attribute as described in Section
    // 9. The port portion of each attribute is ignored and may be any
    // arbitrary value. The server then responds with a CreatePermission
    // success response. There are no mandatory attributes in the success
    // response."
    const TimePoint now = context.now();
    for (const auto& ip : peers) {
        allocation.install_permission(ip, now, context.policy_allows(ip, request.from));
    }
    return std::move(Reply::success(request)).finish();
}

}  // namespace switchboard::turn
