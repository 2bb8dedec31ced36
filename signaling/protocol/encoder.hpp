#pragma once
// Server -> client messages (PROTOCOL.md "Messages", "Server-pushed events").
// Pure: each function returns one frame's text. `id_json` is the request's id
// as the parser captured it (raw JSON text, empty when absent).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/protocol/error.hpp"

namespace switchboard::signaling::protocol {

struct UserInfo {
    std::string user_id;
    std::optional<std::string> name;
};

// What RTCPeerConnection's `iceServers` takes: one STUN entry (no
// credentials) and one TURN entry with REST credentials.
struct IceServerList {
    std::vector<std::string> stun_urls;
    std::vector<std::string> turn_urls;
    std::string username;
    std::string credential;
    std::int64_t expires_at = 0;
};

struct LoginResult {
    std::string user_id;
    std::string session_id;
    double heartbeat_interval_s = 0;
    double heartbeat_timeout_s = 0;
    std::string resume_token;
    double resume_window_s = 0;
    bool resumed = false;
};

// {"type":T,"id":..,"success":false,"error":..,"message":..[,"roomId":..]}
std::string encode_failure(std::string_view type, std::string_view id_json, Error error,
                           std::string_view message,
                           std::optional<std::string_view> room_id = std::nullopt);
// {"type":"error","error":..,"message":..[,"id":..]}: frames that have no
// usable type, and pushed errors (session-replaced).
std::string encode_error_event(Error error, std::string_view message,
                               std::string_view id_json = {});

std::string encode_login_ok(std::string_view id_json, const LoginResult& r);
std::string encode_join_ok(std::string_view id_json, std::string_view room_id, bool created,
                           const std::vector<UserInfo>& users, const IceServerList& ice);
std::string encode_leave_ok(std::string_view id_json, std::string_view room_id);
std::string encode_signal_ack(std::string_view id_json);
std::string encode_pong(std::string_view id_json, std::int64_t unix_ms);
std::string encode_room_users(std::string_view id_json, std::string_view room_id,
                              const std::vector<UserInfo>& users);
std::string encode_ice_servers_reply(std::string_view id_json, std::string_view room_id,
                                     const IceServerList& ice);

std::string encode_ice_servers_push(std::string_view room_id, const IceServerList& ice);
std::string encode_user_joined(std::string_view room_id, const UserInfo& user);
std::string encode_user_left(std::string_view room_id, std::string_view user_id,
                             std::string_view reason);
// `data_json` is inserted verbatim: the parser already validated it.
std::string encode_signal(std::string_view room_id, std::string_view from,
                          std::string_view data_json);
std::string encode_goaway(std::string_view reason, std::int64_t reconnect_after_ms);
// Extension (docs/protocol.md "Token expiry"): the login token expires at
// `expires_at`; the session ends at `closes_at` unless it logs in again
// (with its resume token) with a fresh one.
std::string encode_token_expiring(std::int64_t expires_at, std::int64_t closes_at);

}  // namespace switchboard::signaling::protocol
