#include "signaling/protocol/error.hpp"

#include <string>

namespace switchboard::signaling::protocol {

std::string_view wire_name(Error e) {
    switch (e) {
        case Error::invalid_json: return "invalid-json";
        case Error::bad_request: return "bad-request";
        case Error::unknown_type: return "unknown-type";
        case Error::not_logged_in: return "not-logged-in";
        case Error::already_logged_in: return "already-logged-in";
        case Error::unauthorized: return "unauthorized";
        case Error::room_full: return "room-full";
        case Error::too_many_rooms: return "too-many-rooms";
        case Error::not_in_room: return "not-in-room";
        case Error::unknown_peer: return "unknown-peer";
        case Error::rate_limited: return "rate-limited";
        case Error::session_replaced: return "session-replaced";
        case Error::internal: return "internal";
    }
    return "internal";
}

bool counts_against_budget(Error e) {
    return e == Error::invalid_json || e == Error::bad_request || e == Error::unknown_type;
}

namespace {

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "signaling"; }
    std::string message(int ev) const override {
        return std::string(wire_name(static_cast<Error>(ev)));
    }
};

}  // namespace

const std::error_category& error_category() {
    static const Category category;
    return category;
}

}  // namespace switchboard::signaling::protocol
