#include "app/cli.hpp"

#include <gtest/gtest.h>

namespace switchboard::app {
namespace {

struct Parsed {
    std::optional<CommandLine> cl;
    std::string error;
};

Parsed parse(std::vector<std::string> args) {
    CliError error;
    auto cl = parse_command_line(args, error);
    return {std::move(cl), error.message};
}

TEST(CommandLine, DefaultsToRun) {
    const auto p = parse({});
    ASSERT_TRUE(p.cl);
    EXPECT_EQ(p.cl->command, Command::run);
    EXPECT_FALSE(p.cl->config_path);
    EXPECT_FALSE(p.cl->user);
    EXPECT_TRUE(p.cl->rooms.empty());
    EXPECT_FALSE(p.cl->ttl);
}

TEST(CommandLine, Commands) {
    const std::pair<std::vector<std::string>, Command> cases[] = {
        {{"run"}, Command::run},
        {{"--config", "a.yaml"}, Command::run},
        {{"check-config", "--config", "a.yaml"}, Command::check_config},
        {{"token", "--user", "alice"}, Command::token},
        {{"turn-credentials", "--user", "alice"}, Command::turn_credentials},
        {{"version"}, Command::version},
        {{"--version"}, Command::version},
        {{"help"}, Command::help},
        {{"--help"}, Command::help},
        {{"-h"}, Command::help},
        {{"token", "--help"}, Command::help},
    };
    for (const auto& [args, command] : cases) {
        const auto p = parse(args);
        ASSERT_TRUE(p.cl) << args.front() << ": " << p.error;
        EXPECT_EQ(p.cl->command, command) << args.front();
    }
}

TEST(CommandLine, TokenOptions) {
    const auto p = parse({"token", "--user", "alice", "--room", "r1", "--room", "r2", "--ttl", "1h",
                          "-c", "/etc/sb.yaml"});
    ASSERT_TRUE(p.cl) << p.error;
    EXPECT_EQ(p.cl->user, "alice");
    EXPECT_EQ(p.cl->rooms, (std::vector<std::string>{"r1", "r2"}));
    EXPECT_EQ(p.cl->ttl, "1h");
    EXPECT_EQ(p.cl->config_path, "/etc/sb.yaml");
}

TEST(CommandLine, AValueMayLookLikeAnOption) {
    const auto p = parse({"token", "--user", "--room"});
    ASSERT_TRUE(p.cl) << p.error;
    EXPECT_EQ(p.cl->user, "--room");
    EXPECT_TRUE(p.cl->rooms.empty());
}

TEST(CommandLine, Errors) {
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"serve"}, "unknown command 'serve'"},
        {{"--bogus"}, "unknown option '--bogus'"},
        {{"run", "extra"}, "unknown option 'extra'"},
        {{"--config"}, "--config needs a value"},
        {{"token", "--user"}, "--user needs a value"},
        {{"token", "--user", "a", "--room"}, "--room needs a value"},
        {{"token", "--user", "a", "--ttl"}, "--ttl needs a value"},
        {{"token"}, "--user is required"},
        {{"turn-credentials", "--room", "r"}, "--user is required"},
        {{"check-config"}, "check-config needs --config FILE"},
    };
    for (const auto& [args, message] : cases) {
        const auto p = parse(args);
        EXPECT_FALSE(p.cl) << args.front();
        EXPECT_EQ(p.error, message);
    }
}

TEST(CommandLine, UsageMentionsEveryCommand) {
    const std::string text = usage();
    for (const char* word :
         {"check-config", "token", "turn-credentials", "version", "--help", "--config"}) {
        EXPECT_NE(text.find(word), std::string::npos) << word;
    }
}

}  // namespace
}  // namespace switchboard::app
