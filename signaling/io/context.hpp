#pragma once
// What every signaling connection shares, and the seams between the io files.
// Included only by signaling/io/*.cpp.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/metrics.hpp"
#include "signaling/hub.hpp"
#include "signaling/ice_servers.hpp"

namespace switchboard::signaling::io {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;

// A WebSocket session as the outbox sees it. Every call is thread-safe.
class WsConnection {
public:
    virtual ~WsConnection() = default;
    // False when the bounded send queue is full (frames or bytes).
    virtual bool enqueue(std::string_view text) = 0;
    // Close after what is queued; a full queue is discarded first (a slow
    // consumer is not owed the backlog).
    virtual void enqueue_close(std::uint16_t code, std::string reason) = 0;
    virtual void enqueue_ping() = 0;
};

// The hub's Outbox: connection id -> session. Guarded by Context::hub_mutex
// (every access happens inside a hub call or next to one).
class ConnectionRegistry final : public Outbox {
public:
    bool send(ConnectionId id, std::string_view text) override;
    void close(ConnectionId id, std::uint16_t code, std::string_view reason) override;
    void ping(ConnectionId id) override;
    void add(ConnectionId id, std::shared_ptr<WsConnection> conn) { map_[id] = std::move(conn); }
    void remove(ConnectionId id) { map_.erase(id); }

private:
    std::unordered_map<ConnectionId, std::shared_ptr<WsConnection>> map_;
};

struct HttpCounters {
    explicit HttpCounters(shared::Metrics& m);
    shared::Counter& requests;
    shared::Counter& upgrades_refused;
    shared::Counter& tls_handshake_failures;
};

struct Context {
    Context(asio::io_context& io, const shared::Config& cfg, const shared::Clock& clk,
            shared::Metrics& m, const IceServerFactory& ice_factory, shared::SessionBridge* bridge)
        : ioc(io), config(cfg), clock(clk), metrics(m), ice(ice_factory),
          hub(cfg, clk, registry, ice_factory, m, std::make_unique<InMemoryRoomDirectory>(), bridge), http_counters(m),
          current_(std::make_shared<const shared::Config>(cfg)) {}

    // The hot settings (shared/reload.hpp) are read from current(), the
    // rest from `config`; the TLS context of new connections from tls()
    // (null: plain ws/http). Any thread; SIGHUP swaps both.
    std::shared_ptr<const shared::Config> current() const {
        std::lock_guard lock(reload_mutex_);
        return current_;
    }
    std::shared_ptr<asio::ssl::context> tls() const {
        std::lock_guard lock(reload_mutex_);
        return tls_;
    }
    void reload(std::shared_ptr<const shared::Config> effective, std::shared_ptr<asio::ssl::context> tls) {
        std::lock_guard lock(reload_mutex_);
        current_ = std::move(effective);
        tls_ = std::move(tls);
    }

    asio::io_context& ioc;
    const shared::Config& config;
    const shared::Clock& clock;
    shared::Metrics& metrics;
    const IceServerFactory& ice;

    std::mutex hub_mutex;
    ConnectionRegistry registry;  // before hub: the hub holds a reference
    Hub hub;
    HttpCounters http_counters;

    std::atomic<bool> draining{false};
    std::atomic<std::uint64_t> next_connection_id{1};
    std::atomic<std::size_t> ws_sessions{0};  // accepted or upgrading WebSockets

private:
    mutable std::mutex reload_mutex_;
    std::shared_ptr<const shared::Config> current_;
    std::shared_ptr<asio::ssl::context> tls_;
};

// http_session.cpp: serve HTTP on an accepted socket (after TLS if configured).
// `metrics_only` restricts the routes to /metrics and /healthz.
void start_http(Context& ctx, tcp::socket socket, bool metrics_only);

// ws_session.cpp: take over an upgraded stream. `subprotocol` is echoed when non-empty.
template <class Stream>
void start_websocket(Context& ctx, Stream stream, Request request, std::string subprotocol);

}  // namespace switchboard::signaling::io
