#include "shared/reload.hpp"

#include <array>

namespace switchboard::shared {
namespace {

// One setting: its dotted key, whether it is hot, and how to compare and
// copy it between two configs.
struct Setting {
    const char* key;
    bool hot;
    bool (*equal)(const Config&, const Config&);
    void (*copy)(Config& to, const Config& from);
};

#define SB_SETTING(key, hot, member)                                                     \
    Setting {                                                                            \
        key, hot, [](const Config& a, const Config& b) { return a.member == b.member; }, \
            [](Config& to, const Config& from) { to.member = from.member; }              \
    }

// Every field of Config but `source`; plan_reload checks that nothing is
// left out (an unlisted field that changed is reported as needing a restart).
const std::array kSettings = {
    SB_SETTING("log_level", true, log_level),
    SB_SETTING("log_format", true, log_format),
    SB_SETTING("threads", false, threads),
    SB_SETTING("public_host", false, public_host),
    SB_SETTING("signaling.listen", false, signaling.listen),
    SB_SETTING("signaling.tls", true, signaling.tls),
    SB_SETTING("signaling.allowed_origins", true, signaling.allowed_origins),
    SB_SETTING("signaling.static_dir", false, signaling.static_dir),
    SB_SETTING("signaling.max_message_bytes", false, signaling.max_message_bytes),
    SB_SETTING("signaling.max_room_members", false, signaling.max_room_members),
    SB_SETTING("signaling.max_rooms_per_session", false, signaling.max_rooms_per_session),
    SB_SETTING("signaling.max_connections", false, signaling.max_connections),
    SB_SETTING("signaling.max_connections_per_ip", false, signaling.max_connections_per_ip),
    SB_SETTING("signaling.max_http_connections", false, signaling.max_http_connections),
    SB_SETTING("signaling.login_timeout", false, signaling.login_timeout),
    SB_SETTING("signaling.write_timeout", false, signaling.write_timeout),
    SB_SETTING("signaling.rate_limit", false, signaling.rate_limit),
    SB_SETTING("signaling.error_budget", false, signaling.error_budget),
    SB_SETTING("signaling.send_queue_limit", false, signaling.send_queue_limit),
    SB_SETTING("signaling.send_queue_bytes", false, signaling.send_queue_bytes),
    SB_SETTING("signaling.heartbeat_interval", false, signaling.heartbeat_interval),
    SB_SETTING("signaling.heartbeat_timeout", false, signaling.heartbeat_timeout),
    SB_SETTING("signaling.resume_window", false, signaling.resume_window),
    SB_SETTING("signaling.resume_buffer", false, signaling.resume_buffer),
    SB_SETTING("signaling.resume_buffer_bytes", false, signaling.resume_buffer_bytes),
    SB_SETTING("auth.mode", false, auth.mode),
    SB_SETTING("auth.jwt_secret", true, auth.jwt_secret),
    SB_SETTING("auth.jwt_secret", true, auth.jwt_secret_file),
    SB_SETTING("auth.token_grace", true, auth.token_grace),
    SB_SETTING("turn.enabled", false, turn.enabled),
    SB_SETTING("turn.realm", false, turn.realm),
    SB_SETTING("turn.secret", true, turn.secrets),
    SB_SETTING("turn.secret", true, turn.secret_file),
    SB_SETTING("turn.credential_ttl", true, turn.credential_ttl),
    SB_SETTING("turn.listen_udp", false, turn.listen_udp),
    SB_SETTING("turn.listen_tcp", false, turn.listen_tcp),
    SB_SETTING("turn.listen_tls", false, turn.listen_tls),
    SB_SETTING("turn.tls", true, turn.tls),
    SB_SETTING("turn.relay_address", false, turn.relay_address),
    SB_SETTING("turn.external_address", false, turn.external_address),
    SB_SETTING("turn.relay_ports", false, turn.relay_port_min),
    SB_SETTING("turn.relay_ports", false, turn.relay_port_max),
    SB_SETTING("turn.max_allocation_lifetime", false, turn.max_allocation_lifetime),
    SB_SETTING("turn.max_allocations", false, turn.max_allocations),
    SB_SETTING("turn.max_allocations_per_user", false, turn.max_allocations_per_user),
    SB_SETTING("turn.max_stream_connections", false, turn.max_stream_connections),
    SB_SETTING("turn.max_stream_connections_per_ip", false, turn.max_stream_connections_per_ip),
    SB_SETTING("turn.stream_queue_bytes", false, turn.stream_queue_bytes),
    SB_SETTING("turn.stream_write_timeout", false, turn.stream_write_timeout),
    SB_SETTING("turn.max_bps_per_allocation", false, turn.max_bps_per_allocation),
    SB_SETTING("turn.unauthenticated_replies", false, turn.unauthenticated_replies),
    SB_SETTING("turn.allow_peers", false, turn.allow_peers),
    SB_SETTING("turn.deny_peers", false, turn.deny_peers_default),
    SB_SETTING("turn.deny_peers", false, turn.deny_peers),
    SB_SETTING("turn.require_active_session", false, turn.require_active_session),
    SB_SETTING("turn.static_users", true, turn.static_users),
    SB_SETTING("metrics.listen", false, metrics.listen),
    SB_SETTING("metrics.listen", false, metrics.on_signaling),
    SB_SETTING("shutdown.drain", true, shutdown.drain),
};

#undef SB_SETTING

void add_once(std::vector<std::string>& keys, const char* key) {
    if (keys.empty() || keys.back() != key) keys.emplace_back(key);
}

}  // namespace

ReloadPlan plan_reload(const Config& running, const Config& loaded) {
    Config wanted = loaded;
    // A development secret generated at start stays while the file names none.
    if (wanted.turn.secrets.empty()) wanted.turn.secrets = running.turn.secrets;

    ReloadPlan plan{running, {}, {}};
    plan.effective.source = loaded.source;
    Config everything = plan.effective;  // effective plus the restart-only changes
    for (const Setting& s : kSettings) {
        if (s.equal(running, wanted)) continue;
        // Switching TLS on or off changes what a listener speaks: a restart.
        const bool tls_switch =
            (s.key == std::string_view("signaling.tls") &&
             running.signaling.tls.enabled() != wanted.signaling.tls.enabled()) ||
            (s.key == std::string_view("turn.tls") &&
             running.turn.tls.enabled() != wanted.turn.tls.enabled());
        if (s.hot && !tls_switch) {
            s.copy(plan.effective, wanted);
            add_once(plan.applied, s.key);
        } else {
            add_once(plan.restart, s.key);
        }
        s.copy(everything, wanted);
    }
    everything.source = wanted.source;
    if (!(everything == wanted)) add_once(plan.restart, "(a setting this version cannot name)");
    return plan;
}

}  // namespace switchboard::shared
