#include "app/run.hpp"

#include <atomic>
#include <csignal>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/liveness.hpp"
#include "app/service_manager.hpp"
#include "shared/clock.hpp"
#include "shared/crypto.hpp"
#include "shared/duration.hpp"
#include "shared/log.hpp"
#include "shared/metrics.hpp"
#include "shared/net/tls_context.hpp"
#include "shared/reload.hpp"
#include "signaling/ice_servers.hpp"
#include "signaling/io/server.hpp"
#include "turn/io/turn_server.hpp"

namespace switchboard::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

constexpr auto kDrainPoll = 50ms;  // how often a drain looks for the last allocation

std::string joined(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
}

// SIGHUP: reads the file again and applies what can change while running
// (shared/reload.hpp). All or nothing: an invalid file or an unreadable
// certificate changes nothing and is logged as an error.
void reload(const std::optional<std::string>& path, shared::Config& running,
            signaling::io::SignalingServer& signaling, signaling::IceServerFactory& ice,
            turn::io::TurnServer* turn) {
    if (!path) {
        SB_LOG(info, "app", "SIGHUP: running on the built-in defaults, no file to reload");
        return;
    }
    auto loaded = shared::load_config_file(*path);
    if (auto* err = std::get_if<shared::ConfigError>(&loaded)) {
        SB_LOG(error, "app", "reload failed, nothing changed: " + err->message);
        return;
    }
    auto plan = shared::plan_reload(running, std::get<shared::Config>(loaded));
    const auto effective = std::make_shared<const shared::Config>(plan.effective);
    // Certificates are read again even when their paths are the same (a
    // renewal writes new files in place).
    std::shared_ptr<asio::ssl::context> signaling_tls, turn_tls;
    try {
        if (effective->signaling.tls.enabled()) {
            signaling_tls = shared::net::make_server_tls_context(effective->signaling.tls);
        }
        if (turn && !effective->turn.listen_tls.empty()) {
            turn_tls = shared::net::make_server_tls_context(effective->turn.tls);
        }
    } catch (const std::exception& e) {
        SB_LOG(error, "app", std::string("reload failed, nothing changed: ") + e.what());
        return;
    }
    shared::log::configure(effective->log_level, effective->log_format);
    ice.reload(*effective);
    signaling.reload(effective, signaling_tls);
    if (turn) turn->reload(effective, turn_tls);
    running = plan.effective;
    SB_LOG(
        info, "app",
        "configuration reloaded from " + *path +
            (plan.applied.empty() ? ": no setting changed" : ": changed " + joined(plan.applied)) +
            (signaling_tls || turn_tls ? "; TLS certificates read again" : ""));
    if (!plan.restart.empty()) {
        SB_LOG(warn, "app",
               "changed in " + *path + " but kept until a restart: " + joined(plan.restart));
    }
}

// The service manager's watchdog (WatchdogSec=): every period, each event
// loop is sent a probe; the keep-alive goes out only when every loop
// answered the previous one (app/liveness.hpp). Runs on the signaling
// io_context, so a wedged signaling side stops the keep-alive too.
class Watchdog {
public:
    Watchdog(asio::io_context& ioc, std::chrono::microseconds period)
        : timer_(ioc), period_(period) {}

    // Start-up only.
    void watch(const std::string& name, asio::io_context& loop) {
        loops_.push_back({monitor_.add(name), &loop});
    }
    void start() { arm(); }
    void stop() { timer_.cancel(); }

private:
    void arm() {
        timer_.expires_after(period_);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;
            const auto round = monitor_.next_round();
            if (round.stuck.empty()) {
                service_manager::watchdog_alive();
            } else {
                const std::string what =
                    "not answering for " + std::to_string(period_.count() / 1000) +
                    " ms: " + joined(round.stuck) + "; watchdog keep-alive held back";
                SB_LOG(error, "app", what);
                service_manager::status(what);
            }
            for (const auto& [index, loop] : loops_) {
                asio::post(*loop,
                           [this, index = index, id = round.id] { monitor_.answer(index, id); });
            }
            arm();
        });
    }

    asio::steady_timer timer_;
    const std::chrono::microseconds period_;
    LivenessMonitor monitor_;
    std::vector<std::pair<std::size_t, asio::io_context*>> loops_;
};

// SIGTERM/SIGINT: WebSockets get goaway and close 1001 at once; TURN takes no
// new allocations, and the process stays up while relays flow, until the
// last allocation goes or shutdown.drain has passed.
class Drain {
public:
    Drain(asio::io_context& ioc, signaling::io::SignalingServer& signaling,
          turn::io::TurnServer* turn)
        : ioc_(ioc), timer_(ioc), signaling_(signaling), turn_(turn) {}

