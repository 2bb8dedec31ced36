#pragma once
// The signaling front end: HTTP(S)/WS(S) listener(s) around the Hub, all on
// one event loop (signaling/io/loop.hpp; docs/signaling.md).
//
// Thread context: construct and start() before the io_context runs; drain()
// and reload() on the loop's thread (the app's signal handlers run there).
// The io_context must be run by one thread.

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace boost::asio::ssl {
class context;
}

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/metrics.hpp"
#include "signaling/hub.hpp"
#include "signaling/ice_servers.hpp"

namespace switchboard::signaling::io {

class SignalingServer {
public:
    // `bridge` (optional) hears which users are active, for TURN.
    SignalingServer(boost::asio::io_context& ioc, const shared::Config& config,
                    const shared::Clock& clock, shared::Metrics& metrics,
                    const IceServerFactory& ice, shared::SessionBridge* bridge);
    ~SignalingServer();
    SignalingServer(const SignalingServer&) = delete;
    SignalingServer& operator=(const SignalingServer&) = delete;

    // Binds the listeners and starts accepting. Throws std::runtime_error on
    // a bind or TLS failure (start-up only). Logs the URLs it serves.
    void start();
    // SIGTERM/SIGINT: /healthz turns 503, new upgrades get 503, every
    // WebSocket gets `goaway` and close 1001. `done` runs (on an io thread)
    // once every WebSocket is gone, or after `deadline`.
    void drain(std::chrono::milliseconds deadline, std::function<void()> done);

    // SIGHUP (shared/reload.hpp): new connections get the hot settings of
    // `effective` and the TLS context `tls` (null keeps the current one);
    // live ones keep going.
    void reload(std::shared_ptr<const shared::Config> effective,
                std::shared_ptr<boost::asio::ssl::context> tls);
    // The signaling URL, e.g. "ws://127.0.0.1:8080/ws" (valid after start()).
    std::string ws_url() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace switchboard::signaling::io
