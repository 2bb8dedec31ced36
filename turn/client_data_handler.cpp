// Data from a client towards its peers: Send indications (RFC 8656 section
// 11.2) and ChannelData messages (section 12.6). Silent by design: nothing
// here ever answers, a refused packet is dropped and counted.
#include "turn/handlers.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/channel_data.hpp"
#include "turn/stun/data.hpp"
#include "turn/stun/dont_fragment.hpp"
#include "turn/stun/unknown_attributes.hpp"
#include "turn/stun/xor_address.hpp"

namespace switchboard::turn {
namespace {

// The checks both paths share once the peer is known: permission (section
// 9: "the server checks that there is a permission installed for the IP
// address contained in the XOR-PEER-ADDRESS attribute. If no such
// permission exists, the message is discarded"), the peer policy, the
// bandwidth limit; then the datagram goes out of the relay of the peer's
// family (section 11.2: "the source transport address is the relayed
// transport address of the allocation"; a dual allocation has one per
// family).
void relay_to_peer(EngineContext& context, Allocation& allocation, const stun::Address& peer,
                   std::span<const std::uint8_t> payload, EngineSink& sink) {
    // A peer of a family the allocation has no relay of cannot be reached
    // (also a channel bound before its family's relay was deleted).
    const Allocation::Relay* relay = allocation.relay(peer.family);
    if (relay == nullptr) {
        context.metrics.drop(DropReason::forbidden_peer);
        return;
    }
    const TimePoint now = context.now();
    if (!context.data_permitted(allocation, peer, now)) return;
    if (!allocation.admit(payload.size(), now)) {
        context.metrics.drop(DropReason::bandwidth);
        return;
    }
    sink.send_to_peer(relay->id, peer, payload);
    context.metrics.packets_to_peer.inc();
    context.metrics.bytes_to_peer.inc(payload.size());
}

}  // namespace

std::optional<stun::Address> decode_peer_address(const stun::MessageView& message,
                                                 const stun::Attribute& attribute) {
    const auto decoded = stun::decode_xor_address(attribute.value, message.transaction_id());
    if (const auto* address = std::get_if<stun::Address>(&decoded)) {
        return *address;
    }
    return std::nullopt;
}

void handle_send_indication(EngineContext& context, const FiveTuple& from,
                            const stun::MessageView& message, EngineSink& sink) {
    Allocation* allocation = context.allocations.find(from);
    if (allocation == nullptr) {
        context.metrics.drop(DropReason::no_allocation);
        return;
    }
    // "The Send indication MUST contain both an XOR-PEER-ADDRESS attribute
    // and a DATA attribute. If one of these attributes is missing or
    // invalid, then the message is discarded. Note that the DATA attribute
    // is allowed to contain zero bytes of data."
    // RFC 8489 section 6.3.2: an indication with unknown
    // comprehension-required attributes is discarded too.
    const stun::Attribute* peer_attribute = message.find(stun::kAttrXorPeerAddress);
    const stun::Attribute* data = message.find(stun::kAttrData);
    const auto peer = peer_attribute ? decode_peer_address(message, *peer_attribute) : std::nullopt;
    const stun::Attribute* df = message.find(stun::kAttrDontFragment);
    if (!peer || data == nullptr || (df != nullptr && stun::check_dont_fragment(df->value)) ||
        !stun::unknown_comprehension_required(message).empty()) {
        context.metrics.drop(DropReason::malformed);
        return;
    }
    // "Note that a Send indication never causes the server to refresh the
    // permission."
    relay_to_peer(context, *allocation, *peer, stun::decode_data(data->value), sink);
}

void handle_client_channel_data(EngineContext& context, const FiveTuple& from,
                                std::span<const std::uint8_t> bytes, EngineSink& sink) {
    Allocation* allocation = context.allocations.find(from);
    if (allocation == nullptr) {
        context.metrics.drop(DropReason::no_allocation);
        return;
    }
    // Section 12.5: over TCP and TLS the message is padded to 4 bytes; over
    // UDP padding is allowed. parse_channel_data enforces each.
    const auto framing =
        from.transport == Transport::udp ? stun::Framing::datagram : stun::Framing::stream;
    const auto parsed = stun::parse_channel_data(bytes, framing);
    const auto* message = std::get_if<stun::ChannelData>(&parsed);
    if (message == nullptr) {
        context.metrics.drop(DropReason::malformed);
        return;
    }
    // Section 12.6: "If the ChannelData message is received on a channel
    // that is not bound to any peer, then the message is silently
    // discarded."
    const stun::Address* peer = allocation->channel_peer(message->channel, context.now());
    if (peer == nullptr) {
        context.metrics.drop(DropReason::unknown_channel);
        return;
    }
    relay_to_peer(context, *allocation, *peer, message->payload, sink);
}

}  // namespace switchboard::turn
