#include "tests/integration/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <deque>

namespace sbtest {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Steady = std::chrono::steady_clock;

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<ssl::stream<beast::tcp_stream>>;

struct WsClient::Impl {
    // Declared first so that it is destroyed last: the streams below hold
    // executors into it.
    net::io_context ioc{1};
    ssl::context ssl_ctx{ssl::context::tls_client};
    std::unique_ptr<PlainWs> plain;
    std::unique_ptr<TlsWs> secure;

    std::deque<std::string> inbox;
    beast::flat_buffer read_buffer;
    bool read_pending = false;
    bool write_pending = false;
    bool closed = false;
    std::optional<int> close_code;
    std::string error;
    std::string subprotocol;
    std::string write_data;

    Impl() { ssl_ctx.set_verify_mode(ssl::verify_none); }

    template <class F>
    void with_ws(F&& f) {
        if (plain) {
            f(*plain);
        } else if (secure) {
            f(*secure);
        }
    }

    bool has_stream() const { return plain || secure; }

    // Runs handlers until pred() holds, the deadline passes, or no work is
    // left. Returns pred().
    template <class Pred>
    bool run_until(Pred pred, Steady::time_point deadline) {
        while (!pred()) {
            auto now = Steady::now();
            if (now >= deadline) return pred();
            if (ioc.stopped()) ioc.restart();
            std::size_t n = ioc.run_one_for(deadline - now);
            if (n == 0 && ioc.stopped()) return pred();  // nothing outstanding
        }
        return true;
    }

    void on_connection_gone(const beast::error_code& ec) {
        closed = true;
        if (error.empty()) error = ec.message();
        with_ws([&](auto& ws) {
            if (ws.reason().code != websocket::close_code::none) close_code = ws.reason().code;
        });
    }

    void start_read() {
        if (read_pending || closed || !has_stream()) return;
        read_pending = true;
        with_ws([&](auto& ws) {
            ws.async_read(read_buffer, [this](const beast::error_code& ec, std::size_t) {
                read_pending = false;
                if (ec) {
                    on_connection_gone(ec);
                    return;
                }
                inbox.push_back(beast::buffers_to_string(read_buffer.data()));
                read_buffer.consume(read_buffer.size());
            });
        });
    }

    bool write(const std::string& data, bool text, std::chrono::milliseconds timeout) {
        auto deadline = Steady::now() + timeout;
        if (!has_stream() || closed) return false;
        // A previous write that timed out must finish before another starts.
        if (!run_until([&] { return !write_pending; }, deadline)) {
            error = "previous write still pending";
            return false;
        }
        auto ok = std::make_shared<bool>(false);
        write_data = data;
        write_pending = true;
        with_ws([&](auto& ws) {
            ws.text(text);
            ws.async_write(net::buffer(write_data),
                           [this, ok](const beast::error_code& ec, std::size_t) {
                               write_pending = false;
                               *ok = !ec;
                               if (ec) error = "write: " + ec.message();
                           });
        });
        if (!run_until([&] { return !write_pending; }, deadline)) {
            error = "write timed out";
            return false;
        }
        return *ok;
    }
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}
WsClient::~WsClient() = default;

WsConnectResult WsClient::connect(std::uint16_t port, const WsConnectOptions& options) {
    WsConnectResult result;
    Impl& s = *impl_;
    auto deadline = Steady::now() + options.timeout;
    s.plain.reset();
    s.secure.reset();
    s.closed = false;
    s.close_code.reset();
    s.error.clear();
    s.inbox.clear();

    if (options.tls) {
        s.secure = std::make_unique<TlsWs>(s.ioc, s.ssl_ctx);
    } else {
        s.plain = std::make_unique<PlainWs>(s.ioc);
    }
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);

