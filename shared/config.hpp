#pragma once
// The configuration: one YAML file read once at start-up (and again on SIGHUP)
// into these plain structs, validated as a whole, then passed around by const
// reference and never mutated. Every field has a default, so an empty file
// (or no file) runs a localhost development server. The schema is the one in
// DESIGN.md, "Configuration".
//
// Paths (TLS files, *_file secrets, static_dir) are used as written: relative
// ones are relative to the working directory, as for every other program.
// Secrets named by *_file keys are read by the loader, so the structs only
// ever hold the secret itself.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/address.hpp"
#include "shared/log.hpp"

namespace switchboard::shared {

struct TlsFiles {
    std::string cert, key;  // PEM paths; both set or both empty (the loader checks)
    bool enabled() const { return !cert.empty(); }
    bool operator==(const TlsFiles&) const = default;
};

// turn.unauthenticated_replies: per source IP, over UDP.
struct ReplyRateConfig {
    double per_second = 100;  // token refill rate; 0 = no limit
    double burst = 200;       // bucket size
    bool operator==(const ReplyRateConfig&) const = default;
};

struct RateLimitConfig {
    double messages_per_second = 50;  // token refill rate
    double burst = 200;               // bucket size
    bool operator==(const RateLimitConfig&) const = default;
};

struct SignalingConfig {
    Endpoint listen{"127.0.0.1", 8080};
    TlsFiles tls;
    std::vector<std::string> allowed_origins;  // empty = any
    std::string static_dir = "www";            // "" disables the test page
    std::size_t max_message_bytes = 65536;
    std::size_t max_room_members = 16;
    std::size_t max_rooms_per_session = 4;
    std::size_t max_connections = 100000;
    // Concurrent connections (HTTP and WebSocket) from one IP address; 0 = no
    // cap. 256 lets a NAT'd office of a few hundred people in.
    std::size_t max_connections_per_ip = 256;
    // Connections not upgraded to WebSocket (TLS handshake, HTTP requests,
    // keep-alive) open at once.
    std::size_t max_http_connections = 1024;
    // A WebSocket that has not logged in by then is closed (1008).
    std::chrono::milliseconds login_timeout{10000};
    // A write that makes no progress for this long closes the socket, with no
    // closing handshake (the peer stopped reading).
    std::chrono::milliseconds write_timeout{10000};
    RateLimitConfig rate_limit;
    std::size_t error_budget = 10;  // protocol errors before close 1008
    // A connection whose unsent frames pass either bound is a slow consumer:
    // closed with 1008.
    std::size_t send_queue_limit = 1024;     // frames
    std::size_t send_queue_bytes = 1 << 20;  // bytes
    std::chrono::milliseconds heartbeat_interval{25000}, heartbeat_timeout{60000};
    std::chrono::milliseconds resume_window{30000};  // 0 disables resume
    // Frames kept for a detached session; past either bound it ends.
    std::size_t resume_buffer = 256;            // frames
    std::size_t resume_buffer_bytes = 1 << 20;  // bytes
    bool operator==(const SignalingConfig&) const = default;
};

enum class AuthMode { none, jwt };

struct AuthConfig {
    AuthMode mode = AuthMode::none;
    std::string jwt_secret;  // from jwt_secret or jwt_secret_file; >= 32 bytes when mode is jwt
    std::string jwt_secret_file;  // the file it came from, "" when inline
    // A session lives this long past its token's `exp` (told with a
    // token-expiring push a minute before `exp`) unless it logs in again
    // (resume) with a fresh token; then it ends.
    std::chrono::milliseconds token_grace{60000};
    bool operator==(const AuthConfig&) const = default;
};

struct StaticUser {
    std::string username, password;
    bool operator==(const StaticUser&) const = default;
};

struct TurnConfig {
    bool enabled = true;
    std::string realm = "switchboard";
    // `secret` (a string or a list, for rotation: the first one mints, all of
    // them verify) or `secret_file` (one secret per non-empty line). Empty
    // after loading => the app generates one at start (dev only).
    std::vector<std::string> secrets;
    std::string secret_file;  // the file they came from, "" when inline
    std::chrono::milliseconds credential_ttl{3600000};
    std::vector<Endpoint> listen_udp{{"0.0.0.0", 3478}}, listen_tcp{{"0.0.0.0", 3478}}, listen_tls;
    TlsFiles tls;  // required when listen_tls is non-empty
    // IP literals. relay_address "" = the address each request arrived on;
    // external_address "" = no 1:1 NAT, advertise the relay address itself.
    std::string relay_address, external_address;
    std::uint16_t relay_port_min = 49152, relay_port_max = 65535;  // `relay_ports: "49152-65535"`
    std::chrono::milliseconds max_allocation_lifetime{3600000};
    std::size_t max_allocations = 10000, max_allocations_per_user = 10;
    // TCP and TLS client connections open at once (an accepted connection
    // beyond it is closed at once; counted in switchboard_turn_streams_refused_total).
    std::size_t max_stream_connections = 10000;
    // From one client IP (0: no limit); sized so a NAT'd office fits.
    std::size_t max_stream_connections_per_ip = 256;
    // Bytes held towards one TCP/TLS client (queued frames, the batch being
    // written, their bookkeeping): past it relayed data is dropped.
    std::size_t stream_queue_bytes = 1024 * 1024;
    // A write to a TCP/TLS client that makes no progress this long closes it.
    std::chrono::milliseconds stream_write_timeout{10000};
    std::uint64_t max_bps_per_allocation = 0;  // 0 = unlimited
    ReplyRateConfig unauthenticated_replies;
    std::vector<Cidr> allow_peers;  // exempt from the deny list
    // `deny_peers: default` (the safe list: loopback, private, link-local,
    // multicast, ...; the TURN policy owns its contents) or an explicit list,
    // which replaces it.
    bool deny_peers_default = true;
    std::vector<Cidr> deny_peers;
    bool require_active_session = true;
    std::vector<StaticUser> static_users;
    bool operator==(const TurnConfig&) const = default;
};

struct MetricsConfig {
    // A listener of its own. Else ("" in the file, or unset) /metrics is on
    // the signaling listener: when set to "", always; when unset, only if
    // that listener is on a loopback address (a public one does not show
    // its metrics to the world by default).
    std::optional<Endpoint> listen;
    bool on_signaling = false;  // `listen: ""` said so
    bool operator==(const MetricsConfig&) const = default;
};

struct ShutdownConfig {
    // SIGTERM/SIGINT: every WebSocket gets `goaway` and close 1001 at once and
    // TURN refuses new allocations, while existing relays keep flowing until
    // the last allocation goes or this much time has passed (0 = stop at
    // once). Keep it below the unit's TimeoutStopSec (45 s).
    std::chrono::milliseconds drain{30000};
    bool operator==(const ShutdownConfig&) const = default;
};

struct Config {
    LogLevel log_level = LogLevel::info;
    LogFormat log_format = LogFormat::text;
    unsigned threads = 0;  // 0 = one per core
    std::string public_host = "localhost";
    SignalingConfig signaling;
    AuthConfig auth;
    TurnConfig turn;
    MetricsConfig metrics;
    ShutdownConfig shutdown;
    std::string source = "<defaults>";  // the file it came from
    bool operator==(const Config&) const = default;
};

// "<file>:<line>:<column>: <dotted.key>: <what is wrong>", 1-based positions,
// e.g. `/etc/sb.yaml:12:3: signaling.max_room_members: expected an integer
// >= 2, got "abc"`. Only the first problem is reported, with one exception:
// a file that still holds placeholders (kPlaceholder in a value, as the
// packaged /etc/switchboard/switchboard.yaml does) gets one line per
// placeholder, so that an operator sees everything there is to edit at once.
// What an operator should fix though Switchboard runs: secret and key files
// (auth.jwt_secret_file, turn.secret_file, the TLS keys) that other users
// may read or write. One line each, naming the key, the file and its mode.
std::vector<std::string> permission_warnings(const Config& config);

// Whether /metrics is answered on the signaling listener.
bool metrics_on_signaling(const Config& config);

struct ConfigError {
    std::string message;
};

// Marks a value an operator must fill in (the packaged config ships with
// it); a config holding it anywhere is refused.
inline constexpr std::string_view kPlaceholder = "CHANGE-ME";

// Parses and validates. `name` is the file name used in messages and stored
// in Config::source. Never throws. *_file secrets are read from disk here.
std::variant<Config, ConfigError> parse_config(std::string_view yaml_text, std::string_view name);

// Reads `path` and parses it; "cannot read <path>: <reason>" when unreadable.
std::variant<Config, ConfigError> load_config_file(const std::string& path);

// The effective configuration as YAML in the schema's layout (for
// `switchboard check-config`), with secrets and passwords shown as
// "<redacted>". Parsing the output again gives the same configuration, bar
// the redacted values.
std::string dump_config(const Config& config);

}  // namespace switchboard::shared
