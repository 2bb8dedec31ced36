#include "shared/config.hpp"

#include <sys/stat.h>

#include <cstdio>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <sstream>
#include <utility>

#include "shared/config_parse.hpp"
#include "shared/duration.hpp"

namespace switchboard::shared {
namespace {

using config_detail::ConfigFailure;
using config_detail::fail;
using config_detail::fail_expected;
using config_detail::Field;
using config_detail::Section;

constexpr std::uint64_t kNoMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kMaxMessageBytes = 16 << 20;
constexpr std::uint64_t kMaxThreads = 1024;
// RFC 8489, section 14.9: REALM "MUST be a UTF-8-encoded sequence of fewer
// than 128 characters".
constexpr std::size_t kMaxRealmChars = 127;
// RFC 7518, section 3.2: "A key of the same size as the hash output (for
// instance, 256 bits for "HS256") or larger MUST be used with this algorithm."
constexpr std::size_t kMinJwtSecretBytes = 32;
// Every room member gets a REST username and password made with it: enough
// to try secrets offline, so it must be long enough that this is hopeless.
constexpr std::size_t kMinTurnSecretBytes = 32;

template <class Enum, std::size_t N>
Enum to_enum(const Field& field, const std::pair<std::string_view, Enum> (&table)[N],
             std::string_view what) {
    if (field.node.IsScalar()) {
        for (const auto& [name, value] : table) {
            if (field.node.Scalar() == name) return value;
        }
    }
    fail_expected(field, what);
}

constexpr std::pair<std::string_view, LogLevel> kLogLevels[] = {
    {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
    {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"off", LogLevel::off},
};
constexpr std::pair<std::string_view, LogFormat> kLogFormats[] = {{"text", LogFormat::text},
                                                                  {"json", LogFormat::json}};
constexpr std::pair<std::string_view, AuthMode> kAuthModes[] = {{"none", AuthMode::none},
                                                                {"jwt", AuthMode::jwt}};

std::string trim(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return "";
    return std::string(text.substr(first, text.find_last_not_of(kSpace) - first + 1));
}

bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

// Goes into "turn:<host>:3478" and "wss://<host>" URLs handed to browsers.
std::string to_host(const Field& field) {
    constexpr std::string_view kWhat = "a host name or IP address (no scheme, port or brackets)";
    if (!field.node.IsScalar()) fail_expected(field, kWhat);
    const std::string& text = field.node.Scalar();
    if (parse_ip(text)) return text;
    if (text.empty() || !std::all_of(text.begin(), text.end(), is_host_char))
        fail_expected(field, kWhat);
    return text;
}

// Browsers send "scheme://host[:port]"; a path or trailing slash would never
// match, so it is rejected here rather than silently refusing every client.
std::string to_origin(const Field& field) {
    constexpr std::string_view kWhat =
        "an origin such as \"https://example.com\" (scheme://host[:port], no path)";
    if (!field.node.IsScalar()) fail_expected(field, kWhat);
    const std::string& text = field.node.Scalar();
    const auto scheme_end = text.find("://");
    const bool web_scheme = text.starts_with("https://") || text.starts_with("http://");
    if (!web_scheme || text.size() == scheme_end + 3 ||
        text.find_first_of("/ ?#", scheme_end + 3) != std::string::npos) {
        fail_expected(field, kWhat);
    }
    return text;
}

std::vector<Endpoint> to_endpoints(const Field& field) {
    std::vector<Endpoint> endpoints;
    for (const Field& item : config_detail::to_list(field))
        endpoints.push_back(config_detail::to_endpoint(item));
    return endpoints;
}

std::vector<Cidr> to_cidrs(const Field& field) {
    std::vector<Cidr> cidrs;
    for (const Field& item : config_detail::to_list(field))
        cidrs.push_back(config_detail::to_cidr(item));
    return cidrs;
}

TlsFiles read_tls(const Field& field) {
    const Section section(field, {"cert", "key"});
    TlsFiles tls;
    const auto cert = section.get("cert");
    const auto key = section.get("key");
    if (cert) tls.cert = config_detail::to_string(*cert);
    if (key) tls.key = config_detail::to_string(*key);
    if (!tls.cert.empty() && tls.key.empty())
        fail(*cert, "set without " + field.key + ".key (TLS needs both)");
    if (tls.cert.empty() && !tls.key.empty())
        fail(*key, "set without " + field.key + ".cert (TLS needs both)");
    return tls;
}

void read_reply_rate(const Field& field, ReplyRateConfig& out) {
    const Section section(field, {"per_second", "burst"});
    if (auto v = section.get("per_second")) out.per_second = config_detail::to_number(*v, 0, true);
    if (auto v = section.get("burst")) out.burst = config_detail::to_number(*v, 1, true);
}

void read_rate_limit(const Field& field, RateLimitConfig& out) {
    const Section section(field, {"messages_per_second", "burst"});
    if (auto v = section.get("messages_per_second"))
        out.messages_per_second = config_detail::to_number(*v, 0, false);
    if (auto v = section.get("burst")) out.burst = config_detail::to_number(*v, 1, true);
}

void read_heartbeat(const Field& field, SignalingConfig& out) {
    const Section section(field, {"interval", "timeout"});
    const auto interval = section.get("interval");
    const auto timeout = section.get("timeout");
    if (interval) out.heartbeat_interval = config_detail::to_duration(*interval, false);
    if (timeout) out.heartbeat_timeout = config_detail::to_duration(*timeout, false);
    if (out.heartbeat_timeout > out.heartbeat_interval) return;
    // A timeout not longer than the interval would drop every healthy client.
    if (timeout) {
        fail(*timeout, "must be longer than " + field.key + ".interval (" +
                           format_duration(out.heartbeat_interval) + "), got " +
                           format_duration(out.heartbeat_timeout));
    }
    fail(*interval, "must be shorter than " + field.key + ".timeout (" +
                        format_duration(out.heartbeat_timeout) + "), got " +
                        format_duration(out.heartbeat_interval));
}

// A byte bound must hold the largest message the server relays: a signal of
// max_message_bytes plus its envelope (roomId, from).
constexpr std::uint64_t kEnvelopeSlack = 1024;

void read_resume(const Field& field, SignalingConfig& out) {
    const Section section(field, {"window", "buffer", "buffer_bytes"});
    if (auto v = section.get("window")) out.resume_window = config_detail::to_duration(*v, true);
    if (auto v = section.get("buffer")) out.resume_buffer = config_detail::to_uint(*v, 1, kNoMax);
    if (auto v = section.get("buffer_bytes")) {
        out.resume_buffer_bytes =
            config_detail::to_uint(*v, out.max_message_bytes + kEnvelopeSlack, kNoMax);
    }
}

void read_signaling(const Field& field, SignalingConfig& out) {
    // clang-format off
    const Section section(field, {"listen", "tls", "allowed_origins", "static_dir", "max_message_bytes",
                                  "max_room_members", "max_rooms_per_session", "max_connections",
                                  "max_connections_per_ip", "max_http_connections", "login_timeout", "write_timeout", "rate_limit",
                                  "error_budget", "send_queue_limit", "send_queue_bytes", "heartbeat", "resume"});
    // clang-format on
    using config_detail::to_uint;
    if (auto v = section.get("listen")) out.listen = config_detail::to_endpoint(*v);
    if (auto v = section.get("tls")) out.tls = read_tls(*v);
    if (auto v = section.get("allowed_origins")) {
        for (const Field& item : config_detail::to_list(*v))
            out.allowed_origins.push_back(to_origin(item));
    }
    if (auto v = section.get("static_dir")) out.static_dir = config_detail::to_string(*v);
    if (auto v = section.get("max_message_bytes"))
        out.max_message_bytes = to_uint(*v, 1024, kMaxMessageBytes);
    if (auto v = section.get("max_room_members")) out.max_room_members = to_uint(*v, 2, kNoMax);
    if (auto v = section.get("max_rooms_per_session"))
        out.max_rooms_per_session = to_uint(*v, 1, kNoMax);
    if (auto v = section.get("max_connections")) out.max_connections = to_uint(*v, 1, kNoMax);
    if (auto v = section.get("max_connections_per_ip"))
        out.max_connections_per_ip = to_uint(*v, 0, kNoMax);
    if (auto v = section.get("max_http_connections"))
        out.max_http_connections = to_uint(*v, 1, kNoMax);
    if (auto v = section.get("login_timeout"))
        out.login_timeout = config_detail::to_duration(*v, false);
    if (auto v = section.get("write_timeout"))
        out.write_timeout = config_detail::to_duration(*v, false);
    if (auto v = section.get("rate_limit")) read_rate_limit(*v, out.rate_limit);
    if (auto v = section.get("error_budget")) out.error_budget = to_uint(*v, 1, kNoMax);
    if (auto v = section.get("send_queue_limit")) out.send_queue_limit = to_uint(*v, 1, kNoMax);
    if (auto v = section.get("send_queue_bytes")) {
        out.send_queue_bytes = to_uint(*v, out.max_message_bytes + kEnvelopeSlack, kNoMax);
    }
    if (auto v = section.get("heartbeat")) read_heartbeat(*v, out);
    if (auto v = section.get("resume")) read_resume(*v, out);
    // A large max_message_bytes with the default byte bounds.
    const std::uint64_t largest = out.max_message_bytes + kEnvelopeSlack;
    if (out.send_queue_bytes < largest || out.resume_buffer_bytes < largest) {
        const auto where = section.get("max_message_bytes");
        fail(where ? *where : field,
             "a message this large does not fit in send_queue_bytes or "
             "resume.buffer_bytes; raise them to at least " +
                 std::to_string(largest));
    }
}

// `secret` and `<key>_file` name the same thing two ways; an empty value
// counts as unset so that `secret: ""` left over from the template does not
// conflict with a secret_file.
struct SecretSource {
    std::optional<Field> inline_value, file;
    std::string path;  // "" when no file is named
};

SecretSource read_secret_source(const Section& section, std::string_view key) {
    SecretSource source{section.get(key), section.get(std::string(key) + "_file"), ""};
    if (source.file) source.path = config_detail::to_string(*source.file);
    const YAML::Node* value = source.inline_value ? &source.inline_value->node : nullptr;
    const bool inline_empty = !value || value->IsNull() ||
                              (value->IsScalar() && value->Scalar().empty()) ||
                              (value->IsSequence() && value->size() == 0);
    if (!inline_empty && !source.path.empty()) {
        fail(*source.file, "cannot be used together with " + source.inline_value->key);
    }
    return source;
}

void read_auth(const Field& field, AuthConfig& out) {
    const Section section(field, {"mode", "jwt_secret", "jwt_secret_file", "token_grace"});
    if (auto v = section.get("token_grace")) out.token_grace = config_detail::to_duration(*v, true);
    const auto mode = section.get("mode");
    if (mode) out.mode = to_enum(*mode, kAuthModes, "none or jwt");
    const SecretSource source = read_secret_source(section, "jwt_secret");
    if (source.inline_value) out.jwt_secret = config_detail::to_string(*source.inline_value);
    out.jwt_secret_file = source.path;
    if (!source.path.empty()) {
        out.jwt_secret = trim(config_detail::read_file_named_by(*source.file));
        if (out.jwt_secret.empty()) fail(*source.file, source.path + " is empty");
    }
    if (out.mode != AuthMode::jwt) return;
    if (out.jwt_secret.empty()) fail(*mode, "jwt requires auth.jwt_secret or auth.jwt_secret_file");
    if (out.jwt_secret.size() < kMinJwtSecretBytes) {
        fail(source.path.empty() ? *source.inline_value : *source.file,
             "must be at least " + std::to_string(kMinJwtSecretBytes) +
                 " bytes for HS256 (RFC 7518, section 3.2), got " +
                 std::to_string(out.jwt_secret.size()));
    }
}

std::vector<std::string> read_turn_secrets(const Section& section) {
    const SecretSource source = read_secret_source(section, "secret");
    std::vector<std::string> secrets;
    if (source.inline_value && source.inline_value->node.IsSequence()) {
        for (const Field& item : config_detail::to_list(*source.inline_value)) {
            secrets.push_back(config_detail::to_nonempty_string(item));
        }
    } else if (source.inline_value) {
        const std::string text = config_detail::to_string(*source.inline_value);
        if (!text.empty()) secrets.push_back(text);
    }
    const auto check_lengths = [&](const Field& where, std::string_view what) {
        for (std::size_t i = 0; i < secrets.size(); ++i) {
            if (secrets[i].size() >= kMinTurnSecretBytes) continue;
            fail(where,
                 std::string(what) +
                     (secrets.size() > 1 ? "secret " + std::to_string(i + 1) + " " : "") +
                     "must be at least " + std::to_string(kMinTurnSecretBytes) +
                     " bytes (room members receive passwords made with it, which can be attacked "
                     "offline), got " +
                     std::to_string(secrets[i].size()) + "; e.g. openssl rand -hex 32");
        }
    };
    if (source.path.empty()) {
        if (source.inline_value) check_lengths(*source.inline_value, "");
        return secrets;
    }
    const std::string content = config_detail::read_file_named_by(*source.file);
    std::size_t start = 0;
    while (start <= content.size()) {
        const std::size_t end = std::min(content.find('\n', start), content.size());
        if (std::string line = trim(std::string_view(content).substr(start, end - start));
            !line.empty()) {
            secrets.push_back(std::move(line));
        }
        start = end + 1;
    }
    if (secrets.empty()) fail(*source.file, source.path + " contains no secret");
    check_lengths(*source.file, source.path + ": ");
    return secrets;
}

std::size_t utf8_length(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // skip continuation bytes
    }));
}

