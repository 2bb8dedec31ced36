#pragma once
// The error codes of PROTOCOL.md ("Error codes"), registered as a
// std::error_code enum so that they travel through the code like any other
// error and render to their wire names in one place.

#include <string_view>
#include <system_error>

namespace switchboard::signaling::protocol {

enum class Error {
    invalid_json = 1,
    bad_request,
    unknown_type,
    not_logged_in,
    already_logged_in,
    unauthorized,
    room_full,
    too_many_rooms,
    not_in_room,
    unknown_peer,
    rate_limited,
    session_replaced,
    internal,
};

// The code as it appears in `"error": "<code>"`.
std::string_view wire_name(Error e);

// Errors that spend the per-connection error budget (PROTOCOL.md "Envelope").
// Failed logins count too; the hub decides that, since it depends on the type.
bool counts_against_budget(Error e);

const std::error_category& error_category();
inline std::error_code make_error_code(Error e) {
    return {static_cast<int>(e), error_category()};
}

}  // namespace switchboard::signaling::protocol

template <>
struct std::is_error_code_enum<switchboard::signaling::protocol::Error> : std::true_type {};
