// The command line (DESIGN.md "Command line", "Configuration").

#include <filesystem>
#include <regex>

#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

TEST(CliTest, VersionPrintsTheVersion) {
    auto r = run_switchboard({"version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"([0-9]+\.[0-9]+\.[0-9]+)"))) << r.out;
}

TEST(CliTest, HelpExitsZeroAndListsCommands) {
    auto r = run_switchboard({"--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string all = r.out + r.err;
    for (const char* cmd : {"check-config", "token", "turn-credentials", "version"}) {
        EXPECT_NE(all.find(cmd), std::string::npos) << cmd << " missing from --help:\n" << all;
    }
}

TEST(CliTest, UnknownCommandFails) {
    auto r = run_switchboard({"frobnicate"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.exit_code, -1) << "did not finish";
}

TEST(CliTest, CheckConfigAcceptsAGoodFile) {
    TempDir dir;
    auto file =
        dir.write("good.yaml",
                  "log: {level: info}\n"
                  "signaling:\n"
                  "  listen: \"127.0.0.1:0\"\n"
                  "  max_room_members: 4\n"
                  "  heartbeat: {interval: 10s, timeout: 30s}\n"
                  "auth: {mode: jwt, jwt_secret: \"abcdefghijklmnopqrstuvwxyz0123456789\"}\n"
                  "turn: {secret: \"t-0123456789abcdef0123456789-0123456789abcdef0123456789\", "
                  "credential_ttl: 30m}\n");
    auto r = run_switchboard({"check-config", "--config", file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    // It prints the effective config, which includes the values we set.
    EXPECT_NE(r.out.find("max_room_members"), std::string::npos) << r.out;
}

TEST(CliTest, CheckConfigNamesUnknownKeyFileAndLine) {
    TempDir dir;
    auto file = dir.write("bad.yaml",
                          "log: {level: info}\n"
                          "signaling:\n"
                          "  listen: \"127.0.0.1:0\"\n"
                          "  bogus: 1\n");
    auto r = run_switchboard({"check-config", "--config", file.string()});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("signaling.bogus"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("bad.yaml"), std::string::npos) << r.err;
    EXPECT_TRUE(std::regex_search(r.err, std::regex(R"((:4\b|line 4\b))")))
        << "line 4 expected: " << r.err;
}

TEST(CliTest, CheckConfigRejectsBadValues) {
    TempDir dir;
    auto file = dir.write("bad.yaml", "signaling:\n  max_room_members: lots\n");
    auto r = run_switchboard({"check-config", "--config", file.string()});
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.err.find("max_room_members"), std::string::npos) << r.err;
    auto dur = dir.write("dur.yaml", "signaling:\n  heartbeat: {interval: soon}\n");
    r = run_switchboard({"check-config", "--config", dur.string()});
    EXPECT_NE(r.exit_code, 0) << r.out;
}

TEST(CliTest, RunWithUnknownKeyRefusesToStart) {
    TempDir dir;
    auto file = dir.write("bad.yaml", "signaling:\n  listen: \"127.0.0.1:0\"\n  bogus: 1\n");
    auto r = run_switchboard({"--config", file.string()}, std::chrono::seconds(5));
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("signaling.bogus"), std::string::npos) << r.err;
}

TEST(CliTest, MissingConfigFileFails) {
    auto r = run_switchboard({"check-config", "--config", "/nonexistent/switchboard.yaml"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.exit_code, -1);
    EXPECT_NE(r.err.find("/nonexistent/switchboard.yaml"), std::string::npos) << r.err;
}

class CliServerTest : public ServerTest {};

TEST_F(CliServerTest, TokenCommandMintsAJwtThatLogsIn) {
    ServerConfig cfg;
    cfg.jwt("cli-jwt-secret-0123456789abcdef0123456");
    ASSERT_TRUE(start(cfg));
    auto r =
        run_switchboard({"token", "--user", "alice", "--config", server_->config_path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m,
                                  std::regex(R"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)")))
        << r.out;
    std::string token = m[0];
    std::optional<Msg> reply;
    auto c = logged_in_jwt(token, &reply);
    ASSERT_TRUE(c);
    EXPECT_EQ(reply->str("userId"), "alice") << *reply;
    // HS256 header, as pinned by the server.
    std::string header = base64url_decode(token.substr(0, token.find('.')));
    EXPECT_NE(header.find("HS256"), std::string::npos) << header;
}

TEST_F(CliServerTest, TokenRoomClaimIsHonoured) {
    ServerConfig cfg;
    cfg.jwt("cli-jwt-secret-0123456789abcdef0123456");
    ASSERT_TRUE(start(cfg));
    auto r = run_switchboard({"token", "--user", "bob", "--room", "r1", "--ttl", "10m", "--config",
                              server_->config_path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m,
                                  std::regex(R"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)")));
    std::string token = m[0];
    std::string payload_b64 = token.substr(token.find('.') + 1);
    payload_b64 = payload_b64.substr(0, payload_b64.find('.'));
    Msg payload(base64url_decode(payload_b64));
    ASSERT_TRUE(payload.is_object()) << payload.raw;
    auto exp = payload.integer("exp");
    ASSERT_TRUE(exp) << payload.raw;
    EXPECT_NEAR(static_cast<double>(*exp), static_cast<double>(unix_now() + 600), 10.0)
        << payload.raw;
    auto c = logged_in_jwt(token);
    ASSERT_TRUE(c);
    EXPECT_TRUE(joined(*c, "r1"));
    ASSERT_TRUE(c->send_text(R"({"type":"join","id":9,"roomId":"r2"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*c, 9), "join", "unauthorized", 9));
}

TEST(CliTest, CheckConfigWarnsAboutASecretFileOthersCanRead) {
    TempDir dir;
    const auto secret = dir.write("turn.secret", "0123456789abcdef0123456789abcdef0123\n");
    std::filesystem::permissions(secret, std::filesystem::perms(0644));
    auto file = dir.write("f.yaml", "turn: {secret_file: \"" + secret.string() + "\"}\n");
    auto r = run_switchboard({"check-config", "--config", file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("warning: turn.secret_file: " + secret.string() +
                         " is readable by other users (mode 0644)"),
              std::string::npos)
        << r.err;
    std::filesystem::permissions(secret, std::filesystem::perms(0640));
    r = run_switchboard({"check-config", "--config", file.string()});
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
}

TEST(CliTest, TurnCredentialsMatchTheHmac) {
    TempDir dir;
    auto file = dir.write(
        "f.yaml",
        "turn: {secret: \"cli-turn-secret-0123456789abcdef0123456789\", credential_ttl: 1h}\n");
    std::int64_t before = unix_now();
    auto r = run_switchboard({"turn-credentials", "--user", "alice", "--config", file.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(([0-9]{9,}):alice)"))) << r.out;
    std::string username = m[0];
    EXPECT_NEAR(static_cast<double>(std::stoll(m[1])), static_cast<double>(before + 3600), 10.0)
        << r.out;
    std::string password = turn_password("cli-turn-secret-0123456789abcdef0123456789", username);
    EXPECT_NE(r.out.find(password), std::string::npos)
        << "expected password " << password << " in:\n"
        << r.out;
}

}  // namespace
}  // namespace sbtest