std::pair<std::uint16_t, std::uint16_t> to_port_range(const Field& field) {
    constexpr std::string_view kWhat =
        "a port range \"first-last\" with 1 <= first <= last <= 65535";
    if (!field.node.IsScalar()) fail_expected(field, kWhat);
    const std::string& text = field.node.Scalar();
    const auto dash = text.find('-');
    unsigned first = 0;
    unsigned last = 0;
    const char* const begin = text.data();
    const char* const finish = text.data() + text.size();
    if (dash == std::string::npos) fail_expected(field, kWhat);
    const auto a = std::from_chars(begin, begin + dash, first);
    const auto b = std::from_chars(begin + dash + 1, finish, last);
    if (a.ec != std::errc{} || a.ptr != begin + dash || b.ec != std::errc{} || b.ptr != finish ||
        first < 1 || first > last || last > 65535) {
        fail_expected(field, kWhat);
    }
    return {static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
}

std::vector<StaticUser> read_static_users(const Field& field) {
    std::vector<StaticUser> users;
    for (const Field& item : config_detail::to_list(field)) {
        const Section section(item, {"username", "password"});
        const auto username = section.get("username");
        const auto password = section.get("password");
        if (!item.node.IsMap() || !username || !password)
            fail(item, "expected a map with username and password");
        StaticUser user{config_detail::to_nonempty_string(*username),
                        config_detail::to_nonempty_string(*password)};
        // "<expiry>:<user>" is the REST credential form; a colon here would be ambiguous.
        if (user.username.find(':') != std::string::npos) fail(*username, "must not contain ':'");
        const auto same = [&](const StaticUser& u) { return u.username == user.username; };
        if (std::any_of(users.begin(), users.end(), same))
            fail(*username, "duplicate user \"" + user.username + "\"");
        users.push_back(std::move(user));
    }
    return users;
}

void read_turn_policy(const Section& section, TurnConfig& out) {
    using config_detail::to_uint;
    if (auto v = section.get("max_allocation_lifetime"))
        out.max_allocation_lifetime = config_detail::to_duration(*v, false);
    if (auto v = section.get("max_allocations")) out.max_allocations = to_uint(*v, 1, kNoMax);
    if (auto v = section.get("max_allocations_per_user"))
        out.max_allocations_per_user = to_uint(*v, 1, kNoMax);
    if (auto v = section.get("max_stream_connections"))
        out.max_stream_connections = to_uint(*v, 1, kNoMax);
    if (auto v = section.get("max_stream_connections_per_ip"))
        out.max_stream_connections_per_ip = to_uint(*v, 0, kNoMax);
    // At least one largest frame (64 KiB of ChannelData) with room to spare.
    if (auto v = section.get("stream_queue_bytes"))
        out.stream_queue_bytes = to_uint(*v, 128 * 1024, kNoMax);
    if (auto v = section.get("stream_write_timeout"))
        out.stream_write_timeout = config_detail::to_duration(*v, false);
    if (auto v = section.get("max_bps_per_allocation"))
        out.max_bps_per_allocation = to_uint(*v, 0, kNoMax);
    if (auto v = section.get("unauthenticated_replies"))
        read_reply_rate(*v, out.unauthenticated_replies);
    if (auto v = section.get("allow_peers")) out.allow_peers = to_cidrs(*v);
    if (auto v = section.get("deny_peers")) {
        out.deny_peers_default = v->node.IsScalar() && v->node.Scalar() == "default";
        if (!out.deny_peers_default) {
            if (!v->node.IsSequence()) fail_expected(*v, "\"default\" or a list of CIDR blocks");
            out.deny_peers = to_cidrs(*v);
        }
    }
    if (auto v = section.get("require_active_session"))
        out.require_active_session = config_detail::to_bool(*v);
    if (auto v = section.get("static_users")) out.static_users = read_static_users(*v);
}

void read_turn(const Field& field, TurnConfig& out) {
    // clang-format off
    const Section section(field, {"enabled", "realm", "secret", "secret_file", "credential_ttl", "listen_udp",
                                  "listen_tcp", "listen_tls", "tls", "relay_address", "external_address",
                                  "relay_ports", "max_allocation_lifetime", "max_allocations",
                                  "max_allocations_per_user", "max_stream_connections", "max_bps_per_allocation",
                                  "unauthenticated_replies", "max_stream_connections_per_ip",
                                  "stream_queue_bytes", "stream_write_timeout",
                                  "allow_peers", "deny_peers",
                                  "require_active_session", "static_users"});
    // clang-format on
    if (auto v = section.get("enabled")) out.enabled = config_detail::to_bool(*v);
    if (auto v = section.get("realm")) {
        out.realm = config_detail::to_nonempty_string(*v);
        if (utf8_length(out.realm) > kMaxRealmChars)
            fail_expected(*v, "at most 127 characters (RFC 8489)");
    }
    out.secrets = read_turn_secrets(section);
    if (auto f = section.get("secret_file")) out.secret_file = config_detail::to_string(*f);
    if (auto v = section.get("credential_ttl"))
        out.credential_ttl = config_detail::to_duration(*v, false);
    if (auto v = section.get("listen_udp")) out.listen_udp = to_endpoints(*v);
    if (auto v = section.get("listen_tcp")) out.listen_tcp = to_endpoints(*v);
    const auto listen_tls = section.get("listen_tls");
    if (listen_tls) out.listen_tls = to_endpoints(*listen_tls);
    if (auto v = section.get("tls")) out.tls = read_tls(*v);
    if (!out.listen_tls.empty() && !out.tls.enabled())
        fail(*listen_tls, "requires turn.tls.cert and turn.tls.key");
    if (auto v = section.get("relay_address"))
        out.relay_address = config_detail::to_optional_ip(*v);
    if (auto v = section.get("external_address"))
        out.external_address = config_detail::to_optional_ip(*v);
    if (auto v = section.get("relay_ports"))
        std::tie(out.relay_port_min, out.relay_port_max) = to_port_range(*v);
    read_turn_policy(section, out);
}

bool is_loopback_host(std::string_view host) {
    const auto ip = parse_ip(host);
    return ip ? is_loopback(*ip) : host == "localhost";
}

void read_metrics(const Field& field, MetricsConfig& out) {
    const Section section(field, {"listen"});
    const auto listen = section.get("listen");
    if (!listen) return;
    if (listen->node.IsScalar() && listen->node.Scalar().empty()) {
        out.listen.reset();
        out.on_signaling = true;
    } else {
        out.listen = config_detail::to_endpoint(*listen);
    }
}

void read_shutdown(const Field& field, ShutdownConfig& out) {
    const Section section(field, {"drain"});
    if (auto v = section.get("drain")) out.drain = config_detail::to_duration(*v, true);
}

// The comment that ends line `line` (0-based) of `text`, without the '#':
// the packaged config says there what each placeholder stands for.
std::string comment_on_line(std::string_view text, int line) {
    std::size_t start = 0;
    for (int i = 0; i < line && start != std::string_view::npos; ++i) {
        start = text.find('\n', start);
        if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos || line < 0) return "";
    const std::string_view row = text.substr(start, text.substr(start).find('\n'));
    const auto hash = row.find(" #");
    return hash == std::string_view::npos ? "" : trim(row.substr(hash + 2));
}

// Every scalar value that still holds kPlaceholder, as one line each:
// "<file>:<line>:<col>: <dotted.key>: replace CHANGE-ME (<the comment>)".
void find_placeholders(const YAML::Node& node, const std::string& key, std::string_view file,
                       std::string_view text, std::vector<std::string>& out) {
    if (node.IsMap()) {
        for (const auto& entry : node) {
            const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "?";
            find_placeholders(entry.second, key.empty() ? name : key + "." + name, file, text, out);
        }
    } else if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            find_placeholders(node[i], key + "[" + std::to_string(i) + "]", file, text, out);
        }
    } else if (node.IsScalar() && node.Scalar().find(kPlaceholder) != std::string::npos) {
        const std::string comment = comment_on_line(text, node.Mark().line);
        out.push_back(config_detail::position(file, node.Mark()) + ": " + key + ": replace " +
                      std::string(kPlaceholder) + (comment.empty() ? "" : " (" + comment + ")"));
    }
}

