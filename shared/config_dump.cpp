// dump_config: the effective configuration, for `switchboard check-config`.
// Same layout and spelling as the file format (DESIGN.md, "Configuration"), so
// an operator can diff it against their file and paste it back.

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <string>

#include "shared/config.hpp"
#include "shared/duration.hpp"

namespace switchboard::shared {
namespace {

constexpr std::string_view kRedacted = "<redacted>";

std::string number(double value) {
    char buffer[32] = {};
    std::to_chars(buffer, buffer + sizeof buffer - 1, value);  // shortest exact form
    return buffer;
}

// Strings are always double-quoted so that values such as "null", "true",
// "" or "8080" read back as the strings they are.
class Writer {
public:
    void key(std::string_view name) { out_ << YAML::Key << std::string(name) << YAML::Value; }
    void text(std::string_view name, std::string_view value) {
        key(name);
        out_ << YAML::DoubleQuoted << std::string(value);
    }
    void plain(std::string_view name, const std::string& value) {
        key(name);
        out_ << value;
    }
    void integer(std::string_view name, std::uint64_t value) { plain(name, std::to_string(value)); }
    void boolean(std::string_view name, bool value) { plain(name, value ? "true" : "false"); }
    void duration(std::string_view name, std::chrono::milliseconds value) {
        plain(name, format_duration(value));
    }
    void strings(std::string_view name, const std::vector<std::string>& values) {
        key(name);
        out_ << YAML::Flow << YAML::BeginSeq;
        for (const std::string& value : values) out_ << YAML::DoubleQuoted << value;
        out_ << YAML::EndSeq;
    }
    void begin_map(std::string_view name, bool flow) {
        key(name);
        if (flow) out_ << YAML::Flow;
        out_ << YAML::BeginMap;
    }
    void begin_map() { out_ << YAML::BeginMap; }
    void end_map() { out_ << YAML::EndMap; }
    void tls(std::string_view name, const TlsFiles& tls) {
        begin_map(name, true);
        text("cert", tls.cert);
        text("key", tls.key);
        end_map();
    }
    YAML::Emitter& emitter() { return out_; }

private:
    YAML::Emitter out_;
};

std::vector<std::string> endpoints(const std::vector<Endpoint>& list) {
    std::vector<std::string> out;
    out.reserve(list.size());
    for (const Endpoint& e : list) out.push_back(e.to_string());
    return out;
}

std::vector<std::string> cidrs(const std::vector<Cidr>& list) {
    std::vector<std::string> out;
    out.reserve(list.size());
    for (const Cidr& c : list) out.push_back(c.to_string());
    return out;
}

void write_signaling(Writer& w, const SignalingConfig& s) {
    w.begin_map("signaling", false);
    w.text("listen", s.listen.to_string());
    w.tls("tls", s.tls);
    w.strings("allowed_origins", s.allowed_origins);
    w.text("static_dir", s.static_dir);
    w.integer("max_message_bytes", s.max_message_bytes);
    w.integer("max_room_members", s.max_room_members);
    w.integer("max_rooms_per_session", s.max_rooms_per_session);
    w.integer("max_connections", s.max_connections);
    w.integer("max_connections_per_ip", s.max_connections_per_ip);
    w.integer("max_http_connections", s.max_http_connections);
    w.duration("login_timeout", s.login_timeout);
    w.duration("write_timeout", s.write_timeout);
    w.begin_map("rate_limit", true);
    w.plain("messages_per_second", number(s.rate_limit.messages_per_second));
    w.plain("burst", number(s.rate_limit.burst));
    w.end_map();
    w.integer("error_budget", s.error_budget);
    w.integer("send_queue_limit", s.send_queue_limit);
    w.integer("send_queue_bytes", s.send_queue_bytes);
    w.begin_map("heartbeat", true);
    w.duration("interval", s.heartbeat_interval);
    w.duration("timeout", s.heartbeat_timeout);
    w.end_map();
    w.begin_map("resume", true);
    w.duration("window", s.resume_window);
    w.integer("buffer", s.resume_buffer);
    w.integer("buffer_bytes", s.resume_buffer_bytes);
    w.end_map();
    w.end_map();
}

void write_turn(Writer& w, const TurnConfig& t) {
    w.begin_map("turn", false);
    w.boolean("enabled", t.enabled);
    w.text("realm", t.realm);
    if (t.secrets.size() <= 1) {
        w.text("secret", t.secrets.empty() ? "" : kRedacted);  // "" = generated at start
    } else {
        w.strings("secret", std::vector<std::string>(t.secrets.size(), std::string(kRedacted)));
    }
    w.duration("credential_ttl", t.credential_ttl);
    w.strings("listen_udp", endpoints(t.listen_udp));
    w.strings("listen_tcp", endpoints(t.listen_tcp));
    w.strings("listen_tls", endpoints(t.listen_tls));
    w.tls("tls", t.tls);
    w.text("relay_address", t.relay_address);
    w.text("external_address", t.external_address);
    w.text("relay_ports",
           std::to_string(t.relay_port_min) + "-" + std::to_string(t.relay_port_max));
    w.duration("max_allocation_lifetime", t.max_allocation_lifetime);
    w.integer("max_allocations", t.max_allocations);
    w.integer("max_allocations_per_user", t.max_allocations_per_user);
    w.integer("max_stream_connections", t.max_stream_connections);
    w.integer("max_stream_connections_per_ip", t.max_stream_connections_per_ip);
    w.integer("stream_queue_bytes", t.stream_queue_bytes);
    w.duration("stream_write_timeout", t.stream_write_timeout);
    w.integer("max_bps_per_allocation", t.max_bps_per_allocation);
    w.begin_map("unauthenticated_replies", true);
    w.plain("per_second", number(t.unauthenticated_replies.per_second));
    w.plain("burst", number(t.unauthenticated_replies.burst));
    w.end_map();
    w.strings("allow_peers", cidrs(t.allow_peers));
    if (t.deny_peers_default) {
        w.plain("deny_peers", "default");
    } else {
        w.strings("deny_peers", cidrs(t.deny_peers));
    }
    w.boolean("require_active_session", t.require_active_session);
    w.key("static_users");
    w.emitter() << YAML::Flow << YAML::BeginSeq;
    for (const StaticUser& user : t.static_users) {
        w.emitter() << YAML::BeginMap;
        w.text("username", user.username);
        w.text("password", kRedacted);
        w.end_map();
    }
    w.emitter() << YAML::EndSeq;
    w.end_map();
}

}  // namespace

std::string dump_config(const Config& config) {
    Writer w;
    w.begin_map();
    w.begin_map("log", true);
    w.plain("level", std::string(level_name(config.log_level)));
    w.plain("format", config.log_format == LogFormat::json ? "json" : "text");
    w.end_map();
    w.integer("threads", config.threads);
    w.text("public_host", config.public_host);
    write_signaling(w, config.signaling);
    w.begin_map("auth", false);
    w.plain("mode", config.auth.mode == AuthMode::jwt ? "jwt" : "none");
    w.text("jwt_secret", config.auth.jwt_secret.empty() ? "" : kRedacted);
    w.duration("token_grace", config.auth.token_grace);
    w.end_map();
    write_turn(w, config.turn);
    w.begin_map("metrics", true);
    if (config.metrics.listen) {
        w.text("listen", config.metrics.listen->to_string());
    } else if (config.metrics.on_signaling) {
        w.text("listen", "");  // unset: on the signaling listener only if that is loopback
    }
    w.end_map();
    w.begin_map("shutdown", true);
    w.duration("drain", config.shutdown.drain);
    w.end_map();
    w.end_map();

    std::string source = config.source;
    for (char& c : source) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return "# effective configuration, from " + source + "\n" + w.emitter().c_str() + "\n";
}

}  // namespace switchboard::shared
