#include "shared/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace switchboard::shared {
namespace {

using std::chrono::milliseconds;

// A file under the system temp directory, removed when the test ends.
class TempFile {
public:
    explicit TempFile(const std::string& content) {
        static std::atomic<int> counter{0};
        path_ = (std::filesystem::temp_directory_path() /
                 ("switchboard-config-test-" + std::to_string(::getpid()) + "-" +
                  std::to_string(counter++)))
                    .string();
        std::ofstream(path_, std::ios::binary) << content;
    }
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::string error_of(const std::string& yaml) {
    const auto result = parse_config(yaml, "t.yaml");
    if (const auto* error = std::get_if<ConfigError>(&result)) return error->message;
    return "<loaded without error>";
}

Config config_of(const std::string& yaml, std::string_view name = "t.yaml") {
    auto result = parse_config(yaml, name);
    if (const auto* error = std::get_if<ConfigError>(&result)) {
        ADD_FAILURE() << "unexpected error: " << error->message;
        return Config{};
    }
    return std::get<Config>(std::move(result));
}

// Lexically, from SB_TEST_DATA_DIR (<repo>/tests/data): git does not keep an
// empty tests/data, and "tests/data/.." only resolves when it exists.
std::string repo_file(const std::string& relative) {
    return (std::filesystem::path(SB_TEST_DATA_DIR).parent_path().parent_path() / relative)
        .string();
}

Config defaults_from(std::string source) {
    Config config;
    config.source = std::move(source);
    return config;
}

const std::string kFullFile = R"(log: {level: debug, format: json}
threads: 8
public_host: turn.example.org
signaling:
  listen: "[::]:8443"
  tls: {cert: /tls/cert.pem, key: /tls/key.pem}
  allowed_origins: ["https://a.example.org", "http://localhost:3000"]
  static_dir: ""
  max_message_bytes: 1024
  max_room_members: 2
  max_rooms_per_session: 1
  max_connections: 5000
  max_connections_per_ip: 7
  login_timeout: 3s
  write_timeout: 4s
  rate_limit: {messages_per_second: 0.5, burst: 20}
  error_budget: 3
  send_queue_limit: 64
  send_queue_bytes: 65536
  heartbeat: {interval: 10, timeout: 45s}
  resume: {window: 0, buffer: 16, buffer_bytes: 32768}
auth:
  mode: none
  jwt_secret: not-used-in-mode-none
turn:
  enabled: false
  realm: example.org
  secret: [new-secret-0123456789abcdef0123456789, old-secret-0123456789abcdef0123456789]
  credential_ttl: 10m
  listen_udp: ["0.0.0.0:3478", "[::]:3478"]
  listen_tcp: []
  listen_tls: ["0.0.0.0:5349"]
  tls: {cert: /tls/turn.pem, key: /tls/turn.key}
  relay_address: 10.0.0.5
  external_address: 203.0.113.7
  relay_ports: 40000-40100
  max_allocation_lifetime: 250ms
  max_allocations: 50
  max_allocations_per_user: 2
  max_stream_connections: 7
  max_bps_per_allocation: 5000000
  allow_peers: [127.0.0.1/32, "::1"]
  deny_peers: [10.0.0.0/8, "fd00::/8"]
  require_active_session: no
  static_users: [{username: alice, password: wonderland}, {username: bob, password: builder}]
metrics: {listen: "127.0.0.1:9100"}
shutdown: {drain: 12s}
)";

TEST(Config, EmptyDocumentsGiveTheDefaults) {
    for (const char* text : {"", "{}", "# nothing but a comment\n", "~\n", "---\n"}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(config_of(text, "empty.yaml"), defaults_from("empty.yaml"));
    }
}

TEST(Config, DefaultsAreTheSchemaDefaults) {
    const Config config;
    EXPECT_EQ(config.source, "<defaults>");
    EXPECT_EQ(config.signaling.listen, (Endpoint{"127.0.0.1", 8080}));
    EXPECT_EQ(config.signaling.heartbeat_timeout, milliseconds(60'000));
    EXPECT_EQ(config.turn.listen_udp, std::vector<Endpoint>{(Endpoint{"0.0.0.0", 3478})});
    EXPECT_TRUE(config.turn.deny_peers_default);
    EXPECT_TRUE(config.turn.secrets.empty());
    EXPECT_FALSE(config.metrics.listen.has_value());
}

TEST(Config, EmptySectionsKeepTheirDefaults) {
    EXPECT_EQ(config_of("log:\nsignaling:\nturn: {}\nmetrics:\n"), defaults_from("t.yaml"));
}

TEST(Config, FullFileSetsEveryField) {
    const Config c = config_of(kFullFile);
    EXPECT_EQ(c.log_level, LogLevel::debug);
    EXPECT_EQ(c.log_format, LogFormat::json);
    EXPECT_EQ(c.threads, 8u);
    EXPECT_EQ(c.public_host, "turn.example.org");

    const SignalingConfig& s = c.signaling;
    EXPECT_EQ(s.listen, (Endpoint{"::", 8443}));
    EXPECT_EQ(s.tls, (TlsFiles{"/tls/cert.pem", "/tls/key.pem"}));
    EXPECT_TRUE(s.tls.enabled());
    EXPECT_EQ(s.allowed_origins,
              (std::vector<std::string>{"https://a.example.org", "http://localhost:3000"}));
    EXPECT_EQ(s.static_dir, "");
    EXPECT_EQ(s.max_message_bytes, 1024u);
    EXPECT_EQ(s.max_room_members, 2u);
    EXPECT_EQ(s.max_rooms_per_session, 1u);
    EXPECT_EQ(s.max_connections, 5000u);
    EXPECT_EQ(s.max_connections_per_ip, 7u);
    EXPECT_EQ(s.login_timeout, milliseconds(3'000));
    EXPECT_EQ(s.write_timeout, milliseconds(4'000));
    EXPECT_EQ(s.send_queue_bytes, 65'536u);
    EXPECT_EQ(s.resume_buffer_bytes, 32'768u);
    EXPECT_EQ(s.rate_limit, (RateLimitConfig{0.5, 20}));
    EXPECT_EQ(s.error_budget, 3u);
    EXPECT_EQ(s.send_queue_limit, 64u);
    EXPECT_EQ(s.heartbeat_interval, milliseconds(10'000));
    EXPECT_EQ(s.heartbeat_timeout, milliseconds(45'000));
    EXPECT_EQ(s.resume_window, milliseconds(0));
    EXPECT_EQ(s.resume_buffer, 16u);

    EXPECT_EQ(c.auth.mode, AuthMode::none);
    EXPECT_EQ(c.auth.jwt_secret, "not-used-in-mode-none");

    const TurnConfig& t = c.turn;
    EXPECT_FALSE(t.enabled);
    EXPECT_EQ(t.realm, "example.org");
    EXPECT_EQ(t.secrets, (std::vector<std::string>{"new-secret-0123456789abcdef0123456789",
                                                   "old-secret-0123456789abcdef0123456789"}));
    EXPECT_EQ(t.credential_ttl, milliseconds(600'000));
    EXPECT_EQ(t.listen_udp, (std::vector<Endpoint>{{"0.0.0.0", 3478}, {"::", 3478}}));
    EXPECT_TRUE(t.listen_tcp.empty());
    EXPECT_EQ(t.listen_tls, (std::vector<Endpoint>{{"0.0.0.0", 5349}}));
    EXPECT_EQ(t.tls, (TlsFiles{"/tls/turn.pem", "/tls/turn.key"}));
    EXPECT_EQ(t.relay_address, "10.0.0.5");
    EXPECT_EQ(t.external_address, "203.0.113.7");
    EXPECT_EQ(t.relay_port_min, 40000);
    EXPECT_EQ(t.relay_port_max, 40100);
    EXPECT_EQ(t.max_allocation_lifetime, milliseconds(250));
    EXPECT_EQ(t.max_allocations, 50u);
    EXPECT_EQ(t.max_allocations_per_user, 2u);
    EXPECT_EQ(t.max_stream_connections, 7u);
    EXPECT_EQ(t.max_bps_per_allocation, 5'000'000u);
    EXPECT_EQ(t.allow_peers,
              (std::vector<Cidr>{*parse_cidr("127.0.0.1/32"), *parse_cidr("::1/128")}));
    EXPECT_FALSE(t.deny_peers_default);
    EXPECT_EQ(t.deny_peers,
              (std::vector<Cidr>{*parse_cidr("10.0.0.0/8"), *parse_cidr("fd00::/8")}));
    EXPECT_FALSE(t.require_active_session);
    EXPECT_EQ(t.static_users,
              (std::vector<StaticUser>{{"alice", "wonderland"}, {"bob", "builder"}}));

    EXPECT_EQ(c.metrics.listen, (Endpoint{"127.0.0.1", 9100}));
    EXPECT_EQ(c.shutdown.drain, milliseconds(12'000));
    EXPECT_EQ(c.source, "t.yaml");
}

TEST(Config, SecretsAndJwtSecretFromFiles) {
    const std::string jwt(40, 'j');
    const TempFile jwt_file(jwt + "\r\n");
    const TempFile turn_file(
        "\n  current-0123456789abcdef0123456789  \r\nprevious-0123456789abcdef0123456789\n\n");
    const Config c = config_of("auth: {mode: jwt, jwt_secret_file: " + jwt_file.path() +
                               "}\nturn: {secret: \"\", secret_file: " + turn_file.path() + "}\n");
    EXPECT_EQ(c.auth.mode, AuthMode::jwt);
    EXPECT_EQ(c.auth.jwt_secret, jwt);  // trailing newline trimmed
    EXPECT_EQ(c.turn.secrets, (std::vector<std::string>{"current-0123456789abcdef0123456789",
                                                        "previous-0123456789abcdef0123456789"}));
}

TEST(Config, SingleSecretAndMisc) {
    const Config c = config_of(
        "turn: {secret: s3cret-0123456789abcdef0123456789, deny_peers: [], relay_ports: "
        "5000-5000}\n"
        "metrics: {listen: \"\"}\nauth: {mode: jwt, jwt_secret: "
        "0123456789abcdef0123456789abcdef}\n");
    EXPECT_EQ(c.turn.secrets, std::vector<std::string>{"s3cret-0123456789abcdef0123456789"});
    EXPECT_FALSE(c.turn.deny_peers_default);  // an explicit empty list really denies nothing
    EXPECT_TRUE(c.turn.deny_peers.empty());
    EXPECT_EQ(c.turn.relay_port_min, 5000);
    EXPECT_EQ(c.turn.relay_port_max, 5000);
    EXPECT_FALSE(c.metrics.listen.has_value());
    EXPECT_EQ(c.auth.jwt_secret, "0123456789abcdef0123456789abcdef");
}

struct BadCase {
    const char* what;
    std::string yaml;
    std::string message;
};

TEST(Config, ShutdownDrainDefaultsToThirtySecondsAndMayBeZero) {
    EXPECT_EQ(Config{}.shutdown.drain, milliseconds(30'000));
    EXPECT_EQ(config_of("shutdown: {drain: 0}\n").shutdown.drain, milliseconds(0));
    EXPECT_EQ(
        error_of("shutdown: {drain: -1}\n"),
        R"(t.yaml:1:12: shutdown.drain: expected a duration such as 250ms, 30s, 10m or 1h (a bare number is seconds), got "-1")");
}

TEST(Config, EveryPlaceholderIsNamedWithItsKeyLineAndComment) {
    const std::string text =
        "public_host: CHANGE-ME                # this server's DNS name\n"
        "signaling:\n"
        "  allowed_origins:\n"
        "    - \"https://app.example.org\"\n"
        "    - \"https://CHANGE-ME\"              # your web app\n"
        "  max_room_members: 3\n"
        "turn: {realm: CHANGE-ME}\n";
    EXPECT_EQ(error_of(text),
              "t.yaml: 3 placeholders to fill in before Switchboard can run:\n"
              "  t.yaml:1:14: public_host: replace CHANGE-ME (this server's DNS name)\n"
              "  t.yaml:5:7: signaling.allowed_origins[1]: replace CHANGE-ME (your web app)\n"
              "  t.yaml:7:15: turn.realm: replace CHANGE-ME");
    // They are reported before anything else is read (a placeholder in a
    // path is not "cannot read").
    EXPECT_EQ(error_of("auth: {mode: jwt, jwt_secret_file: /CHANGE-ME}\n"),
              "t.yaml: 1 placeholder to fill in before Switchboard can run:\n"
              "  t.yaml:1:36: auth.jwt_secret_file: replace CHANGE-ME");
}

TEST(Config, BadFilesReportKeyFileLineAndWhatWasExpected) {
    const BadCase cases[] = {
        {"a send queue too small for the largest message", "signaling: {send_queue_bytes: 66000}\n",
         R"(t.yaml:1:13: signaling.send_queue_bytes: expected an integer >= 66560, got "66000")"},
        {"a message larger than the default byte bounds",
         "signaling: {max_message_bytes: 2000000}\n",
         "t.yaml:1:13: signaling.max_message_bytes: a message this large does not fit in "
         "send_queue_bytes or "
         "resume.buffer_bytes; raise them to at least 2001024"},
        {"a resume buffer too small for the largest message",
         "signaling: {max_message_bytes: 2048, resume: {buffer_bytes: 3000}}\n",
         R"(t.yaml:1:47: signaling.resume.buffer_bytes: expected an integer >= 3072, got "3000")"},
        {"unknown top-level key", "threads: 2\nsignalling: {}\n",
         R"(t.yaml:2:1: unknown key "signalling" (did you mean "signaling"?))"},
        {"unknown nested key", "signaling:\n  listen: \"127.0.0.1:1\"\n  max_room_member: 3\n",
         R"(t.yaml:3:3: unknown key "signaling.max_room_member" (did you mean "signaling.max_room_members"?))"},
        {"unknown key in a flow map", "signaling:\n  heartbeat: {interval: 5s, deadline: 9s}\n",
         R"(t.yaml:2:29: unknown key "signaling.heartbeat.deadline")"},
        {"duplicate key", "turn:\n  realm: a\n  realm: b\n",
         R"(t.yaml:3:3: duplicate key "turn.realm" (first set on line 2))"},
        {"wrong type: text for an integer", "signaling:\n  max_room_members: abc\n",
         R"(t.yaml:2:3: signaling.max_room_members: expected an integer >= 2, got "abc")"},
        {"wrong type: list for an integer", "threads: [1]\n",
         R"(t.yaml:1:1: threads: expected an integer between 0 and 1024, got a list)"},
        {"wrong type: map for a section's scalar", "public_host: {a: 1}\n",
         R"(t.yaml:1:1: public_host: expected a host name or IP address (no scheme, port or brackets), got a map)"},
        {"wrong type: scalar for a section", "signaling: on\n",
         R"(t.yaml:1:1: signaling: expected a map, got "on")"},
        {"wrong type: null", "turn:\n  enabled:\n",
         R"(t.yaml:2:3: turn.enabled: expected true or false, got null)"},
        {"too many threads", "threads: 1025\n",
         R"(t.yaml:1:1: threads: expected an integer between 0 and 1024, got "1025")"},
        {"zero stream connections", "turn:\n  max_stream_connections: 0\n",
         R"(t.yaml:2:3: turn.max_stream_connections: expected a positive integer, got "0")"},
        {"negative count", "signaling: {max_connections: -1}\n",
         R"(t.yaml:1:13: signaling.max_connections: expected a positive integer, got "-1")"},
        {"message limit", "signaling: {max_message_bytes: 1023}\n",
         R"(t.yaml:1:13: signaling.max_message_bytes: expected an integer between 1024 and 16777216, got "1023")"},
        {"rate", "signaling: {rate_limit: {messages_per_second: 0}}\n",
         R"(t.yaml:1:26: signaling.rate_limit.messages_per_second: expected a number > 0, got "0")"},
        {"burst", "signaling: {rate_limit: {burst: 0.5}}\n",
         R"(t.yaml:1:26: signaling.rate_limit.burst: expected a number >= 1, got "0.5")"},
        {"bad duration", "signaling:\n  heartbeat:\n    interval: 5 minutes\n",
         R"(t.yaml:3:5: signaling.heartbeat.interval: expected a duration such as 250ms, 30s, 10m or 1h (a bare number is seconds), got "5 minutes")"},
        {"zero duration", "turn: {credential_ttl: 0s}\n",
         R"(t.yaml:1:8: turn.credential_ttl: expected a duration > 0, got "0s")"},
        {"timeout not above interval", "signaling: {heartbeat: {interval: 30s, timeout: 30s}}\n",
         R"(t.yaml:1:40: signaling.heartbeat.timeout: must be longer than signaling.heartbeat.interval (30s), got 30s)"},
        {"interval above the default timeout", "signaling: {heartbeat: {interval: 2m}}\n",
         R"(t.yaml:1:25: signaling.heartbeat.interval: must be shorter than signaling.heartbeat.timeout (1m), got 2m)"},
        {"bad port", "signaling:\n  listen: \"127.0.0.1:70000\"\n",
         R"(t.yaml:2:3: signaling.listen: expected an address IP:port such as "127.0.0.1:8080" or "[::1]:3478", got "127.0.0.1:70000")"},
        {"bad endpoint in a list",
         "turn:\n  listen_udp:\n    - 0.0.0.0:3478\n    - localhost:3478\n",
         R"(t.yaml:4:7: turn.listen_udp[1]: expected an address IP:port such as "127.0.0.1:8080" or "[::1]:3478", got "localhost:3478")"},
        {"cert without key", "signaling:\n  tls:\n    cert: /tls/c.pem\n",
         R"(t.yaml:3:5: signaling.tls.cert: set without signaling.tls.key (TLS needs both))"},
        {"key without cert", "turn: {tls: {key: /k.pem}}\n",
         R"(t.yaml:1:14: turn.tls.key: set without turn.tls.cert (TLS needs both))"},
        {"listen_tls without tls", "turn:\n  listen_tls: [\"0.0.0.0:5349\"]\n",
         R"(t.yaml:2:3: turn.listen_tls: requires turn.tls.cert and turn.tls.key)"},
        {"jwt without secret", "auth:\n  mode: jwt\n",
         R"(t.yaml:2:3: auth.mode: jwt requires auth.jwt_secret or auth.jwt_secret_file)"},
        {"jwt with a short secret", "auth: {mode: jwt, jwt_secret: short}\n",
         R"(t.yaml:1:19: auth.jwt_secret: must be at least 32 bytes for HS256 (RFC 7518, section 3.2), got 5)"},
        {"bad auth mode", "auth: {mode: oauth}\n",
         R"(t.yaml:1:8: auth.mode: expected none or jwt, got "oauth")"},
        {"secret and secret_file",
         "turn:\n  secret: abc\n  secret_file: /etc/switchboard/turn.secret\n",
         R"(t.yaml:3:3: turn.secret_file: cannot be used together with turn.secret)"},
        {"jwt_secret and jwt_secret_file", "auth: {jwt_secret: a, jwt_secret_file: /x}\n",
         R"(t.yaml:1:23: auth.jwt_secret_file: cannot be used together with auth.jwt_secret)"},
        {"unreadable secret_file", "turn:\n  secret_file: /nonexistent/switchboard/turn.secret\n",
         R"(t.yaml:2:3: turn.secret_file: cannot read /nonexistent/switchboard/turn.secret: No such file or directory)"},
        {"short turn secret", "turn: {secret: shortish}\n",
         R"(t.yaml:1:8: turn.secret: must be at least 32 bytes (room members receive passwords made with it, which can be attacked offline), got 8; e.g. openssl rand -hex 32)"},
        {"short turn secret in a list", "turn: {secret: [0123456789abcdef0123456789abcdef, old]}\n",
         R"(t.yaml:1:8: turn.secret: secret 2 must be at least 32 bytes (room members receive passwords made with it, which can be attacked offline), got 3; e.g. openssl rand -hex 32)"},
        {"empty secret in a list", "turn: {secret: [a, \"\"]}\n",
         R"(t.yaml:1:20: turn.secret[1]: expected a non-empty string, got "")"},
        {"relay ports reversed", "turn: {relay_ports: 60000-50000}\n",
         R"(t.yaml:1:8: turn.relay_ports: expected a port range "first-last" with 1 <= first <= last <= 65535, got "60000-50000")"},
        {"relay ports as a number", "turn: {relay_ports: 50000}\n",
         R"(t.yaml:1:8: turn.relay_ports: expected a port range "first-last" with 1 <= first <= last <= 65535, got "50000")"},
        {"wildcard relay address", "turn: {relay_address: 0.0.0.0}\n",
         R"(t.yaml:1:8: turn.relay_address: expected a specific IP address (not 0.0.0.0 or ::), got "0.0.0.0")"},
        {"deny_peers word", "turn: {deny_peers: none}\n",
         R"(t.yaml:1:8: turn.deny_peers: expected "default" or a list of CIDR blocks, got "none")"},
        {"bad CIDR", "turn: {allow_peers: [10.0.0.0/33]}\n",
         R"(t.yaml:1:22: turn.allow_peers[0]: expected an IP address or CIDR block such as "10.0.0.0/8" or "fd00::/8", got "10.0.0.0/33")"},
        {"static user with a colon", "turn: {static_users: [{username: \"1:x\", password: p}]}\n",
         R"(t.yaml:1:24: turn.static_users[0].username: must not contain ':')"},
        {"static user without password", "turn: {static_users: [{username: u}]}\n",
         R"(t.yaml:1:23: turn.static_users[0]: expected a map with username and password)"},
        {"duplicate static user",
         "turn:\n  static_users:\n    - {username: u, password: a}\n    - {username: u, password: "
         "b}\n",
         R"(t.yaml:4:8: turn.static_users[1].username: duplicate user "u")"},
        {"realm too long", "turn: {realm: " + std::string(128, 'r') + "}\n",
         R"(t.yaml:1:8: turn.realm: expected at most 127 characters (RFC 8489), got ")" +
             std::string(40, 'r') + R"(...")"},
        {"origin with a path", "signaling: {allowed_origins: [\"https://a.example/\"]}\n",
         R"(t.yaml:1:31: signaling.allowed_origins[0]: expected an origin such as "https://example.com" (scheme://host[:port], no path), got "https://a.example/")"},
        {"log level", "log: {level: verbose}\n",
         R"(t.yaml:1:7: log.level: expected one of trace, debug, info, warn, error, off, got "verbose")"},
        {"log format", "log:\n  format: xml\n",
         R"(t.yaml:2:3: log.format: expected text or json, got "xml")"},
        {"top level is not a map", "just text\n", R"(t.yaml:1:1: expected a map, got "just text")"},
        {"two documents", "threads: 1\n---\nthreads: 2\n",
         R"(t.yaml:2:1: expected one YAML document, found 2)"},
        {"invalid YAML syntax", "signaling:\n  listen: [\"127.0.0.1:1\"\nturn: {}\n",
         R"(t.yaml:3:1: invalid YAML: end of sequence flow not found)"},
        {"invalid YAML: bad indentation", "log:\n  level: info\n format: json\n",
         R"(t.yaml:3:2: invalid YAML: end of map not found)"},
    };
    for (const BadCase& c : cases) {
        SCOPED_TRACE(c.what);
        EXPECT_EQ(error_of(c.yaml), c.message);
    }
}

// Found by fuzz/config.cpp: yaml-cpp 0.7's LoadAll never returned on this.
TEST(Config, MalformedYamlThatHungYamlCppIsAnError) {
    const std::string input(",og: {level: de=mit: {messages_per_second: 5, bNStournald\x0fLad\n");
    const auto result = parse_config(input, "f.yaml");
    ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
    EXPECT_NE(std::get<ConfigError>(result).message.find("f.yaml:"), std::string::npos)
        << std::get<ConfigError>(result).message;
}

TEST(Config, SecretAndKeyFilesOthersCanReadAreWarnedAbout) {
    const TempFile turn("0123456789abcdef0123456789abcdef\n");
    const TempFile jwt("0123456789abcdef0123456789abcdef-jwt\n");
    std::filesystem::permissions(turn.path(), std::filesystem::perms(0644));
    std::filesystem::permissions(jwt.path(), std::filesystem::perms(0640));
    const Config c = config_of("auth: {mode: jwt, jwt_secret_file: " + jwt.path() +
                               "}\nturn: {secret_file: " + turn.path() + "}\n");
    EXPECT_EQ(c.turn.secret_file, turn.path());
    EXPECT_EQ(c.auth.jwt_secret_file, jwt.path());
    EXPECT_EQ(permission_warnings(c),
              std::vector<std::string>{"turn.secret_file: " + turn.path() +
                                       " is readable by other users (mode 0644); chmod o-rwx " +
                                       turn.path()});
    std::filesystem::permissions(turn.path(), std::filesystem::perms(0600));
    EXPECT_TRUE(permission_warnings(c).empty());
    std::filesystem::permissions(jwt.path(), std::filesystem::perms(0602));
    EXPECT_EQ(permission_warnings(c).size(), 1u);
    EXPECT_NE(permission_warnings(c)[0].find("writable by other users"), std::string::npos);
}

TEST(Config, SecretFileThatIsEmptyOrADirectoryIsAnError) {
    const TempFile blank("\n \n");
    EXPECT_EQ(error_of("turn: {secret_file: " + blank.path() + "}"),
              "t.yaml:1:8: turn.secret_file: " + blank.path() + " contains no secret");
    EXPECT_EQ(error_of("auth: {jwt_secret_file: " + blank.path() + "}"),
              "t.yaml:1:8: auth.jwt_secret_file: " + blank.path() + " is empty");
    const TempFile short_line("0123456789abcdef0123456789abcdef\ntoo-short\n");
    EXPECT_EQ(error_of("turn: {secret_file: " + short_line.path() + "}"),
              "t.yaml:1:8: turn.secret_file: " + short_line.path() +
                  ": secret 2 must be at least 32 bytes (room members receive passwords made with "
                  "it, which can "
                  "be attacked offline), got 9; e.g. openssl rand -hex 32");
    const std::string dir = std::filesystem::temp_directory_path().string();
    EXPECT_EQ(error_of("turn: {secret_file: " + dir + "}"),
              "t.yaml:1:8: turn.secret_file: cannot read " + dir + ": Is a directory");
}

TEST(Config, LoadConfigFile) {
    const TempFile file("threads: 3\n");
    const auto loaded = load_config_file(file.path());
    ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << std::get<ConfigError>(loaded).message;
    EXPECT_EQ(std::get<Config>(loaded).threads, 3u);
    EXPECT_EQ(std::get<Config>(loaded).source, file.path());

    const TempFile bad("threads: many\n");
    const auto failed = load_config_file(bad.path());
    ASSERT_TRUE(std::holds_alternative<ConfigError>(failed));
    EXPECT_EQ(std::get<ConfigError>(failed).message,
              bad.path() + R"(:1:1: threads: expected an integer between 0 and 1024, got "many")");

    const auto missing = load_config_file("/nonexistent/switchboard.yaml");
    ASSERT_TRUE(std::holds_alternative<ConfigError>(missing));
    EXPECT_EQ(std::get<ConfigError>(missing).message,
              "cannot read /nonexistent/switchboard.yaml: No such file or directory");
}

TEST(Config, DumpRoundTripsAndRedactsSecrets) {
    const Config full = config_of(kFullFile);
    const std::string dumped = dump_config(full);
    EXPECT_EQ(dumped.find("new-secret-0123456789abcdef0123456789"), std::string::npos) << dumped;
    EXPECT_EQ(dumped.find("wonderland"), std::string::npos) << dumped;
    EXPECT_EQ(dumped.find("not-used-in-mode-none"), std::string::npos) << dumped;
    EXPECT_NE(dumped.find("<redacted>"), std::string::npos) << dumped;
    EXPECT_EQ(dumped.rfind("# effective configuration, from t.yaml\n", 0), 0u) << dumped;

    // Loaded again once each redacted value is replaced by a valid one (a
    // TURN secret must be 32 bytes long).
    const std::string stand_in = "redacted-0123456789abcdef-0123456789";
    std::string refilled = dumped;
    for (std::size_t at = 0; (at = refilled.find("<redacted>", at)) != std::string::npos;)
        refilled.replace(at, 10, stand_in);
    Config expected = full;
    expected.source = "dump.yaml";
    expected.auth.jwt_secret = stand_in;
    expected.turn.secrets = {stand_in, stand_in};
    for (StaticUser& user : expected.turn.static_users) user.password = stand_in;
    EXPECT_EQ(config_of(refilled, "dump.yaml"), expected) << dumped;

    // The defaults too: nothing there is redacted, so the round trip is exact.
    EXPECT_EQ(config_of(dump_config(Config{}), "<defaults>"), Config{}) << dump_config(Config{});
}

TEST(Config, DevYamlIsExactlyTheDefaults) {
    const std::string path = repo_file("config/dev.yaml");
    const auto loaded = load_config_file(path);
    ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << std::get<ConfigError>(loaded).message;
    EXPECT_EQ(std::get<Config>(loaded), defaults_from(path));
}

std::string read_repo_file(const std::string& name) {
    std::ifstream in(repo_file(name));
    EXPECT_TRUE(in) << name << " not found";
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

TEST(Config, ProductionExampleAsShippedNamesWhatToEdit) {
    const std::string error = error_of(read_repo_file("config/switchboard.yaml"));
    EXPECT_THAT(error, ::testing::StartsWith(
                           "t.yaml: 3 placeholders to fill in before Switchboard can run:\n"));
    EXPECT_THAT(error,
                ::testing::HasSubstr(": public_host: replace CHANGE-ME (this server's DNS name"));
    EXPECT_THAT(error,
                ::testing::HasSubstr(
                    ": signaling.allowed_origins[0]: replace CHANGE-ME (your web app's origin"));
    EXPECT_THAT(error,
                ::testing::HasSubstr(
                    ": signaling.allowed_origins[1]: replace CHANGE-ME (this server's own origin"));
}

TEST(Config, ProductionExampleLoadsOnceFilledIn) {
    // The example names its secret files under /etc/switchboard; point those at
    // temp files, leaving every other byte of the example as shipped.
    std::string text = read_repo_file("config/switchboard.yaml");
    const TempFile jwt(std::string(48, 'k') + "\n");
    const TempFile turn("turn-secret-1-0123456789abcdef0123456789\n");
    replace_all(text, "/etc/switchboard/jwt.secret", jwt.path());
    replace_all(text, "/etc/switchboard/turn.secret", turn.path());
    replace_all(text, "CHANGE-ME", "turn.example.com");

    const Config c = config_of(text, "switchboard.yaml");
    EXPECT_EQ(c.public_host, "turn.example.com");
    EXPECT_EQ(c.signaling.allowed_origins, std::vector<std::string>(2, "https://turn.example.com"));
    EXPECT_TRUE(c.signaling.tls.enabled());
    EXPECT_EQ(c.auth.mode, AuthMode::jwt);
    EXPECT_EQ(c.auth.jwt_secret, std::string(48, 'k'));
    EXPECT_EQ(c.turn.secrets, std::vector<std::string>{"turn-secret-1-0123456789abcdef0123456789"});
    EXPECT_EQ(c.turn.listen_tls, std::vector<Endpoint>{(Endpoint{"0.0.0.0", 5349})});
    EXPECT_TRUE(c.turn.tls.enabled());
    EXPECT_EQ(c.metrics.listen, (Endpoint{"127.0.0.1", 9469}));
    EXPECT_EQ(c.shutdown.drain, std::chrono::seconds(30));
}

}  // namespace
}  // namespace switchboard::shared
