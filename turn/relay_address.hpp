#pragma once
// Where a relay socket of one address family binds: the one rule the
// Allocate handler (can this family be allocated at all?) and the io layer
// (bind here) share, so they never disagree.
//
// Pure; any thread.

#include <optional>

#include "shared/config.hpp"
#include "turn/stun/address.hpp"

namespace switchboard::turn {

// The IP (port 0) a relay of `family` binds to for a request that arrived
// on our address `arrived_on`, in this order:
// - turn.relay_address when it is of `family` ("::" serves both families,
//   bound as the wildcard of each);
// - `arrived_on`, when it is of `family` and not a wildcard;
// - the first listen_udp address of `family` that is not a wildcard (a
//   server listening on 127.0.0.1 and [::1] relays both families whichever
//   one a request arrived on: dual allocation, RFC 8656 section 7.2).
// nullopt: this server has no address of `family` to relay from.
std::optional<stun::Address> relay_bind_address(const shared::TurnConfig& config,
                                                const stun::Address& arrived_on,
                                                stun::Address::Family family);

}  // namespace switchboard::turn
