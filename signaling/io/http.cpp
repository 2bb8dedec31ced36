#include "signaling/io/http.hpp"

#include <algorithm>
#include <charconv>

#include <boost/beast/http/status.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "shared/identifier.hpp"
#include "shared/log.hpp"
#include "signaling/http_api.hpp"
#include "signaling/protocol/websocket.hpp"
#include "signaling/static_files.hpp"

namespace switchboard::signaling::io {
namespace {

namespace http = boost::beast::http;

constexpr std::size_t kMaxStaticFile = 16 * 1024 * 1024;
constexpr std::string_view kSubprotocol = "switchboard.v1";

std::string_view header(const Request& r, http::field f) {
    const auto v = r[f];
    return {v.data(), v.size()};
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

// Splits a comma-separated header value into trimmed tokens.
std::vector<std::string> tokens_of(std::string_view value) {
    std::vector<std::string> out;
    while (!value.empty()) {
        const auto comma = value.find(',');
        auto token = value.substr(0, comma);
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
            token.remove_prefix(1);
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
            token.remove_suffix(1);
        if (!token.empty()) out.emplace_back(token);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return out;
}

Response text(unsigned status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Response from(HttpReply reply) {
    Response r;
    r.status = reply.status;
    r.content_type = std::move(reply.content_type);
    r.body = std::move(reply.body);
    return r;
}

Response method_not_allowed(std::string allow) {
    auto r = text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", std::move(allow));
    return r;
}

Response serve_static(const Loop& loop, const Request& req) {
    const auto& root = loop.config.signaling.static_dir;
    auto path = resolve_static_path(root, req.target());
    if (root.empty() || !path) return text(404, "not found\n");
    auto file = open_static_file(root, *path, kMaxStaticFile);
    if (!file) return text(404, "not found\n");
    Response r;
    r.content_type = content_type_for(*path);
    r.file = std::move(file);
    return r;
}

// POST /api/kick?user=U[&room=R] (docs/protocol.md "Admin API").
Response kick(Loop& loop, const Request& req) {
    if (req.method() != http::verb::post) return method_not_allowed("POST");
    if (auto denied =
            authorize_admin(header(req, http::field::authorization), loop.current(), loop.clock)) {
        return from(std::move(*denied));
    }
    const auto user = query_param(req.target(), "user");
    const auto room = query_param(req.target(), "room");
    if (!shared::valid_identifier(user) || (!room.empty() && !shared::valid_identifier(room))) {
        return text(400, "user (and room) must be valid identifiers\n");
    }
    // ban=SECONDS: 1 to 30 days' worth.
    const auto ban_text = query_param(req.target(), "ban");
    std::int64_t ban = 0;
    if (!ban_text.empty()) {
        const auto [end, ec] =
            std::from_chars(ban_text.data(), ban_text.data() + ban_text.size(), ban);
        if (ec != std::errc() || end != ban_text.data() + ban_text.size() || ban < 1 ||
            ban > 30 * 86400)
            return text(400, "ban must be a number of seconds from 1 to 2592000\n");
    }
    const auto kicked =
        loop.hub.kick(user, room.empty() ? std::nullopt : std::optional<std::string_view>(room),
                      std::chrono::seconds(ban));
    if (ban > 0 && !kicked.banned) return text(503, "too many bans held; try again later\n");
    SB_LOG(info, "http",
           "kick " + user + (room.empty() ? "" : " from " + room) + ": " +
               std::to_string(kicked.rooms.size()) + " room(s)" +
               (ban > 0 ? ", banned for " + std::to_string(ban) + " s" : ""));
    return from(kick_reply(user, kicked.rooms,
                           kicked.banned
                               ? std::optional<std::int64_t>(loop.clock.unix_seconds() + ban)
                               : std::nullopt));
}

}  // namespace

Response route(Loop& loop, const Request& req, bool metrics_only, std::string_view peer_ip) {
    Response r = [&] {
        const auto path = path_of(req.target());
        if ((path == "/api/kick" || path == "/api/turn-credentials") && !metrics_only) {
            if (auto refused =
                    refuse_remote_in_dev_mode(peer_ip, header(req, http::field::origin),
                                              header(req, http::field::host), loop.current()))
                return from(std::move(*refused));
        }
        if (path == "/api/kick" && !metrics_only) return kick(loop, req);
        if (req.method() != http::verb::get && req.method() != http::verb::head)
            return method_not_allowed("GET, HEAD");
        if (path == "/healthz") return loop.draining ? text(503, "draining\n") : text(200, "ok\n");
        if (path == "/metrics" && (metrics_only || shared::metrics_on_signaling(loop.config))) {
            Response m;
            m.content_type = "text/plain; version=0.0.4; charset=utf-8";
            m.body = loop.metrics.render_prometheus();
            return m;
        }
        if (metrics_only) return text(404, "not found\n");
        if (path == "/api/turn-credentials") {
            auto c = from(turn_credentials_endpoint(req.target(),
                                                    header(req, http::field::authorization),
                                                    loop.current(), loop.ice, loop.clock));
            c.cache_control = "no-store";  // a password: no cache may keep it
            return c;
        }
        if (path == "/ws") return text(426, "WebSocket upgrade required\n");
        return serve_static(loop, req);
    }();
    r.keep_alive = req.keep_alive();
    return r;
}

bool is_upgrade(const Request& request) {
    return boost::beast::websocket::is_upgrade(request);
}

std::optional<Response> check_upgrade(Loop& loop, const Request& req, std::string& subprotocol) {
    const auto refuse = [&](unsigned status, std::string why) {
        loop.counters.upgrades_refused.inc();
        SB_LOG(debug, "http", "upgrade refused: " + why);
        auto r = text(status, why + "\n");
        r.keep_alive = false;
        return r;
    };
    if (loop.draining) return refuse(503, "server is shutting down");
    const auto& origins = loop.current().signaling.allowed_origins;
    if (auto origin = req.find(http::field::origin); origin != req.end() && !origins.empty()) {
        const std::string_view value(origin->value().data(), origin->value().size());
        if (std::find(origins.begin(), origins.end(), value) == origins.end()) {
            return refuse(403, "origin not allowed");
        }
    }
    subprotocol.clear();
    if (auto proto = req.find(http::field::sec_websocket_protocol); proto != req.end()) {
        const auto offered =
            tokens_of(std::string_view(proto->value().data(), proto->value().size()));
        if (std::find(offered.begin(), offered.end(), kSubprotocol) == offered.end()) {
            return refuse(400, "subprotocol switchboard.v1 not offered");
        }
        subprotocol = kSubprotocol;
    }
    if (loop.ws_count() >= loop.config.signaling.max_connections)
        return refuse(503, "too many connections");
    // RFC 6455 section 4.2.2: "If this version does not match a version
    // understood by the server, the server MUST abort the WebSocket handshake
    // ... and instead send an appropriate HTTP error code (such as 426
    // Upgrade Required) and a |Sec-WebSocket-Version| header field".
    if (header(req, http::field::sec_websocket_version) != "13") {
        auto r = refuse(426, "unsupported WebSocket version");
        r.headers.emplace_back("Sec-WebSocket-Version", "13");
        return r;
    }
    if (!protocol::ws::valid_client_key(header(req, http::field::sec_websocket_key))) {
        return refuse(400, "bad Sec-WebSocket-Key");
    }
    return std::nullopt;
}

std::string switching_protocols(std::string_view client_key, std::string_view subprotocol) {
    std::string out =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: ";
    out += protocol::ws::accept_key(client_key);
    if (!subprotocol.empty()) {
        out += "\r\nSec-WebSocket-Protocol: ";
        out += subprotocol;
    }
    out += "\r\nServer: switchboard\r\n\r\n";
    return out;
}

std::string serialize(const Response& r, bool head) {
    const auto reason = http::obsolete_reason(static_cast<http::status>(r.status));
    std::string out;
    out.reserve(256 + (head || r.file ? 0 : r.body.size()));
    out += "HTTP/1.1 " + std::to_string(r.status) + " ";
    out.append(reason.data(), reason.size());
    out += "\r\nServer: switchboard\r\nContent-Type: " + r.content_type;
    out += "\r\nContent-Length: " + std::to_string(r.file ? r.file->size() : r.body.size());
    out += "\r\nCache-Control: " + r.cache_control + "\r\nX-Content-Type-Options: nosniff";
    if (!r.keep_alive) out += "\r\nConnection: close";
    for (const auto& [name, value] : r.headers) out += "\r\n" + name + ": " + value;
    out += "\r\n\r\n";
    if (!head && !r.file) out += r.body;
    return out;
}

}  // namespace switchboard::signaling::io
