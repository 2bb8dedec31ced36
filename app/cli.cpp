#include "app/cli.hpp"

namespace switchboard::app {

const char* usage() {
    return R"(usage:
  switchboard [--config FILE]                         run (default: built-in development defaults)
  switchboard check-config --config FILE              validate and print the effective config
  switchboard token --user U [--room R]... [--ttl 1h] [--admin] [--config FILE]
                                                      mint an HS256 JWT with auth.jwt_secret
                                                      (--admin: allowed to POST /api/kick)
  switchboard turn-credentials --user U [--config FILE]
                                                      print TURN REST credentials (JSON)
  switchboard version
  switchboard --help
)";
}

std::optional<CommandLine> parse_command_line(const std::vector<std::string>& args,
                                              CliError& error) {
    CommandLine cl;
    std::size_t i = 0;
    if (!args.empty() && !args[0].starts_with("-")) {
        const auto& c = args[0];
        if (c == "run")
            cl.command = Command::run;
        else if (c == "check-config")
            cl.command = Command::check_config;
        else if (c == "token")
            cl.command = Command::token;
        else if (c == "turn-credentials")
            cl.command = Command::turn_credentials;
        else if (c == "version")
            cl.command = Command::version;
        else if (c == "help")
            cl.command = Command::help;
        else {
            error.message = "unknown command '" + c + "'";
            return std::nullopt;
        }
        i = 1;
    }
    for (; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == "--help" || a == "-h") {
            cl.command = Command::help;
            continue;
        }
        if (a == "--admin") {
            cl.admin = true;
            continue;
        }
        if (a == "--version") {
            cl.command = Command::version;
            continue;
        }
        auto value = [&](std::optional<std::string>& out) {
            if (i + 1 >= args.size()) {
                error.message = a + " needs a value";
                return false;
            }
            out = args[++i];
            return true;
        };
        std::optional<std::string> room;
        if (a == "--config" || a == "-c") {
            if (!value(cl.config_path)) return std::nullopt;
        } else if (a == "--user") {
            if (!value(cl.user)) return std::nullopt;
        } else if (a == "--room") {
            if (!value(room)) return std::nullopt;
            cl.rooms.push_back(*room);
        } else if (a == "--ttl") {
            if (!value(cl.ttl)) return std::nullopt;
        } else {
            error.message = "unknown option '" + a + "'";
            return std::nullopt;
        }
    }
    if ((cl.command == Command::token || cl.command == Command::turn_credentials) && !cl.user) {
        error.message = "--user is required";
        return std::nullopt;
    }
    if (cl.command == Command::check_config && !cl.config_path) {
        error.message = "check-config needs --config FILE";
        return std::nullopt;
    }
    return cl;
}

}  // namespace switchboard::app
