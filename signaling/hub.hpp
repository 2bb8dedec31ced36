#pragma once
// The signaling state machine: connections, sessions, rooms, relay,
// presence, resume, rate limits and error budgets (PROTOCOL.md). Pure: it
// sees frames in and pushes frames out through an Outbox, with time from an
// injected Clock, so every rule is unit-testable without sockets.
//
// Thread context: not thread-safe. The io layer calls every member under one
// lock, which also gives one global order of outbound frames (so two signals
// from A to B leave in the order A sent them).

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/metrics.hpp"
#include "shared/session_bridge.hpp"
#include "shared/token_bucket.hpp"
#include "signaling/ice_servers.hpp"
#include "signaling/protocol/encoder.hpp"
#include "signaling/protocol/message.hpp"
#include "signaling/room_directory.hpp"

namespace switchboard::signaling {

using ConnectionId = std::uint64_t;

// PROTOCOL.md "Close codes".
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t policy = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t replaced = 4001;
inline constexpr std::uint16_t heartbeat_timeout = 4008;
inline constexpr std::uint16_t rate_limited = 4029;
}  // namespace close_code

// Where the hub's frames go. Implementations must not call back into the hub.
class Outbox {
public:
    virtual ~Outbox() = default;
    // Queues a text frame (copied). False when the connection's send queue is
    // past its bounds (frames or bytes): the hub then closes it as a slow consumer.
    virtual bool send(ConnectionId id, std::string_view text) = 0;
    // Sends a close frame after what is already queued, then drops the socket
    // (at once if a write is stuck: signaling.write_timeout).
    virtual void close(ConnectionId id, std::uint16_t code, std::string_view reason) = 0;
    // Sends a WebSocket ping frame (PROTOCOL.md "ping": the heartbeat).
    virtual void ping(ConnectionId id) = 0;
};

// How a connection went away, as the transport saw it.
enum class Disconnect {
    normal,             // the client closed with 1000: its session ends at once
    dropped,            // anything else: the session waits out the resume window
    heartbeat_timeout,  // no inbound traffic for heartbeat.timeout
    // The transport failed the connection for cause (a protocol violation,
    // a binary frame, a message over the limit): like a close the hub decides,
    // no resume window.
    failed,
};

class Hub {
public:
    // `rooms` is where membership lives (RoomDirectory); the in-memory one by
    // default. `bridge` (optional) hears which users are active for TURN.
    Hub(const shared::Config& config, const shared::Clock& clock, Outbox& outbox,
        const IceServerFactory& ice, shared::Metrics& metrics,
        std::unique_ptr<RoomDirectory> rooms = std::make_unique<InMemoryRoomDirectory>(),
        shared::SessionBridge* bridge = nullptr);
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    void on_open(ConnectionId id);
    void on_text(ConnectionId id, std::string_view frame);
    // Inbound traffic that is not a text message (a pong, a ping): it counts
    // for the heartbeat.
    void on_activity(ConnectionId id);
    void on_close(ConnectionId id, Disconnect how);
    // The hub's clock work, every kTickPeriod or so: heartbeat pings and
    // timeouts (4008), the login deadline (1008), expired resume windows,
    // fresh ICE credentials pushed at 80% of their TTL, and login tokens
    // that expire (token-expiring a minute before, the session's end
    // auth.token_grace after), and bans that run out.
    void tick();
    static constexpr std::chrono::milliseconds kTickPeriod{250};
    // token-expiring goes out this long before the token's `exp`.
    static constexpr std::chrono::seconds kTokenExpiryNotice{60};
    // SIGHUP: takes the hot settings of `effective` (shared/reload.hpp): the
    // JWT secret for the next logins and the TURN credential TTL for the next
    // pushes. Sessions and rooms are untouched; `effective` differs from the
    // running config in hot settings only.
    void reload(std::shared_ptr<const shared::Config> effective) { config_ = std::move(effective); }
    // Sends `goaway` to every connection and closes each with 1001.
    void shutdown(std::string_view reason, std::int64_t reconnect_after_ms);

