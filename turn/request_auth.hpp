#pragma once
// The long-term credential checks a server makes on every TURN request
// (RFC 8489 section 9.2.4), turning failures into the reply to send.
//
// Thread context: the Engine's worker thread.

#include <cstdint>
#include <variant>
#include <vector>

#include "turn/authenticator.hpp"
#include "turn/engine_context.hpp"

namespace switchboard::turn {

// Credentials when the request may proceed; otherwise the error response
// (401, 400, 438 or 403) to send.
std::variant<Credentials, std::vector<std::uint8_t>> authenticate_request(EngineContext& context,
                                                                          const Request& request);

}  // namespace switchboard::turn