    // Handlers may outlive this frame if a step times out: they share state
    // by value.
    struct Step {
        bool done = false;
        beast::error_code ec;
        websocket::response_type response;
    };
    auto state = std::make_shared<Step>();
    auto step = [&](auto&& start) {
        state->done = false;
        state->ec = {};
        start();
        if (!s.run_until([&] { return state->done; }, deadline)) {
            state->ec = beast::error::timeout;
            return false;
        }
        return !state->ec;
    };
    auto on_done = [state](const beast::error_code& ec, auto&&...) {
        state->ec = ec;
        state->done = true;
    };
    auto fail = [&](const std::string& what) {
        result.error = what + ": " + state->ec.message();
        // Close the socket and let cancelled handlers (which reference this
        // frame) complete before returning.
        s.with_ws([](auto& ws) {
            beast::error_code ignored;
            beast::get_lowest_layer(ws).socket().close(ignored);
        });
        s.ioc.restart();
        s.ioc.poll();
        s.closed = true;
        return result;
    };

    bool ok = true;
    s.with_ws([&](auto& ws) {
        auto& lowest = beast::get_lowest_layer(ws);
        lowest.expires_at(deadline);
        ok = step([&] { lowest.async_connect(endpoint, on_done); });
    });
    if (!ok) return fail("connect");

    if (s.secure) {
        auto& tls = s.secure->next_layer();
        SSL_set_tlsext_host_name(tls.native_handle(), "localhost");
        if (!step([&] { tls.async_handshake(ssl::stream_base::client, on_done); }))
            return fail("tls handshake");
    }

    websocket::response_type& response = state->response;
    s.with_ws([&](auto& ws) {
        beast::get_lowest_layer(ws).expires_never();
        websocket::stream_base::timeout t{};
        t.handshake_timeout = options.timeout;
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        ws.set_option(t);
        ws.auto_fragment(false);
        ws.read_message_max(64 * 1024 * 1024);
        std::string protocols;
        for (const auto& p : options.subprotocols) {
            if (!protocols.empty()) protocols += ", ";
            protocols += p;
        }
        auto origin = options.origin;
        ws.set_option(
            websocket::stream_base::decorator([protocols, origin](websocket::request_type& req) {
                req.set(http::field::user_agent, "switchboard-integration-tests");
                if (!protocols.empty()) req.set(http::field::sec_websocket_protocol, protocols);
                if (origin) req.set(http::field::origin, *origin);
            }));
        std::string host = "127.0.0.1:" + std::to_string(port);
        ok = step([&] { ws.async_handshake(response, host, options.path, on_done); });
    });
    result.status = static_cast<int>(response.result_int());
    if (!ok) return fail("websocket handshake (HTTP " + std::to_string(result.status) + ")");
    s.subprotocol = std::string(response[http::field::sec_websocket_protocol]);
    result.ok = true;
    return result;
}

bool WsClient::send_text(const std::string& text, std::chrono::milliseconds timeout) {
    return impl_->write(text, true, timeout);
}

bool WsClient::send_fragmented(const std::string& text, std::size_t fragment,
                               std::chrono::milliseconds timeout) {
    Impl& s = *impl_;
    auto deadline = Steady::now() + timeout;
    if (!s.has_stream() || s.closed || fragment == 0) return false;
    if (!s.run_until([&] { return !s.write_pending; }, deadline)) return false;
    s.write_data = text;
    std::size_t offset = 0;
    while (offset < s.write_data.size()) {
        std::size_t n = std::min(fragment, s.write_data.size() - offset);
        bool fin = offset + n == s.write_data.size();
        auto ok = std::make_shared<bool>(false);
        s.write_pending = true;
        s.with_ws([&](auto& ws) {
            ws.text(true);
            ws.async_write_some(fin, net::buffer(s.write_data.data() + offset, n),
                                [&s, ok](const beast::error_code& ec, std::size_t) {
                                    s.write_pending = false;
                                    *ok = !ec;
                                    if (ec) s.error = "write: " + ec.message();
                                });
        });
        if (!s.run_until([&] { return !s.write_pending; }, deadline) || !*ok) return false;
        offset += n;
    }
    return true;
}

