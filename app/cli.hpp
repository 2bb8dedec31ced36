#pragma once
// Command line (DESIGN.md "Command line"). Parsing is pure so it is testable.

#include <optional>
#include <string>
#include <vector>

namespace switchboard::app {

enum class Command { run, check_config, token, turn_credentials, version, help };

struct CommandLine {
    Command command = Command::run;
    std::optional<std::string> config_path;
    std::optional<std::string> user;
    std::vector<std::string> rooms;
    std::optional<std::string> ttl;
    bool admin = false;
};

struct CliError {
    std::string message;
};

std::optional<CommandLine> parse_command_line(const std::vector<std::string>& args,
                                              CliError& error);
const char* usage();

}  // namespace switchboard::app