    void start(std::chrono::milliseconds deadline) {
        until_ = Steady::now() + deadline;
        if (turn_) turn_->drain();
        signaling_.drain(deadline, [this] { asio::post(ioc_, [this] { wait_for_relays(); }); });
    }

private:
    void wait_for_relays() {
        const std::size_t left = turn_ ? turn_->allocations() : 0;
        if (left == 0 || Steady::now() >= until_) {
            if (left != 0)
                SB_LOG(info, "app",
                       "drain deadline: closing " + std::to_string(left) + " allocations");
            ioc_.stop();
            return;
        }
        if (!logged_) {
            logged_ = true;
            SB_LOG(info, "app",
                   "WebSockets closed; " + std::to_string(left) + " allocations still relaying");
        }
        timer_.expires_after(kDrainPoll);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) wait_for_relays();
        });
    }

    asio::io_context& ioc_;
    asio::steady_timer timer_;
    signaling::io::SignalingServer& signaling_;
    turn::io::TurnServer* turn_;
    Steady::time_point until_{};
    bool logged_ = false;
};

}  // namespace

int run_server(shared::Config config, const std::optional<std::string>& config_path) {
    shared::log::configure(config.log_level, config.log_format);
    if (config.turn.enabled && config.turn.secrets.empty()) {
        // Development convenience: credentials work within this process run.
        config.turn.secrets.push_back(shared::random_token(24));
        SB_LOG(warn, "app",
               "turn.secret is not set: generated a random one for this run (development only)");
    }
    if (config.auth.mode == shared::AuthMode::none) {
        SB_LOG(warn, "app", "auth.mode is none: anyone can log in as any user (development only)");
    }
    for (const auto& warning : shared::permission_warnings(config)) SB_LOG(warn, "app", warning);
    const unsigned turn_threads =
        config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());

    const shared::SystemClock clock;
    shared::Metrics metrics;

    // TURN first: the ICE servers handed out must carry the ports it bound.
    // Signaling tells its workers who is active through the bridge.
    shared::SessionBridge bridge;
    std::unique_ptr<turn::io::TurnServer> turn;
    shared::Config ice_config = config;
    if (config.turn.enabled) {
        turn = std::make_unique<turn::io::TurnServer>(config, clock, metrics, bridge);
        try {
            turn->start();
        } catch (const std::exception& e) {
            SB_LOG(error, "app", e.what());
            return 1;
        }
        ice_config.turn.listen_udp = turn->bound_udp();
        ice_config.turn.listen_tcp = turn->bound_tcp();
        ice_config.turn.listen_tls = turn->bound_tls();
    }
    signaling::IceServerFactory ice(ice_config);
    // The signaling loop: one thread, this one, owns every signaling
    // connection and the hub (docs/signaling.md).
    asio::io_context ioc(1);
    // Signal handlers before any listener: once "listening on" is logged a
    // SIGHUP or SIGTERM may come (systemd, tests), and before its signal_set
    // exists SIGHUP's default action would end the process. A signal that
    // arrives before the waits below are armed is queued by Asio.
    asio::signal_set stop_signals(ioc, SIGINT, SIGTERM);
    asio::signal_set hup(ioc, SIGHUP);
    signaling::io::SignalingServer signaling(ioc, config, clock, metrics, ice,
                                             turn ? &bridge : nullptr);
    try {
        signaling.start();
    } catch (const std::exception& e) {
        SB_LOG(error, "app", e.what());
        return 1;
    }

    // `config` itself stays as it is: the parts hold references to it.
    shared::Config running = config;
    Drain drain(ioc, signaling, turn.get());
    std::optional<Watchdog> watchdog;
    if (const auto period = service_manager::watchdog_period()) {
        watchdog.emplace(ioc, *period);
        watchdog->watch("signaling", ioc);
        if (turn)
            turn->for_each_loop([&](const std::string& name, asio::io_context& loop) {
                watchdog->watch(name, loop);
            });
        watchdog->start();
    }

    stop_signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        SB_LOG(info, "app",
               std::string("received ") + (signo == SIGINT ? "SIGINT" : "SIGTERM") +
                   ", draining for up to " + shared::format_duration(running.shutdown.drain));
        service_manager::stopping();
        drain.start(running.shutdown.drain);
    });
    // SIGHUP: reload (systemctl reload). Handlers of one signal_set run one
    // at a time, so two quick SIGHUPs reload one after the other.
    std::function<void(const boost::system::error_code&, int)> on_hup =
        [&](const boost::system::error_code& ec, int) {
            if (ec) return;
            SB_LOG(info, "app", "received SIGHUP, reloading");
            service_manager::reloading();
            reload(config_path, running, signaling, ice, turn.get());
            service_manager::ready("serving " + signaling.ws_url());
            hup.async_wait(on_hup);
        };
    hup.async_wait(on_hup);

    // READY once the loops run: every listener is bound, and a client that
    // connects on the word is answered.
    asio::post(ioc, [&] { service_manager::ready("serving " + signaling.ws_url()); });
    SB_LOG(info, "app",
           "switchboard " SWITCHBOARD_VERSION " running: one signaling loop" +
               (turn ? ", " + std::to_string(turn_threads) + " TURN workers" : std::string()));
    ioc.run();
    if (turn) turn->stop();
    SB_LOG(info, "app", "stopped");
    return 0;
}

}  // namespace switchboard::app
