// Data from a peer to a client: RFC 8656 section 11.3 ("Receiving a UDP
// Datagram") and, for bound channels, section 12.7. The hot path:
// the message is built in the context's scratch buffer, nothing allocates
// once it has grown.
#include "turn/handlers.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/channel_data.hpp"
#include "turn/stun/data.hpp"
#include "turn/stun/xor_address.hpp"

namespace switchboard::turn {

void handle_peer_data(EngineContext& context, AllocationId relay_id, const stun::Address& peer,
                      std::span<const std::uint8_t> payload, EngineSink& sink) {
    // "the server looks up the allocation associated with the relayed
    // transport address": either relay of a dual allocation.
    Allocation* allocation = context.allocations.find_relay(relay_id);
    if (allocation == nullptr) {
        context.metrics.drop(DropReason::no_allocation);
        return;
    }
    const TimePoint now = context.now();
    // "The server then checks to see whether the set of permissions for the
    // allocation allow the relaying of the UDP datagram as described in
    // Section 9." Section 9: "If no such permission exists, the message is
    // discarded" (the port is not looked at).
    if (!context.data_permitted(*allocation, peer, now)) return;
    if (!allocation->admit(payload.size(), now)) {
        context.metrics.drop(DropReason::bandwidth);
        return;
    }
    const FiveTuple& client = allocation->tuple();
    // "If relaying is permitted, then the server checks if there is a
    // channel bound to the peer that sent the UDP datagram (see Section
    // 12). If a channel is bound, then processing proceeds as described in
    // Section 12.7."
    if (const auto channel = allocation->channel_for(peer, now)) {
        // Section 12.5: "Over TCP and TLS-over-TCP, the ChannelData message
        // MUST be padded to a multiple of four bytes".
        const auto framing =
            client.transport == Transport::udp ? stun::Framing::datagram : stun::Framing::stream;
        if (!stun::encode_channel_data(*channel, payload, context.scratch, framing)) {
            context.metrics.drop(DropReason::malformed);
            return;
        }
    } else {
        // "If relaying is permitted but no channel is bound to the peer,
        // then the server forms and sends a Data indication. The Data
        // indication MUST contain both an XOR-PEER-ADDRESS and a DATA
        // attribute. The DATA attribute is set to the value of the 'data
        // octets' field from the datagram, and the XOR-PEER-ADDRESS attribute
        // is set to the source transport address of the received UDP
        // datagram."
        stun::MessageBuilder builder(stun::Method::data, stun::MessageClass::indication,
                                     stun::TransactionId::random(context.random),
                                     std::move(context.scratch));
        stun::add_xor_address(builder, stun::kAttrXorPeerAddress, peer);
        stun::add_data(builder, payload);
        const bool ok = builder.ok();
        context.scratch = std::move(builder).take();
        if (!ok) {
            context.metrics.drop(DropReason::malformed);  // too large for a STUN message
            return;
        }
    }
    sink.send_to_client(client, context.scratch);
    context.metrics.packets_from_peer.inc();
    context.metrics.bytes_from_peer.inc(payload.size());
}

}  // namespace switchboard::turn
