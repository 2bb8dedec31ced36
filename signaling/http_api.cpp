#include "signaling/http_api.hpp"

#include <algorithm>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "shared/address.hpp"
#include "shared/identifier.hpp"
#include "shared/jwt.hpp"
#include "signaling/static_files.hpp"

namespace switchboard::signaling {
namespace {

HttpReply error_reply(unsigned status, std::string_view error, std::string_view message) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("error");
    w.String(error.data(), static_cast<rapidjson::SizeType>(error.size()));
    w.Key("message");
    w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    w.EndObject();
    return HttpReply{status, "application/json", std::string(buf.GetString(), buf.GetSize())};
}

// The claims of a valid "Authorization: Bearer <JWT>", or the 401 reply.
std::variant<shared::JwtClaims, HttpReply> bearer_claims(std::string_view authorization,
                                                         const shared::Config& config,
                                                         const shared::Clock& clock) {
    // RFC 7235 section 2.1: the scheme name is case-insensitive.
    constexpr std::string_view kBearer = "bearer ";
    const auto scheme = authorization.substr(0, kBearer.size());
    const bool bearer =
        scheme.size() == kBearer.size() &&
        std::equal(scheme.begin(), scheme.end(), kBearer.begin(), [](char a, char b) {
            return (a >= 'A' && a <= 'Z' ? static_cast<char>(a + 32) : a) == b;
        });
    if (!bearer) return error_reply(401, "unauthorized", "Authorization: Bearer <JWT> is required");
    auto verified = shared::verify_jwt(authorization.substr(kBearer.size()), config.auth.jwt_secret,
                                       clock.unix_seconds());
    if (auto* err = std::get_if<shared::JwtError>(&verified)) {
        return error_reply(401, "unauthorized",
                           "token rejected: " + make_error_code(*err).message());
    }
    return std::get<shared::JwtClaims>(std::move(verified));
}

}  // namespace

std::optional<HttpReply> authorize_admin(std::string_view authorization,
                                         const shared::Config& config, const shared::Clock& clock) {
    if (config.auth.mode == shared::AuthMode::none) return std::nullopt;
    auto verified = bearer_claims(authorization, config, clock);
    if (auto* reply = std::get_if<HttpReply>(&verified)) return std::move(*reply);
    if (!std::get<shared::JwtClaims>(verified).admin) {
        return error_reply(403, "forbidden", "the token has no admin claim");
    }
    return std::nullopt;
}

std::optional<HttpReply> refuse_remote_in_dev_mode(std::string_view peer_ip,
                                                   std::string_view origin, std::string_view host,
                                                   const shared::Config& config) {
    if (config.auth.mode != shared::AuthMode::none) return std::nullopt;
    const auto ip = shared::parse_ip(peer_ip);
    if (!ip || !shared::is_loopback(*ip)) {
        return error_reply(403, "forbidden",
                           "auth mode none: only local clients may use this endpoint");
    }
    if (origin.empty()) return std::nullopt;
    const auto scheme = origin.find("://");
    const bool same = scheme != std::string_view::npos && origin.substr(scheme + 3) == host;
    const auto& allowed = config.signaling.allowed_origins;
    if (same || std::find(allowed.begin(), allowed.end(), origin) != allowed.end())
        return std::nullopt;
    return error_reply(403, "forbidden", "auth mode none: a request from another origin");
}

HttpReply kick_reply(std::string_view user_id, const std::vector<std::string>& rooms,
                     std::optional<std::int64_t> banned_until) {
    if (rooms.empty() && !banned_until)
        return error_reply(404, "not-found", "the user is not in that room");
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("userId");
    w.String(user_id.data(), static_cast<rapidjson::SizeType>(user_id.size()));
    w.Key("rooms");
    w.StartArray();
    for (const auto& r : rooms) w.String(r.c_str(), static_cast<rapidjson::SizeType>(r.size()));
    w.EndArray();
    if (banned_until) {
        w.Key("bannedUntil");
        w.Int64(*banned_until);
    }
    w.EndObject();
    return HttpReply{200, "application/json", std::string(buf.GetString(), buf.GetSize())};
}

std::string query_param(std::string_view target, std::string_view name) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) {
            if (eq == std::string_view::npos) return {};
            auto value = percent_decode(pair.substr(eq + 1));
            return value ? *value : std::string();
        }
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
    return {};
}

std::string turn_credentials_json(const IceServerFactory& ice, std::string_view user,
                                  std::int64_t now_unix) {
    const auto list = ice.make(user, now_unix);
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("username");
    w.String(list.username.c_str(), static_cast<rapidjson::SizeType>(list.username.size()));
    w.Key("password");
    w.String(list.credential.c_str(), static_cast<rapidjson::SizeType>(list.credential.size()));
    w.Key("ttl");
    w.Int64(list.expires_at - now_unix);
    w.Key("uris");
    w.StartArray();
    for (const auto& u : list.turn_urls)
        w.String(u.c_str(), static_cast<rapidjson::SizeType>(u.size()));
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

HttpReply turn_credentials_endpoint(std::string_view target, std::string_view authorization,
                                    const shared::Config& config, const IceServerFactory& ice,
                                    const shared::Clock& clock) {
    const std::string user = query_param(target, "user");
    if (!shared::valid_identifier(user)) {
        return error_reply(400, "bad-request",
                           "user must be 1 to 128 characters of [A-Za-z0-9._:@-]");
    }
    if (!config.turn.enabled) return error_reply(404, "not-found", "TURN is disabled");
    if (config.auth.mode == shared::AuthMode::jwt) {
        auto verified = bearer_claims(authorization, config, clock);
        if (auto* reply = std::get_if<HttpReply>(&verified)) return std::move(*reply);
        if (std::get<shared::JwtClaims>(verified).sub != user) {
            return error_reply(403, "forbidden", "the token is for another user");
        }
    }
    return HttpReply{200, "application/json",
                     turn_credentials_json(ice, user, clock.unix_seconds())};
}

}  // namespace switchboard::signaling