    // Admin: removes `user_id` from `room_id`, or from every room when
    // nullopt, with reason "kicked": the others see user-left, the user
    // itself gets the same event about itself, and when it is left in no
    // room its TURN relays are revoked. Returns the rooms it was removed from.
    // With a `ban` (> 0) the user may not join that room again (or, without
    // a room, log in at all: its session ends at once) for that long; bans
    // are kept for kMaxBans users at most (`banned` false beyond).
    struct Kicked {
        std::vector<std::string> rooms;
        bool banned = false;
    };
    Kicked kick(std::string_view user_id, std::optional<std::string_view> room_id,
                std::chrono::seconds ban = std::chrono::seconds(0));
    static constexpr std::size_t kMaxBans = 10000;

    // What the hub tells the SessionBridge: true while the user has a
    // session, attached or inside its resume window, that is in at least one
    // room. The bridge hears set_active when a session joins its first room
    // and set_inactive (the user's relays go) when it leaves its last one,
    // by leave, kick or the session's end; the io loop flushes it once per
    // turn (SessionBridge::on_pending).
    bool user_active(std::string_view user_id) const;

    std::size_t connection_count() const { return connections_.size(); }
    std::size_t session_count() const { return sessions_.size(); }
    std::size_t room_count() const { return rooms_->room_count(); }

private:
    struct Connection;
    struct Session;
    struct Counters;
    using TimePoint = shared::Clock::Steady::time_point;

    void dispatch(Connection& c, const protocol::Request& req);
    void handle_login(Connection& c, const protocol::Request& req);
    void handle_join(Connection& c, Session& s, const protocol::Request& req);
    void handle_leave(Connection& c, Session& s, const protocol::Request& req);
    void handle_signal(Connection& c, Session& s, const protocol::Request& req);
    void handle_room_users(Connection& c, Session& s, const protocol::Request& req);
    void handle_ice_servers(Connection& c, Session& s, const protocol::Request& req);

    // Resolves an optional roomId (PROTOCOL.md "Envelope"); replies with the
    // error and returns nullopt when it cannot.
    std::optional<std::string> member_room(Connection& c, Session& s, const protocol::Request& req);
    void reply(Connection& c, std::string_view text);
    void fail(Connection& c, std::string_view type, std::string_view id_json, protocol::Error error,
              std::string_view message, std::optional<std::string_view> room_id = std::nullopt);
    void spend_error_budget(Connection& c);

    Session& start_session(Connection& c, std::string user_id, std::optional<std::string> name,
                           bool any_room, std::vector<std::string> rooms);
    void resume_session(Connection& c, Session& s, const protocol::Request& req);
    protocol::LoginResult login_result(const Session& s, bool resumed) const;
    void deliver(Session& s, std::string_view text);
    // PROTOCOL.md "ping": no inbound traffic for heartbeat.timeout.
    void time_out(ConnectionId id);
    void leave_room(Session& s, const std::string& room_id, std::string_view reason);
    void end_session(const std::string& user_id, std::string_view reason);
    // Ends the session for cause: an `unauthorized` error event saying
    // `message`, its rooms left with `reason`, its connection closed 1008.
    void revoke(const std::string& user_id, std::string_view message, std::string_view reason);
    // Until when `user_id` may not join `room_id` ("" = log in), if banned.
    std::optional<TimePoint> banned(std::string_view user_id, std::string_view room_id);
    void close_connection(ConnectionId id, std::uint16_t code, std::string_view reason);
    void schedule_ice_push(Session& s, const std::string& room_id);
    // Runs deferred work (slow consumers, overflowing resume buffers) that
    // cannot happen in the middle of a broadcast.
    void settle();
    Connection* find_connection(ConnectionId id);
    Session* find_session(std::string_view user_id);

    std::shared_ptr<const shared::Config> config_;  // a copy; reload() swaps it
    const shared::Clock& clock_;
    Outbox& outbox_;
    const IceServerFactory& ice_;
    std::unique_ptr<RoomDirectory> rooms_;
    std::unique_ptr<Counters> counters_;
    std::unordered_map<ConnectionId, std::unique_ptr<Connection>> connections_;
    std::unordered_map<std::string, std::unique_ptr<Session>> sessions_;
    std::vector<ConnectionId> slow_consumers_;
    std::vector<std::string> overflowed_sessions_;
    // Bans by user: (room, or "" for every room and login; until).
    std::unordered_map<std::string, std::vector<std::pair<std::string, TimePoint>>> bans_;
    shared::SessionBridge* bridge_;
};

}  // namespace switchboard::signaling
