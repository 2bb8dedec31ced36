#pragma once
// HTTP on the signaling listener: what each request gets back. The routes
// (/healthz, /metrics, /api/turn-credentials, /api/kick, the test page), the
// WebSocket upgrade's checks and their order (PROTOCOL.md "Transport"), and
// the response bytes. The socket side is in connection.cpp.
//
// Thread context: the signaling loop.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "signaling/io/loop.hpp"
#include "signaling/static_files.hpp"

namespace switchboard::signaling::io {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

struct Response {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    // A static file sent after the headers in place of `body`, a chunk at a
    // time as the socket takes it (connection.cpp), never read whole.
    std::optional<StaticFile> file;
    std::string cache_control = "no-cache";
    std::vector<std::pair<std::string, std::string>> headers;  // beyond the standard ones
    bool keep_alive = true;
};

// The response to a request that is not a WebSocket upgrade.
// `metrics_only`: the metrics listener (/metrics and /healthz only).
// `peer_ip`: the client's address (development-mode endpoints are local only).
Response route(Loop& loop, const Request& request, bool metrics_only, std::string_view peer_ip);

bool is_upgrade(const Request& request);

// The checks an upgrade must pass, in PROTOCOL.md's order (draining and
// capacity 503, origin 403, subprotocol 400), then RFC 6455's (version 426,
// key 400): the refusal, or nullopt with `subprotocol` set to what to echo
// ("" when the client offered none).
std::optional<Response> check_upgrade(Loop& loop, const Request& request, std::string& subprotocol);

// The 101 reply (RFC 6455 section 4.2.2).
std::string switching_protocols(std::string_view client_key, std::string_view subprotocol);

// Status line, headers and (unless `head`) the body; with a file, only
// the status line and headers (Content-Length is the file's size).
std::string serialize(const Response& response, bool head);

}  // namespace switchboard::signaling::io
