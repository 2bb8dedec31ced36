#include "signaling/protocol/encoder.hpp"

#include <cmath>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "shared/identifier.hpp"

namespace switchboard::signaling::protocol {
namespace {

// Thin wrapper so call sites read as the message they build.
class Json {
public:
    Json() : writer_(buffer_) { writer_.StartObject(); }

    Json& str(std::string_view key, std::string_view value) {
        name(key);
        writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
        return *this;
    }
    Json& boolean(std::string_view key, bool value) {
        name(key);
        writer_.Bool(value);
        return *this;
    }
    Json& integer(std::string_view key, std::int64_t value) {
        name(key);
        writer_.Int64(value);
        return *this;
    }
    // Seconds from the config: an integer when whole (25), else a decimal (0.2).
    Json& seconds(std::string_view key, double value) {
        name(key);
        if (value == std::floor(value)) {
            writer_.Int64(static_cast<std::int64_t>(value));
        } else {
            writer_.Double(value);
        }
        return *this;
    }
    Json& raw(std::string_view key, std::string_view json) {
        name(key);
        writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
        return *this;
    }
    Json& id(std::string_view id_json) {
        if (!id_json.empty()) raw("id", id_json);
        return *this;
    }
    Json& users(std::string_view key, const std::vector<UserInfo>& list) {
        name(key);
        writer_.StartArray();
        for (const auto& u : list) {
            writer_.StartObject();
            plain_string("userId", u.user_id);
            if (u.name) plain_string("name", *u.name);
            writer_.EndObject();
        }
        writer_.EndArray();
        return *this;
    }
    Json& ice(const IceServerList& ice) {
        name("iceServers");
        writer_.StartArray();
        if (!ice.stun_urls.empty()) {
            writer_.StartObject();
            urls(ice.stun_urls);
            writer_.EndObject();
        }
        if (!ice.turn_urls.empty()) {
            writer_.StartObject();
            urls(ice.turn_urls);
            plain_string("username", ice.username);
            plain_string("credential", ice.credential);
            writer_.EndObject();
        }
        writer_.EndArray();
        return integer("iceServersExpiresAt", ice.expires_at);
    }
    std::string done() {
        writer_.EndObject();
        return std::string(buffer_.GetString(), buffer_.GetSize());
    }

private:
    void name(std::string_view key) {
        writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    }
    void plain_string(std::string_view key, std::string_view value) {
        name(key);
        writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    }
    void urls(const std::vector<std::string>& list) {
        name("urls");
        writer_.StartArray();
        for (const auto& u : list) {
            writer_.String(u.data(), static_cast<rapidjson::SizeType>(u.size()));
        }
        writer_.EndArray();
    }

    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// Replies open with type, id and success, in that order (readable in logs).
struct Reply : Json {
    Reply(std::string_view type, std::string_view id_json) {
        str("type", type).id(id_json).boolean("success", true);
    }
};

}  // namespace

std::string encode_failure(std::string_view type, std::string_view id_json, Error error,
                           std::string_view message, std::optional<std::string_view> room_id) {
    Json j;
    j.str("type", type).id(id_json).boolean("success", false);
    if (room_id) j.str("roomId", *room_id);
    return j.str("error", wire_name(error)).str("message", message).done();
}

std::string encode_error_event(Error error, std::string_view message, std::string_view id_json) {
    Json j;
    j.str("type", "error").id(id_json);
    return j.str("error", wire_name(error)).str("message", message).done();
}

std::string encode_login_ok(std::string_view id_json, const LoginResult& r) {
    Reply j("login", id_json);
    j.str("userId", r.user_id).str("sessionId", r.session_id).raw("heartbeat", [&] {
        Json hb;
        return hb.seconds("interval", r.heartbeat_interval_s)
            .seconds("timeout", r.heartbeat_timeout_s)
            .done();
    }());
    return j.str("protocol", "switchboard.v1")
        .str("resumeToken", r.resume_token)
        .seconds("resumeWindow", r.resume_window_s)
        .boolean("resumed", r.resumed)
        .done();
}

std::string encode_join_ok(std::string_view id_json, std::string_view room_id, bool created,
                           const std::vector<UserInfo>& users, const IceServerList& ice) {
    Reply j("join", id_json);
    return j.str("roomId", room_id)
        .boolean("created", created)
        .users("users", users)
        .ice(ice)
        .done();
}

std::string encode_leave_ok(std::string_view id_json, std::string_view room_id) {
    return Reply("leave", id_json).str("roomId", room_id).done();
}

std::string encode_signal_ack(std::string_view id_json) {
    return Reply("signal", id_json).done();
}

std::string encode_pong(std::string_view id_json, std::int64_t unix_ms) {
    Json j;
    return j.str("type", "pong").id(id_json).integer("time", unix_ms).done();
}

std::string encode_room_users(std::string_view id_json, std::string_view room_id,
                              const std::vector<UserInfo>& users) {
    return Reply("room-users", id_json).str("roomId", room_id).users("users", users).done();
}

std::string encode_ice_servers_reply(std::string_view id_json, std::string_view room_id,
                                     const IceServerList& ice) {
    return Reply("ice-servers", id_json).str("roomId", room_id).ice(ice).done();
}

std::string encode_ice_servers_push(std::string_view room_id, const IceServerList& ice) {
    Json j;
    return j.str("type", "ice-servers").str("roomId", room_id).ice(ice).done();
}

std::string encode_user_joined(std::string_view room_id, const UserInfo& user) {
    Json j;
    j.str("type", "user-joined").str("roomId", room_id).str("userId", user.user_id);
    if (user.name) j.str("name", *user.name);
    return j.done();
}

std::string encode_user_left(std::string_view room_id, std::string_view user_id,
                             std::string_view reason) {
    Json j;
    return j.str("type", "user-left")
        .str("roomId", room_id)
        .str("userId", user_id)
        .str("reason", reason)
        .done();
}

std::string encode_signal(std::string_view room_id, std::string_view from,
                          std::string_view data_json) {
    // The relay's hot path: room and user ids are identifiers (nothing to
    // escape), and data goes as the client sent it, so one string is built
    // directly instead of through the JSON writer.
    if (shared::valid_identifier(room_id) && shared::valid_identifier(from)) {
        constexpr std::string_view kHead = R"({"type":"signal","roomId":")";
        constexpr std::string_view kFrom = R"(","from":")";
        constexpr std::string_view kData = R"(","data":)";
        std::string out;
        out.reserve(kHead.size() + room_id.size() + kFrom.size() + from.size() + kData.size() +
                    data_json.size() + 1);
        out.append(kHead).append(room_id).append(kFrom).append(from).append(kData).append(
            data_json);
        out.push_back('}');
        return out;
    }
    Json j;
    return j.str("type", "signal")
        .str("roomId", room_id)
        .str("from", from)
        .raw("data", data_json)
        .done();
}

std::string encode_token_expiring(std::int64_t expires_at, std::int64_t closes_at) {
    Json j;
    return j.str("type", "token-expiring")
        .integer("expiresAt", expires_at)
        .integer("closesAt", closes_at)
        .done();
}

std::string encode_goaway(std::string_view reason, std::int64_t reconnect_after_ms) {
    Json j;
    return j.str("type", "goaway")
        .str("reason", reason)
        .integer("reconnectAfterMs", reconnect_after_ms)
        .done();
}

}  // namespace switchboard::signaling::protocol
