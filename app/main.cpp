// The composition root: command line, config, and wiring of the parts.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/cli.hpp"
#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/crypto.hpp"
#include "shared/duration.hpp"
#include "shared/identifier.hpp"
#include "shared/jwt.hpp"
#include "shared/log.hpp"
#include "shared/metrics.hpp"
#include "shared/net/tls_context.hpp"
#include "shared/reload.hpp"
#include "signaling/http_api.hpp"
#include "signaling/ice_servers.hpp"
#include "signaling/io/server.hpp"
#include "turn/io/turn_server.hpp"

namespace sb = switchboard;
using namespace std::chrono_literals;

namespace {

constexpr int kExitUsage = 2;  // bad command line or config: nothing was opened
constexpr auto kDrainDeadline = 5s;

std::optional<sb::shared::Config> load(const sb::app::CommandLine& cl) {
    if (!cl.config_path) return sb::shared::Config{};
    auto loaded = sb::shared::load_config_file(*cl.config_path);
    if (auto* err = std::get_if<sb::shared::ConfigError>(&loaded)) {
        std::cerr << "switchboard: " << err->message << "\n";
        return std::nullopt;
    }
    return std::get<sb::shared::Config>(std::move(loaded));
}

int mint_token(const sb::app::CommandLine& cl, const sb::shared::Config& config) {
    if (config.auth.jwt_secret.empty()) {
        std::cerr << "switchboard: auth.jwt_secret is not set in " << config.source << "\n";
        return kExitUsage;
    }
    if (!sb::shared::valid_identifier(*cl.user)) {
        std::cerr << "switchboard: --user must be 1 to 128 characters of [A-Za-z0-9._:@-]\n";
        return kExitUsage;
    }
    auto ttl = std::chrono::milliseconds(3600s);
    if (cl.ttl) {
        auto parsed = sb::shared::parse_duration(*cl.ttl);
        if (!parsed || parsed->count() <= 0) {
            std::cerr << "switchboard: --ttl: expected a duration like 3600, 30m or 1h\n";
            return kExitUsage;
        }
        ttl = *parsed;
    }
    const sb::shared::SystemClock clock;
    sb::shared::JwtClaims claims;
    claims.sub = *cl.user;
    claims.iat = clock.unix_seconds();
    claims.exp = clock.unix_seconds() + std::chrono::duration_cast<std::chrono::seconds>(ttl).count();
    if (!cl.rooms.empty()) {
        claims.any_room = false;
        claims.rooms = cl.rooms;
    }
    claims.admin = cl.admin;
    std::cout << sb::shared::mint_jwt(config.auth.jwt_secret, claims) << "\n";
    return 0;
}

int print_turn_credentials(const sb::app::CommandLine& cl, const sb::shared::Config& config) {
    if (config.turn.secrets.empty()) {
        std::cerr << "switchboard: turn.secret is not set in " << config.source << "\n";
        return kExitUsage;
    }
    if (!sb::shared::valid_identifier(*cl.user)) {
        std::cerr << "switchboard: --user must be 1 to 128 characters of [A-Za-z0-9._:@-]\n";
        return kExitUsage;
    }
    const sb::signaling::IceServerFactory ice(config);
    std::cout << sb::signaling::turn_credentials_json(ice, *cl.user, sb::shared::SystemClock().unix_seconds())
              << "\n";
    return 0;
}

std::string joined(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
}

// SIGHUP: reads the file again and applies what can change while running
// (shared/reload.hpp). All or nothing: an invalid file or an unreadable
// certificate changes nothing and is logged as an error.
void reload(const std::optional<std::string>& path, sb::shared::Config& running,
            sb::signaling::io::SignalingServer& signaling, sb::signaling::IceServerFactory& ice,
            sb::turn::io::TurnServer* turn) {
    if (!path) {
        SB_LOG(info, "app", "SIGHUP: running on the built-in defaults, no file to reload");
        return;
    }
    auto loaded = sb::shared::load_config_file(*path);
    if (auto* err = std::get_if<sb::shared::ConfigError>(&loaded)) {
        SB_LOG(error, "app", "reload failed, nothing changed: " + err->message);
        return;
    }
    auto plan = sb::shared::plan_reload(running, std::get<sb::shared::Config>(loaded));
    const auto effective = std::make_shared<const sb::shared::Config>(plan.effective);
    // Certificates are read again even when their paths are the same (a
    // renewal writes new files in place).
    std::shared_ptr<boost::asio::ssl::context> signaling_tls, turn_tls;
    try {
        if (effective->signaling.tls.enabled()) {
            signaling_tls = sb::shared::net::make_server_tls_context(effective->signaling.tls);
        }
        if (turn && !effective->turn.listen_tls.empty()) {
            turn_tls = sb::shared::net::make_server_tls_context(effective->turn.tls);
        }
    } catch (const std::exception& e) {
        SB_LOG(error, "app", std::string("reload failed, nothing changed: ") + e.what());
        return;
    }
    sb::shared::log::configure(effective->log_level, effective->log_format);
    ice.reload(*effective);
    signaling.reload(effective, signaling_tls);
    if (turn) turn->reload(effective, turn_tls);
    running = plan.effective;
    SB_LOG(info, "app", "configuration reloaded from " + *path + (plan.applied.empty() ? ": no setting changed" : ": changed " + joined(plan.applied)) + (signaling_tls || turn_tls ? "; TLS certificates read again" : ""));
    if (!plan.restart.empty()) {
        SB_LOG(warn, "app", "changed in " + *path + " but kept until a restart: " + joined(plan.restart));
    }
}

int run(sb::shared::Config config, const std::optional<std::string>& config_path) {
    sb::shared::log::configure(config.log_level, config.log_format);
    if (config.turn.enabled && config.turn.secrets.empty()) {
        // Development convenience: credentials work within this process run.
        config.turn.secrets.push_back(sb::shared::random_token(24));
        SB_LOG(warn, "app", "turn.secret is not set: generated a random one for this run (development only)");
    }
    if (config.auth.mode == sb::shared::AuthMode::none) {
        SB_LOG(warn, "app", "auth.mode is none: anyone can log in as any user (development only)");
    }
    const unsigned threads = config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());

