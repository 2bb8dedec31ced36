#pragma once
// The hub's private records. Only hub*.cpp include this.

#include <array>
#include <deque>
#include <utility>

#include "signaling/hub.hpp"
#include "signaling/protocol/error.hpp"

namespace switchboard::signaling {

struct Hub::Connection {
    Connection(ConnectionId i, shared::TokenBucket b, TimePoint now)
        : id(i), bucket(b), opened(now), last_rx(now) {}
    ConnectionId id;
    std::string user_id;  // empty until logged in
    std::size_t errors = 0;
    shared::TokenBucket bucket;
    std::size_t dropped_in_row = 0;
    TimePoint opened;        // the login deadline runs from here
    bool logged_in = false;  // a login succeeded on it: the login deadline is over
    TimePoint last_rx;       // last inbound frame or control frame
    TimePoint next_ping{};   // the next heartbeat ping (set at the first tick)
};

struct Hub::Session {
    std::string user_id;
    std::optional<std::string> name;
    bool any_room = true;
    std::vector<std::string> allowed_rooms;
    // The login token's `exp` (auth mode jwt), and whether token-expiring went out.
    std::optional<std::int64_t> token_exp;
    bool expiry_told = false;
    std::string session_id;
    std::string resume_token;
    std::optional<ConnectionId> conn;  // none while detached
    std::vector<std::string> rooms;    // join order
    // When each room's ice-servers push is due (80% of the credential TTL).
    std::vector<std::pair<std::string, TimePoint>> ice_push_at;

    // Detached: waiting out the resume window.
    bool detached = false;
    TimePoint detached_until{};
    std::string detach_reason;       // user-left reason if the window passes
    std::deque<std::string> buffer;  // frames held for a resume, bounded by resume.buffer
    std::size_t buffer_bytes = 0;    // ... and by resume.buffer_bytes
    // PROTOCOL.md "Rate limit": the bucket belongs to the session, so a
    // resumed connection carries on from where the dropped one was.
    std::optional<shared::TokenBucket> bucket;

    bool window_over(TimePoint now) const { return detached && now >= detached_until; }

    bool allows_room(std::string_view room) const {
        if (any_room) return true;
        for (const auto& r : allowed_rooms) {
            if (r == room) return true;
        }
        return false;
    }
};

struct Hub::Counters {
    explicit Counters(shared::Metrics& m)
        : connections(m.gauge("switchboard_signaling_connections", "Open WebSocket connections.")),
          sessions(m.gauge("switchboard_signaling_sessions",
                           "Signaling sessions, attached or inside their resume window.")),
          rooms(m.gauge("switchboard_signaling_rooms", "Rooms with at least one member.")),
          signals(m.counter("switchboard_signaling_signals_relayed_total",
                            "Signal messages delivered to a recipient (one per recipient).")),
          rate_limited(m.counter("switchboard_signaling_rate_limited_total",
                                 "Messages dropped by the per-session rate limit.")),
          resumes(m.counter("switchboard_signaling_resumes_total",
                            "Sessions resumed on a new connection.")),
          slow_consumers(m.counter("switchboard_signaling_slow_consumer_closes_total",
                                   "Connections closed because their send queue was full.")),
          resume_overflows(
              m.counter("switchboard_signaling_resume_buffer_overflows_total",
                        "Detached sessions ended because their resume buffer filled.")),
          heartbeat_timeouts(
              m.counter("switchboard_signaling_heartbeat_timeouts_total",
                        "Connections closed with 4008: no inbound traffic for heartbeat.timeout.")),
          login_timeouts(
              m.counter("switchboard_signaling_login_timeouts_total",
                        "Connections closed with 1008: no login within signaling.login_timeout.")) {
        for (int t = 0; t < 7; ++t) {
            const auto type = protocol::type_name(static_cast<protocol::RequestType>(t));
            messages[t] = &m.counter("switchboard_signaling_messages_total",
                                     "Requests received, by type.", {{"type", std::string(type)}});
        }
        for (int e = 1; e <= static_cast<int>(protocol::Error::internal); ++e) {
            const auto code = protocol::wire_name(static_cast<protocol::Error>(e));
            errors[e] = &m.counter("switchboard_signaling_errors_total",
                                   "Requests answered with an error, by code.",
                                   {{"code", std::string(code)}});
        }
    }

    shared::Counter& message(protocol::RequestType t) { return *messages[static_cast<int>(t)]; }
    shared::Counter& error(protocol::Error e) { return *errors[static_cast<int>(e)]; }

    shared::Gauge& connections;
    shared::Gauge& sessions;
    shared::Gauge& rooms;
    shared::Counter& signals;
    shared::Counter& rate_limited;
    shared::Counter& resumes;
    shared::Counter& slow_consumers;
    shared::Counter& resume_overflows;
    shared::Counter& heartbeat_timeouts;
    shared::Counter& login_timeouts;
    std::array<shared::Counter*, 7> messages{};
    std::array<shared::Counter*, static_cast<int>(protocol::Error::internal) + 1> errors{};
};

}  // namespace switchboard::signaling
