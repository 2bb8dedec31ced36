#pragma once
// What the signaling side's connections share. One thread, the signaling
// loop, owns all of it: the hub, every connection (HTTP, WebSocket, TLS or
// not), these tables and the scratch buffer reads land in. Nothing here is
// locked (DESIGN.md rule 4; docs/signaling.md draws who owns what). The
// TURN workers hear from the hub through the SessionBridge, never by
// reaching in here.
//
// Included by signaling/io/*.cpp only.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/metrics.hpp"
#include "shared/session_bridge.hpp"
#include "signaling/hub.hpp"
#include "signaling/ice_servers.hpp"

namespace switchboard::signaling::io {

namespace asio = boost::asio;
class Connection;

struct Counters {
    explicit Counters(shared::Metrics& m);
    shared::Counter& requests;
    shared::Counter& upgrades_refused;
    shared::Counter& tls_handshake_failures;
    shared::Counter& refused_per_ip;
    shared::Counter& refused_http;
    shared::Counter& write_timeouts;
    shared::Gauge& open;
};

class Loop final : public Outbox {
public:
    Loop(asio::io_context& ioc, const shared::Config& config, const shared::Clock& clock,
         shared::Metrics& metrics, const IceServerFactory& ice, shared::SessionBridge* bridge);
    ~Loop() override;

    // The hub's Outbox: frames for the WebSocket with that id.
    bool send(ConnectionId id, std::string_view text) override;
    void close(ConnectionId id, std::uint16_t code, std::string_view reason) override;
    void ping(ConnectionId id) override;

    // signaling.max_connections_per_ip, and signaling.max_http_connections
    // for connections not (yet) upgraded to WebSocket (TLS handshakes, HTTP
    // requests, keep-alive): false when one is reached (the socket is then
    // closed at once); release() when an admitted one goes.
    bool admit(const std::string& ip);
    void release(const std::string& ip);

    // Every live connection, for the deadlines and the drain.
    void add(Connection* c) { all_.insert(c); }
    void remove(Connection* c) { all_.erase(c); }
    // Upgraded ones, by hub id.
    void register_ws(ConnectionId id, Connection* c) { ws_[id] = c; }
    void unregister_ws(ConnectionId id) { ws_.erase(id); }
    std::size_t ws_count() const { return ws_.size(); }

    // `c` has bytes to write: it is flushed once, after the handlers already
    // queued in this turn of the loop have run, with everything queued for it
    // meanwhile (a broadcast and the replies of a batch of reads go out in
    // one write per socket).
    void schedule_flush(std::shared_ptr<Connection> c);

    // Closes what is past a deadline (TLS handshake, HTTP request, closing
    // handshake, a write that makes no progress). Every tick.
    void check_deadlines();
    // Drain: every connection that is not a WebSocket is closed (HTTP ones
    // once their response is out).
    template <class Fn>
    void for_each(Fn fn) {
        std::vector<Connection*> snapshot(all_.begin(), all_.end());
        for (auto* c : snapshot) fn(*c);
    }

    // Where reads land: one buffer for every connection on this loop, so an
    // idle connection holds none.
    std::span<char> read_buffer() { return read_buffer_; }

    // The hot settings (shared/reload.hpp) and the TLS context of new
    // connections (null: plain ws/http). SIGHUP replaces both.
    const shared::Config& current() const { return *current_; }
    const std::shared_ptr<asio::ssl::context>& tls() const { return tls_; }
    void reload(std::shared_ptr<const shared::Config> effective,
                std::shared_ptr<asio::ssl::context> tls);
    void set_tls(std::shared_ptr<asio::ssl::context> tls) { tls_ = std::move(tls); }

    asio::io_context& ioc;
    const shared::Config& config;
    const shared::Clock& clock;
    shared::Metrics& metrics;
    const IceServerFactory& ice;
    Counters counters;
    bool draining = false;
    ConnectionId next_id = 1;

private:
    void flush_all();

    std::unordered_map<ConnectionId, Connection*> ws_;
    std::unordered_set<Connection*> all_;
    std::unordered_map<std::string, std::size_t> per_ip_;
    std::vector<std::shared_ptr<Connection>> dirty_;
    std::vector<char> read_buffer_;
    std::shared_ptr<const shared::Config> current_;
    std::shared_ptr<asio::ssl::context> tls_;

public:
    Hub hub;  // last: it holds this Outbox
};

}  // namespace switchboard::signaling::io