bool WsClient::send_binary(const std::string& bytes, std::chrono::milliseconds timeout) {
    return impl_->write(bytes, false, timeout);
}

std::optional<std::string> WsClient::recv(std::chrono::milliseconds timeout) {
    return recv_matching([](const std::string&) { return true; }, timeout);
}

std::optional<std::string> WsClient::recv_matching(
    const std::function<bool(const std::string&)>& match, std::chrono::milliseconds timeout) {
    Impl& s = *impl_;
    auto deadline = Steady::now() + timeout;
    std::size_t scanned = 0;
    while (true) {
        for (; scanned < s.inbox.size(); ++scanned) {
            if (match(s.inbox[scanned])) {
                std::string out = std::move(s.inbox[scanned]);
                s.inbox.erase(s.inbox.begin() + static_cast<std::ptrdiff_t>(scanned));
                return out;
            }
        }
        if (s.closed || Steady::now() >= deadline) return std::nullopt;
        s.start_read();
        std::size_t have = s.inbox.size();
        s.run_until([&] { return s.inbox.size() > have || s.closed; }, deadline);
    }
}

rapidjson::Document WsClient::recv_json(std::chrono::milliseconds timeout) {
    rapidjson::Document doc;
    auto text = recv(timeout);
    if (!text) return doc;
    doc.Parse(text->c_str(), text->size());
    if (doc.HasParseError()) doc.SetNull();
    return doc;
}

bool WsClient::close(std::uint16_t code, std::chrono::milliseconds timeout) {
    Impl& s = *impl_;
    if (!s.has_stream() || s.closed) return false;
    auto deadline = Steady::now() + timeout;
    struct CloseState {
        bool done = false;
        beast::error_code ec;
    };
    auto state = std::make_shared<CloseState>();
    s.with_ws([&](auto& ws) {
        ws.async_close(websocket::close_reason(code), [state](const beast::error_code& ec) {
            state->ec = ec;
            state->done = true;
        });
    });
    bool finished = s.run_until([&] { return state->done; }, deadline);
    if (!finished) {
        s.with_ws([](auto& ws) {
            beast::error_code ignored;
            beast::get_lowest_layer(ws).socket().close(ignored);
        });
    }
    s.closed = true;
    return finished && !state->ec;
}

std::optional<int> WsClient::wait_close(std::chrono::milliseconds timeout) {
    Impl& s = *impl_;
    auto deadline = Steady::now() + timeout;
    while (!s.closed && Steady::now() < deadline) {
        s.start_read();
        std::size_t have = s.inbox.size();
        s.run_until([&] { return s.inbox.size() > have || s.closed; }, deadline);
    }
    if (!s.closed) return std::nullopt;
    return s.close_code;
}

void WsClient::drop() {
    Impl& s = *impl_;
    s.with_ws([](auto& ws) {
        beast::error_code ignored;
        auto& sock = beast::get_lowest_layer(ws).socket();
        sock.close(ignored);
    });
    // Let any pending handlers see the cancellation now, while we are alive.
    s.ioc.restart();
    s.ioc.poll();
    s.closed = true;
}

bool WsClient::is_open() const {
    return impl_->has_stream() && !impl_->closed;
}
bool WsClient::closed() const {
    return impl_->closed;
}
std::optional<int> WsClient::close_code() const {
    return impl_->close_code;
}
const std::string& WsClient::negotiated_subprotocol() const {
    return impl_->subprotocol;
}
const std::string& WsClient::last_error() const {
    return impl_->error;
}
std::size_t WsClient::buffered() const {
    return impl_->inbox.size();
}
std::vector<std::string> WsClient::pending() const {
    return {impl_->inbox.begin(), impl_->inbox.end()};
}

}  // namespace sbtest
