#include "signaling/io/loop.hpp"

#include <boost/asio/post.hpp>

#include "signaling/io/connection.hpp"

namespace switchboard::signaling::io {

namespace {
// One read fills at most this much; the kernel's loopback and LAN segments
// are far smaller, so a read rarely needs a second call.
constexpr std::size_t kReadBuffer = 64 * 1024;
}  // namespace

Counters::Counters(shared::Metrics& m)
    : requests(
          m.counter("switchboard_http_requests_total", "HTTP requests on the signaling listener.")),
      upgrades_refused(
          m.counter("switchboard_http_upgrades_refused_total",
                    "WebSocket upgrades refused (origin, subprotocol, capacity, draining).")),
      tls_handshake_failures(
          m.counter("switchboard_tls_handshake_failures_total",
                    "TLS handshakes on the signaling listener that failed or timed out.")),
      refused_per_ip(
          m.counter("switchboard_signaling_connections_refused_total",
                    "Connections closed at accept, by the limit reached "
                    "(signaling.max_connections_per_ip, signaling.max_http_connections).",
                    {{"limit", "per_ip"}})),
      refused_http(m.counter("switchboard_signaling_connections_refused_total",
                             "Connections closed at accept, by the limit reached "
                             "(signaling.max_connections_per_ip, signaling.max_http_connections).",
                             {{"limit", "http"}})),
      write_timeouts(
          m.counter("switchboard_signaling_write_timeouts_total",
                    "Connections dropped: a write made no progress for signaling.write_timeout.")),
      open(m.gauge("switchboard_signaling_sockets",
                   "Open sockets on the signaling and metrics listeners.")) {}

Loop::Loop(asio::io_context& io, const shared::Config& cfg, const shared::Clock& clk,
           shared::Metrics& m, const IceServerFactory& ice_factory, shared::SessionBridge* bridge)
    : ioc(io),
      config(cfg),
      clock(clk),
      metrics(m),
      ice(ice_factory),
      counters(m),
      read_buffer_(kReadBuffer),
      current_(std::make_shared<const shared::Config>(cfg)),
      hub(cfg, clk, *this, ice_factory, m, std::make_unique<InMemoryRoomDirectory>(), bridge) {
    // Deactivations go to the TURN workers once per turn, with everything
    // else the turn produced.
    if (bridge != nullptr) {
        bridge->on_pending([this, bridge] { asio::post(ioc, [bridge] { bridge->flush(); }); });
    }
}

Loop::~Loop() = default;

bool Loop::send(ConnectionId id, std::string_view text) {
    const auto it = ws_.find(id);
    return it == ws_.end() || it->second->queue_text(text);  // gone: nothing to overflow
}

void Loop::close(ConnectionId id, std::uint16_t code, std::string_view reason) {
    if (const auto it = ws_.find(id); it != ws_.end()) it->second->close_websocket(code, reason);
}

void Loop::ping(ConnectionId id) {
    if (const auto it = ws_.find(id); it != ws_.end()) it->second->queue_ping();
}

bool Loop::admit(const std::string& ip) {
    if (all_.size() - ws_.size() >= config.signaling.max_http_connections) {
        counters.refused_http.inc();
        return false;
    }
    const std::size_t cap = config.signaling.max_connections_per_ip;
    auto& n = per_ip_[ip];
    if (cap != 0 && n >= cap) {
        if (n == 0) per_ip_.erase(ip);
        counters.refused_per_ip.inc();
        return false;
    }
    ++n;
    return true;
}

void Loop::release(const std::string& ip) {
    const auto it = per_ip_.find(ip);
    if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

void Loop::schedule_flush(std::shared_ptr<Connection> c) {
    // The first connection of a turn posts the flush; the post lands behind
    // the handlers the reactor has queued already.
    if (dirty_.empty()) asio::post(ioc, [this] { flush_all(); });
    dirty_.push_back(std::move(c));
}

void Loop::flush_all() {
    auto dirty = std::move(dirty_);
    dirty_.clear();
    for (auto& c : dirty) c->flush();
}

void Loop::check_deadlines() {
    const auto now = clock.now();
    for_each([now](Connection& c) { c.check_deadline(now); });
}

void Loop::reload(std::shared_ptr<const shared::Config> effective,
                  std::shared_ptr<asio::ssl::context> tls) {
    current_ = effective;
    tls_ = std::move(tls);
    hub.reload(std::move(effective));
}

}  // namespace switchboard::signaling::io
