// HTTP on the signaling listener: the WebSocket upgrade (with its checks),
// /healthz, /metrics, /api/turn-credentials and the static test page.
#include <fstream>
#include <sstream>

#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "shared/log.hpp"
#include "signaling/http_api.hpp"
#include "signaling/io/context.hpp"
#include "shared/identifier.hpp"
#include "signaling/static_files.hpp"

namespace switchboard::signaling::io {
namespace {

using namespace std::chrono_literals;
using Response = http::response<http::string_body>;

constexpr auto kRequestDeadline = 30s;  // reading one request, and keep-alive idle
constexpr auto kTlsHandshakeDeadline = 10s;
constexpr std::size_t kMaxBody = 8 * 1024;
constexpr std::size_t kMaxStaticFile = 16 * 1024 * 1024;
constexpr std::string_view kSubprotocol = "switchboard.v1";

Response make_response(const Request& req, http::status status, std::string_view content_type,
                       std::string body) {
    Response res{status, req.version()};
    res.set(http::field::server, "switchboard");
    res.set(http::field::content_type, content_type);
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) {
        res.content_length(body.size());
    } else {
        res.body() = std::move(body);
        res.prepare_payload();
    }
    return res;
}

Response text(const Request& req, http::status status, std::string body) {
    return make_response(req, status, "text/plain; charset=utf-8", std::move(body));
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
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
        if (!token.empty()) out.emplace_back(token);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return out;
}

Response serve_static(const Context& ctx, const Request& req) {
    const auto& root = ctx.config.signaling.static_dir;
    auto path = resolve_static_path(root, req.target());
    if (root.empty() || !path) return text(req, http::status::not_found, "not found\n");
    std::ifstream file(*path, std::ios::binary);
    if (!file) return text(req, http::status::not_found, "not found\n");
    std::ostringstream body;
    body << file.rdbuf();
    if (body.str().size() > kMaxStaticFile) return text(req, http::status::not_found, "not found\n");
    return make_response(req, http::status::ok, content_type_for(*path), body.str());
}

template <class Stream>
class HttpSession final : public std::enable_shared_from_this<HttpSession<Stream>> {
public:
    HttpSession(Context& ctx, Stream&& stream, bool metrics_only)
        : ctx_(ctx), stream_(std::move(stream)), metrics_only_(metrics_only) {}