Config read_config(const YAML::Node& root, std::string_view file) {
    Config config;
    config.source = std::string(file);
    const Section top(
        Field{root, "", root.Mark(), file},
        {"log", "threads", "public_host", "signaling", "auth", "turn", "metrics", "shutdown"});
    if (auto v = top.get("log")) {
        const Section log(*v, {"level", "format"});
        if (auto level = log.get("level")) {
            config.log_level =
                to_enum(*level, kLogLevels, "one of trace, debug, info, warn, error, off");
        }
        if (auto format = log.get("format"))
            config.log_format = to_enum(*format, kLogFormats, "text or json");
    }
    if (auto v = top.get("threads")) {
        config.threads = static_cast<unsigned>(config_detail::to_uint(*v, 0, kMaxThreads));
    }
    if (auto v = top.get("public_host")) config.public_host = to_host(*v);
    if (auto v = top.get("signaling")) read_signaling(*v, config.signaling);
    if (auto v = top.get("auth")) read_auth(*v, config.auth);
    if (auto v = top.get("turn")) read_turn(*v, config.turn);
    if (auto v = top.get("metrics")) read_metrics(*v, config.metrics);
    if (auto v = top.get("shutdown")) read_shutdown(*v, config.shutdown);
    return config;
}

// Where each document of a YAML stream starts, for at most `limit` of them.
// Not YAML::LoadAll: yaml-cpp 0.7 (Debian 12) loops forever in it on some
// malformed input (one that starts with ',', found by fuzz/config.cpp;
// fixed upstream in jbeder/yaml-cpp#1319), each turn yielding another null
// document without consuming anything. Reading documents one at a time, a
// bounded number of them, ends.
std::vector<YAML::Mark> document_starts(const std::string& text, std::size_t limit) {
    struct Starts final : YAML::EventHandler {
        std::vector<YAML::Mark> marks;
        void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
        void OnDocumentEnd() override {}
        void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
        void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
        void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                      const std::string&) override {}
        void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                             YAML::EmitterStyle::value) override {}
        void OnSequenceEnd() override {}
        void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                        YAML::EmitterStyle::value) override {}
        void OnMapEnd() override {}
    } starts;
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (starts.marks.size() < limit && parser.HandleNextDocument(starts)) {
    }
    return std::move(starts.marks);
}

}  // namespace

