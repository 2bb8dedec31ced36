#pragma once
// One handler per STUN/TURN method (the Pion internal/server layout), each
// walking its RFC section's numbered rules. Request handlers return the
// response bytes (empty: nothing to send); the Engine sends them and keeps
// them for retransmissions. Side effects go through EngineSink (relays)
// and the EngineContext (allocations, quotas).
//
// Preconditions the Engine's dispatch has already established:
// - Binding: nothing (no authentication, any transport);
// - Allocate: authenticated, retransmission of the creating Allocate
//   answered, unknown comprehension-required attributes answered (420);
// - Refresh, CreatePermission, ChannelBind: the same, and `allocation` is
//   the 5-tuple's allocation, created by the same USERNAME (437/441 done).
//
// Thread context: the Engine's worker thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "turn/allocation.hpp"
#include "turn/engine.hpp"
#include "turn/engine_context.hpp"

namespace switchboard::turn {

std::vector<std::uint8_t> handle_binding(EngineContext& context, const Request& request);
std::vector<std::uint8_t> handle_allocate(EngineContext& context, const Request& request,
                                          EngineSink& sink);
std::vector<std::uint8_t> handle_refresh(EngineContext& context, const Request& request,
                                         Allocation& allocation, EngineSink& sink);
std::vector<std::uint8_t> handle_create_permission(EngineContext& context, const Request& request,
                                                   Allocation& allocation);
std::vector<std::uint8_t> handle_channel_bind(EngineContext& context, const Request& request,
                                              Allocation& allocation);

// Data path: never a reply; drops are counted.
void handle_send_indication(EngineContext& context, const FiveTuple& from,
                            const stun::MessageView& message, EngineSink& sink);
void handle_client_channel_data(EngineContext& context, const FiveTuple& from,
                                std::span<const std::uint8_t> bytes, EngineSink& sink);
// `relay_id`: the relay socket the datagram arrived on (either of a dual allocation).
void handle_peer_data(EngineContext& context, AllocationId relay_id, const stun::Address& peer,
                      std::span<const std::uint8_t> payload, EngineSink& sink);

// Shared by the handlers: XOR-PEER-ADDRESS decoded, or nullopt if malformed.
std::optional<stun::Address> decode_peer_address(const stun::MessageView& message,
                                                 const stun::Attribute& attribute);

// RFC 8656 sections 7.2 and 8.2: the lifetime granted for a requested one
// (nullopt: none requested): min(requested, max_allocation_lifetime), and
// never below the default unless the configured maximum is lower.
std::chrono::seconds granted_lifetime(const shared::TurnConfig& config,
                                      std::optional<std::uint32_t> requested);

}  // namespace switchboard::turn