    void run() { do_read(); }

private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(kMaxBody);
        beast::get_lowest_layer(stream_).expires_after(kRequestDeadline);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream) return shutdown();
        if (ec) return;  // timeout, reset, or a malformed request: drop the socket
        Request req = parser_->release();
        ctx_.http_counters.requests.inc();
        if (beast::websocket::is_upgrade(req) && !metrics_only_ && path_of(req.target()) == "/ws") {
            return upgrade(std::move(req));
        }
        write(route(req));
    }

    Response route(const Request& req) {
        const auto path = path_of(req.target());
        if (path == "/api/kick" && !metrics_only_) return kick(req);
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            auto res = text(req, http::status::method_not_allowed, "method not allowed\n");
            res.set(http::field::allow, "GET, HEAD");
            return res;
        }
        if (path == "/healthz") {
            return ctx_.draining ? text(req, http::status::service_unavailable, "draining\n")
                                 : text(req, http::status::ok, "ok\n");
        }
        if (path == "/metrics" && (metrics_only_ || !ctx_.config.metrics.listen)) {
            return make_response(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                                 ctx_.metrics.render_prometheus());
        }
        if (metrics_only_) return text(req, http::status::not_found, "not found\n");
        if (path == "/api/turn-credentials") {
            const auto auth = req[http::field::authorization];
            auto reply = turn_credentials_endpoint(req.target(), std::string_view(auth.data(), auth.size()),
                                                   *ctx_.current(), ctx_.ice, ctx_.clock);
            return make_response(req, static_cast<http::status>(reply.status), reply.content_type,
                                 std::move(reply.body));
        }
        if (path == "/ws") return text(req, http::status::upgrade_required, "WebSocket upgrade required\n");
        return serve_static(ctx_, req);
    }

    // POST /api/kick?user=U[&room=R] (docs/protocol.md "Admin API").
    Response kick(const Request& req) {
        if (req.method() != http::verb::post) {
            auto res = text(req, http::status::method_not_allowed, "method not allowed\n");
            res.set(http::field::allow, "POST");
            return res;
        }
        const auto auth = req[http::field::authorization];
        if (auto denied = authorize_admin(std::string_view(auth.data(), auth.size()), *ctx_.current(), ctx_.clock)) {
            return make_response(req, static_cast<http::status>(denied->status), denied->content_type,
                                 std::move(denied->body));
        }
        const auto user = query_param(req.target(), "user");
        const auto room = query_param(req.target(), "room");
        if (!shared::valid_identifier(user) || (!room.empty() && !shared::valid_identifier(room))) {
            return text(req, http::status::bad_request, "user (and room) must be valid identifiers\n");
        }
        std::vector<std::string> removed;
        {
            std::lock_guard lock(ctx_.hub_mutex);
            removed = ctx_.hub.kick(user, room.empty() ? std::nullopt : std::optional<std::string_view>(room));
        }
        SB_LOG(info, "http", "kick " + user + (room.empty() ? "" : " from " + room) + ": " +
                                 std::to_string(removed.size()) + " room(s)");
        auto reply = kick_reply(user, removed);
        return make_response(req, static_cast<http::status>(reply.status), reply.content_type, std::move(reply.body));
    }

    // PROTOCOL.md "Transport": draining and capacity (503), origin (403),
    // subprotocol (400), in that order.
    void upgrade(Request req) {
        const auto refuse = [&](http::status status, std::string why) {
            ctx_.http_counters.upgrades_refused.inc();
            SB_LOG(debug, "http", "upgrade refused: " + why);
            auto res = text(req, status, why + "\n");
            res.keep_alive(false);
            write(std::move(res));
        };
        if (ctx_.draining) return refuse(http::status::service_unavailable, "server is shutting down");
        const auto current = ctx_.current();
        const auto& origins = current->signaling.allowed_origins;
        if (auto origin = req.find(http::field::origin); origin != req.end() && !origins.empty()) {
            const std::string_view value(origin->value().data(), origin->value().size());
            if (std::find(origins.begin(), origins.end(), value) == origins.end()) {
                return refuse(http::status::forbidden, "origin not allowed");
            }
        }
        std::string subprotocol;
        if (auto proto = req.find(http::field::sec_websocket_protocol); proto != req.end()) {
            const auto offered = tokens_of(std::string_view(proto->value().data(), proto->value().size()));
            if (std::find(offered.begin(), offered.end(), kSubprotocol) == offered.end()) {
                return refuse(http::status::bad_request, "subprotocol switchboard.v1 not offered");
            }
            subprotocol = kSubprotocol;
        }
        if (++ctx_.ws_sessions > ctx_.config.signaling.max_connections) {
            --ctx_.ws_sessions;
            return refuse(http::status::service_unavailable, "too many connections");
        }
        // The WebSocket session owns the counter slot from here (its destructor frees it).
        start_websocket(ctx_, std::move(stream_), std::move(req), std::move(subprotocol));
    }

    void write(Response res) {
        response_ = std::make_shared<Response>(std::move(res));
        http::async_write(stream_, *response_,
                          beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this(),
                                                    response_->keep_alive()));
    }

    void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
        if (ec) return;
        if (!keep_alive) return shutdown();
        do_read();
    }

    void shutdown() {
        if constexpr (std::is_same_v<Stream, TlsStream>) {
            beast::get_lowest_layer(stream_).expires_after(kTlsHandshakeDeadline);
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
        } else {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    Context& ctx_;
    Stream stream_;
    const bool metrics_only_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<Response> response_;
};

}  // namespace

HttpCounters::HttpCounters(shared::Metrics& m)
    : requests(m.counter("switchboard_http_requests_total", "HTTP requests on the signaling listener.")),
      upgrades_refused(m.counter("switchboard_http_upgrades_refused_total",
                                 "WebSocket upgrades refused (origin, subprotocol, capacity, draining).")),
      tls_handshake_failures(m.counter("switchboard_tls_handshake_failures_total",
                                       "TLS handshakes on the signaling listener that failed or timed out.")) {}

void start_http(Context& ctx, tcp::socket socket, bool metrics_only) {
    auto tls = ctx.tls();
    if (!tls || metrics_only) {
        std::make_shared<HttpSession<PlainStream>>(ctx, PlainStream(std::move(socket)), metrics_only)->run();
        return;
    }
    // The handshake keeps the context it started with alive (a SIGHUP may
    // replace ctx.tls() meanwhile); after it the SSL object holds its own
    // reference to the certificate.
    auto stream = std::make_shared<TlsStream>(std::move(socket), *tls);
    beast::get_lowest_layer(*stream).expires_after(kTlsHandshakeDeadline);
    stream->async_handshake(asio::ssl::stream_base::server, [&ctx, stream, tls](beast::error_code ec) {
        if (ec) {
            ctx.http_counters.tls_handshake_failures.inc();
            SB_LOG(debug, "http", "TLS handshake failed: " + ec.message());
            return;
        }
        std::make_shared<HttpSession<TlsStream>>(ctx, std::move(*stream), false)->run();
    });
}

}  // namespace switchboard::signaling::io
