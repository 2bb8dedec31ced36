#pragma once
// The JSON endpoints on the signaling listener, as pure functions of the
// request (no sockets): GET /api/turn-credentials?user=U (TURN REST API).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "signaling/ice_servers.hpp"

namespace switchboard::signaling {

struct HttpReply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
};

// `target` is the request target with its query; `authorization` the
// Authorization header ("" if absent). In auth mode jwt a Bearer token whose
// `sub` is the requested user is required (401 without a valid token, 403 for
// another user); in mode none (development) any valid user id is served.
HttpReply turn_credentials_endpoint(std::string_view target, std::string_view authorization,
                                    const shared::Config& config, const IceServerFactory& ice,
                                    const shared::Clock& clock);

// {"username","password","ttl","uris"}: the TURN REST API reply body (also
// printed by `switchboard turn-credentials`).
std::string turn_credentials_json(const IceServerFactory& ice, std::string_view user,
                                  std::int64_t now_unix);

// Admin endpoints (POST /api/kick): nullopt when allowed, else the reply.
// Mode jwt: a Bearer token with `"admin": true` (401 without a valid token,
// 403 without the claim). Mode none (development): allowed.
std::optional<HttpReply> authorize_admin(std::string_view authorization,
                                         const shared::Config& config, const shared::Clock& clock);

// Auth mode none (development) lets anyone act for any user: the
// endpoints that do (/api/turn-credentials, /api/kick) then answer only a
// client on a loopback address (`peer_ip`), and only a request that no web
// page of another origin made (an `Origin` header, when present, must be
// the request's own `host` or in signaling.allowed_origins: a cross-site
// POST needs no preflight). nullopt when allowed, else the 403. Mode jwt:
// always nullopt (the token decides).
std::optional<HttpReply> refuse_remote_in_dev_mode(std::string_view peer_ip,
                                                   std::string_view origin, std::string_view host,
                                                   const shared::Config& config);

// The reply to a kick: 200 {"userId","rooms":[...]} (with "bannedUntil",
// unix seconds, when a ban was recorded) or 404 when the user was in none
// of the rooms named and no ban was asked for.
HttpReply kick_reply(std::string_view user_id, const std::vector<std::string>& rooms,
                     std::optional<std::int64_t> banned_until = std::nullopt);

// The value of query parameter `name` in `target`, percent-decoded; empty if absent.
std::string query_param(std::string_view target, std::string_view name);

}  // namespace switchboard::signaling
