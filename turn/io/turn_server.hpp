#pragma once
// The STUN/TURN side of the process: worker threads (turn/io/worker.hpp),
// UDP/TCP/TLS listeners, and the process-wide state they share.
//
// Thread context: construct, start(), drain() and stop() from main;
// reload() from any thread. The signaling side reaches the workers through
// the SessionBridge only.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/metrics.hpp"
#include "shared/session_bridge.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace switchboard::turn::io {

class TurnServer {
public:
    // Each worker subscribes to `bridge` (turn.require_active_session, and
    // the relays of users who go): construct before the signaling side uses it.
    TurnServer(const shared::Config& config, const shared::Clock& clock, shared::Metrics& metrics,
               shared::SessionBridge& bridge);
    ~TurnServer();
    TurnServer(const TurnServer&) = delete;
    TurnServer& operator=(const TurnServer&) = delete;

    // Binds every listener and starts the workers. Throws std::runtime_error
    // (start-up only) naming the address that failed.
    void start();
    // The addresses actually bound (port 0 in the config becomes the real
    // port), per kind, in config order; valid after start().
    const std::vector<shared::Endpoint>& bound_udp() const;
    const std::vector<shared::Endpoint>& bound_tcp() const;
    const std::vector<shared::Endpoint>& bound_tls() const;
    // New allocations are refused from now on; existing relays keep running.
    void drain();
    // Allocations alive now, on every worker (any thread).
    std::size_t allocations() const;
    // Each event loop with a name ("turn-worker-0", ..., "turn-accept"), for
    // the watchdog's liveness probes. After start(); the loops outlive the
    // TurnServer's stop() only as long as the TurnServer itself.
    void for_each_loop(const std::function<void(const std::string&, boost::asio::io_context&)>& fn);
    // SIGHUP (shared/reload.hpp): the workers take the secrets and static
    // users of `effective`; the TLS listeners hand `tls` to new connections
    // (ignored when there are none; null keeps the current one).
    void reload(std::shared_ptr<const shared::Config> effective,
                std::shared_ptr<boost::asio::ssl::context> tls);
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::turn::io