std::variant<Config, ConfigError> parse_config(std::string_view yaml_text, std::string_view name) {
    const std::string file(name);
    try {
        // Every document counted, so that a stray "---" does not silently
        // drop the rest of the file.
        const std::string text(yaml_text);
        const auto starts = document_starts(text, 3);
        if (starts.size() > 1) {
            return ConfigError{config_detail::position(file, starts[1]) +
                               ": expected one YAML document, found " +
                               (starts.size() < 3 ? std::to_string(starts.size()) : "more")};
        }
        const YAML::Node root = starts.empty() ? YAML::Node() : YAML::Load(text);
        std::vector<std::string> placeholders;
        find_placeholders(root, "", file, yaml_text, placeholders);
        if (!placeholders.empty()) {
            std::string message = file + ": " + std::to_string(placeholders.size()) +
                                  " placeholder" + (placeholders.size() == 1 ? "" : "s") +
                                  " to fill in before Switchboard can run:";
            for (const auto& line : placeholders) message += "\n  " + line;
            return ConfigError{message};
        }
        return read_config(root, file);
    } catch (const ConfigFailure& failure) {
        return ConfigError{failure.message};
    } catch (const YAML::Exception& e) {  // ParserException and the depth guard
        return ConfigError{config_detail::position(file, e.mark) + ": invalid YAML: " + e.msg};
    } catch (const std::exception& e) {
        return ConfigError{file + ": " + e.what()};
    }
}