    const sb::shared::SystemClock clock;
    sb::shared::Metrics metrics;

    // TURN first: the ICE servers handed out must carry the ports it bound.
    // Its bridge to signaling is late-bound (signaling needs those ports).
    std::atomic<sb::signaling::io::SignalingServer*> signaling_ref{nullptr};
    std::unique_ptr<sb::turn::io::TurnServer> turn;
    sb::shared::Config ice_config = config;
    if (config.turn.enabled) {
        turn = std::make_unique<sb::turn::io::TurnServer>(config, clock, metrics, [&](std::string_view user) {
            auto* s = signaling_ref.load();
            bool active = false;
            if (s != nullptr) s->with_hub([&](sb::signaling::Hub& hub) { active = hub.user_active(user); });
            return active;
        });
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
    sb::signaling::IceServerFactory ice(ice_config);
    boost::asio::io_context ioc(static_cast<int>(threads));
    sb::signaling::io::SignalingServer signaling(ioc, config, clock, metrics, ice);
    try {
        signaling.start();
    } catch (const std::exception& e) {
        SB_LOG(error, "app", e.what());
        return 1;
    }
    if (turn) {
        signaling.with_hub([&](sb::signaling::Hub& hub) {
            hub.set_relay_revoke_listener([&turn](const std::string& user, std::string_view reason) {
                SB_LOG(debug, "app", "revoking TURN relays of " + user + " (" + std::string(reason) + ")");
                turn->drop_user(user);
            });
        });
        signaling_ref = &signaling;
    }

    boost::asio::signal_set stop_signals(ioc, SIGINT, SIGTERM);
    stop_signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        SB_LOG(info, "app", std::string("received ") + (signo == SIGINT ? "SIGINT" : "SIGTERM") + ", draining");
        if (turn) turn->drain();
        signaling.drain(kDrainDeadline, [&ioc] { ioc.stop(); });
    });
    // SIGHUP: reload (systemctl reload). Handlers of one signal_set run one
    // at a time, so two quick SIGHUPs reload one after the other.
    // `config` itself stays as it is: the parts hold references to it.
    sb::shared::Config running = config;
    boost::asio::signal_set hup(ioc, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_hup = [&](const boost::system::error_code& ec, int) {
        if (ec) return;
        SB_LOG(info, "app", "received SIGHUP, reloading");
        reload(config_path, running, signaling, ice, turn.get());
        hup.async_wait(on_hup);
    };
    hup.async_wait(on_hup);

    SB_LOG(info, "app", "switchboard " SWITCHBOARD_VERSION " running with " + std::to_string(threads) + " threads");
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    signaling_ref = nullptr;
    if (turn) turn->stop();
    SB_LOG(info, "app", "stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    sb::app::CliError error;
    const auto cl = sb::app::parse_command_line(std::vector<std::string>(argv + 1, argv + argc), error);
    if (!cl) {
        std::cerr << "switchboard: " << error.message << "\n" << sb::app::usage();
        return kExitUsage;
    }
    switch (cl->command) {
        case sb::app::Command::help:
            std::cout << sb::app::usage();
            return 0;
        case sb::app::Command::version:
            std::cout << "switchboard " SWITCHBOARD_VERSION "\n";
            return 0;
        default:
            break;
    }
    auto config = load(*cl);
    if (!config) return kExitUsage;
    switch (cl->command) {
        case sb::app::Command::check_config:
            std::cout << sb::shared::dump_config(*config);
            return 0;
        case sb::app::Command::token:
            return mint_token(*cl, *config);
        case sb::app::Command::turn_credentials:
            return print_turn_credentials(*cl, *config);
        default:
            return run(std::move(*config), cl->config_path);
    }
}
