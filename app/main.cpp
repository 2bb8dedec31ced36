// The command line: parse it, load the config, and run the command
// (`switchboard` itself runs the server: app/run.hpp).
#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/cli.hpp"
#include "app/run.hpp"
#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/duration.hpp"
#include "shared/identifier.hpp"
#include "shared/jwt.hpp"
#include "shared/net/tls_context.hpp"
#include "signaling/http_api.hpp"
#include "signaling/ice_servers.hpp"

namespace sb = switchboard;
using namespace std::chrono_literals;

namespace {

constexpr int kExitUsage = 2;  // bad command line or config: nothing was opened

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
    claims.exp =
        clock.unix_seconds() + std::chrono::duration_cast<std::chrono::seconds>(ttl).count();
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
    std::cout << sb::signaling::turn_credentials_json(ice, *cl.user,
                                                      sb::shared::SystemClock().unix_seconds())
              << "\n";
    return 0;
}

// check-config: the config, then the files the server would read at start
// (certificates), so that a missing or mismatched one is found now, not at
// the first start.
int check_config(const sb::shared::Config& config) {
    const std::pair<const char*, const sb::shared::TlsFiles*> used[] = {
        {"signaling.tls", config.signaling.tls.enabled() ? &config.signaling.tls : nullptr},
        {"turn.tls",
         config.turn.enabled && !config.turn.listen_tls.empty() ? &config.turn.tls : nullptr},
    };
    for (const auto& [key, files] : used) {
        if (files == nullptr) continue;
        try {
            sb::shared::net::make_server_tls_context(*files);
        } catch (const std::exception& e) {
            std::cerr << "switchboard: " << config.source << ": " << key << ": " << e.what()
                      << "\n";
            return kExitUsage;
        }
    }
    for (const auto& warning : sb::shared::permission_warnings(config))
        std::cerr << "switchboard: warning: " << warning << "\n";
    std::cout << sb::shared::dump_config(config);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    sb::app::CliError error;
    const auto cl =
        sb::app::parse_command_line(std::vector<std::string>(argv + 1, argv + argc), error);
    if (!cl) {
        std::cerr << "switchboard: " << error.message << "\n" << sb::app::usage();
        return kExitUsage;
    }
    switch (cl->command) {
        case sb::app::Command::help: std::cout << sb::app::usage(); return 0;
        case sb::app::Command::version:
            std::cout << "switchboard " SWITCHBOARD_VERSION "\n";
            return 0;
        default: break;
    }
    auto config = load(*cl);
    if (!config) return kExitUsage;
    switch (cl->command) {
        case sb::app::Command::check_config: return check_config(*config);
        case sb::app::Command::token: return mint_token(*cl, *config);
        case sb::app::Command::turn_credentials: return print_turn_credentials(*cl, *config);
        default: return sb::app::run_server(std::move(*config), cl->config_path);
    }
}