std::variant<Config, ConfigError> load_config_file(const std::string& path) {
    std::string text;
    std::string error;
    if (!config_detail::read_small_file(path, text, error)) return ConfigError{error};
    return parse_config(text, path);
}

bool metrics_on_signaling(const Config& config) {
    if (config.metrics.listen) return false;
    return config.metrics.on_signaling || is_loopback_host(config.signaling.listen.host);
}

std::vector<std::string> permission_warnings(const Config& config) {
    const std::pair<const char*, const std::string*> files[] = {
        {"auth.jwt_secret_file", &config.auth.jwt_secret_file},
        {"turn.secret_file", &config.turn.secret_file},
        {"signaling.tls.key", &config.signaling.tls.key},
        {"turn.tls.key", &config.turn.tls.key},
    };
    std::vector<std::string> out;
    for (const auto& [key, path] : files) {
        struct stat st {};
        if (path->empty() || ::stat(path->c_str(), &st) != 0) continue;
        if ((st.st_mode & (S_IROTH | S_IWOTH)) == 0) continue;
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        out.push_back(std::string(key) + ": " + *path + " is " +
                      ((st.st_mode & S_IROTH) != 0 ? "readable" : "writable") +
                      " by other users (mode " + mode + "); chmod o-rwx " + *path);
    }
    return out;
}

}  // namespace switchboard::shared
