#pragma once
// A client request after parsing (PROTOCOL.md "Messages"). Pure data: the
// parser fills it from one WebSocket text frame, the hub acts on it.

#include <optional>
#include <string>

namespace switchboard::signaling::protocol {

enum class RequestType { login, join, leave, signal, ping, room_users, ice_servers };

struct Request {
    RequestType type = RequestType::ping;
    // The request's `id` exactly as the client spelled it (a JSON string with
    // its quotes, or a number's digits), or empty when absent. Echoed raw so
    // that 1.5e3 comes back as 1.5e3 and big integers lose nothing.
    std::string id_json;

    std::optional<std::string> token;    // login
    std::optional<std::string> user_id;  // login (auth mode none)
    std::optional<std::string> resume;   // login
    std::optional<std::string> room_id;  // join (required), others (optional)
    std::optional<std::string> to;       // signal
    // signal: the `data` value's source text, byte for byte as the client sent it.
    std::string data_json;
    bool ack = true;  // signal: "ack": false suppresses the reply
};

std::string_view type_name(RequestType t);

}  // namespace switchboard::signaling::protocol
