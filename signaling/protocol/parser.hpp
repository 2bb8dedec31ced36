#pragma once
// Client frame -> Request. Pure: no I/O, no exceptions, bounded work.
//
// The frame size limit is enforced by the transport before this runs
// (max_message_bytes); here RapidJSON parses iteratively (no recursion, so deep
// nesting cannot overflow the stack), validates UTF-8, and keeps numbers as
// their source text. Only top-level members are interpreted; the source span
// of each is recorded so that `data` and `id` are forwarded without
// re-encoding.

#include <string>
#include <string_view>
#include <variant>

#include "signaling/protocol/error.hpp"
#include "signaling/protocol/message.hpp"

namespace switchboard::signaling::protocol {

// Nesting deeper than this is refused as invalid-json. Deliberately generous:
// SDP and candidates nest two or three levels.
inline constexpr int kMaxDepth = 64;

struct ParseFailure {
    Error error = Error::invalid_json;
    // What could be read before the failure, so the reply can echo it:
    // `type` is empty when the frame had no usable string `type`.
    std::string type;
    std::string id_json;
    std::string message;
};

std::variant<Request, ParseFailure> parse_request(std::string_view frame);

}  // namespace switchboard::signaling::protocol
