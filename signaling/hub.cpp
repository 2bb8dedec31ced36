#include "signaling/hub.hpp"

#include <algorithm>

#include "shared/crypto.hpp"
#include "shared/identifier.hpp"
#include "shared/jwt.hpp"
#include "shared/log.hpp"
#include "signaling/hub_state.hpp"
#include "signaling/protocol/encoder.hpp"
#include "signaling/protocol/parser.hpp"

namespace switchboard::signaling {

using protocol::Error;
using protocol::Request;
using protocol::RequestType;

namespace {

double seconds_of(std::chrono::milliseconds ms) {
    return static_cast<double>(ms.count()) / 1000.0;
}

}  // namespace

Hub::Hub(const shared::Config& config, const shared::Clock& clock, Outbox& outbox,
         const IceServerFactory& ice, shared::Metrics& metrics,
         std::unique_ptr<RoomDirectory> rooms, shared::SessionBridge* bridge)
    : config_(std::make_shared<const shared::Config>(config)),
      clock_(clock),
      outbox_(outbox),
      ice_(ice),
      rooms_(std::move(rooms)),
      counters_(std::make_unique<Counters>(metrics)),
      bridge_(bridge) {}

Hub::~Hub() = default;

Hub::Connection* Hub::find_connection(ConnectionId id) {
    auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second.get();
}

Hub::Session* Hub::find_session(std::string_view user_id) {
    auto it = sessions_.find(std::string(user_id));
    return it == sessions_.end() ? nullptr : it->second.get();
}

bool Hub::user_active(std::string_view user_id) const {
    auto it = sessions_.find(std::string(user_id));
    // The window is over at its deadline, not at the next tick(). TURN
    // credentials are for room members: leaving the last room revokes the
    // user's relays, so it must also stop new ones.
    return it != sessions_.end() && !it->second->window_over(clock_.now()) &&
           !it->second->rooms.empty();
}

void Hub::on_open(ConnectionId id) {
    const auto& rl = config_->signaling.rate_limit;
    const auto now = clock_.now();
    connections_.emplace(id,
                         std::make_unique<Connection>(
                             id, shared::TokenBucket(rl.messages_per_second, rl.burst, now), now));
    settle();
}

void Hub::on_activity(ConnectionId id) {
    if (Connection* c = find_connection(id)) c->last_rx = clock_.now();
}

void Hub::on_text(ConnectionId id, std::string_view frame) {
    Connection* c = find_connection(id);
    if (c == nullptr) return;  // the hub already closed it; frames in flight are moot
    c->last_rx = clock_.now();
    auto parsed = protocol::parse_request(frame);

    // Parse first so that a dropped message is answered with its id.
    if (!c->bucket.try_take(clock_.now())) {
        counters_->rate_limited.inc();
        if (auto* req = std::get_if<Request>(&parsed)) {
            reply(*c,
                  protocol::encode_failure(protocol::type_name(req->type), req->id_json,
                                           Error::rate_limited, "message rate exceeded; dropped"));
        } else {
            const auto& f = std::get<protocol::ParseFailure>(parsed);
            reply(*c, f.type.empty()
                          ? protocol::encode_error_event(
                                Error::rate_limited, "message rate exceeded; dropped", f.id_json)
                          : protocol::encode_failure(f.type, f.id_json, Error::rate_limited,
                                                     "message rate exceeded; dropped"));
        }
        if (++c->dropped_in_row > static_cast<std::size_t>(config_->signaling.rate_limit.burst)) {
            close_connection(id, close_code::rate_limited, "rate limit exceeded repeatedly");
        }
        settle();
        return;
    }
    c->dropped_in_row = 0;

    if (auto* f = std::get_if<protocol::ParseFailure>(&parsed)) {
        counters_->error(f->error).inc();
        SB_LOG(debug, "signaling",
               "connection " + std::to_string(id) + ": " +
                   std::string(protocol::wire_name(f->error)) + ": " + f->message);
        reply(*c, f->type.empty()
                      ? protocol::encode_error_event(f->error, f->message, f->id_json)
                      : protocol::encode_failure(f->type, f->id_json, f->error, f->message));
        spend_error_budget(*c);
    } else {
        const auto& req = std::get<Request>(parsed);
        counters_->message(req.type).inc();
        dispatch(*c, req);
    }
    settle();
}

void Hub::dispatch(Connection& c, const Request& req) {
    if (req.type == RequestType::ping) {
        reply(c, protocol::encode_pong(req.id_json, clock_.unix_millis()));
        return;
    }
    if (req.type == RequestType::login) {
        handle_login(c, req);
        return;
    }
    Session* s = c.user_id.empty() ? nullptr : find_session(c.user_id);
    if (s == nullptr) {
        fail(c, protocol::type_name(req.type), req.id_json, Error::not_logged_in, "log in first");
        return;
    }
    switch (req.type) {
        case RequestType::join: handle_join(c, *s, req); break;
        case RequestType::leave: handle_leave(c, *s, req); break;
        case RequestType::signal: handle_signal(c, *s, req); break;
        case RequestType::room_users: handle_room_users(c, *s, req); break;
        case RequestType::ice_servers: handle_ice_servers(c, *s, req); break;
        case RequestType::login:
        case RequestType::ping: break;
    }
}

void Hub::reply(Connection& c, std::string_view text) {
    if (!outbox_.send(c.id, text)) slow_consumers_.push_back(c.id);
}

void Hub::fail(Connection& c, std::string_view type, std::string_view id_json, Error error,
               std::string_view message, std::optional<std::string_view> room_id) {
    counters_->error(error).inc();
    SB_LOG(debug, "signaling",
           "connection " + std::to_string(c.id) + ": " + std::string(type) + ": " +
               std::string(protocol::wire_name(error)) + ": " + std::string(message));
    reply(c, protocol::encode_failure(type, id_json, error, message, room_id));
    if (protocol::counts_against_budget(error)) spend_error_budget(c);
}

void Hub::spend_error_budget(Connection& c) {
    // PROTOCOL.md: the reply to the N-th error is sent, then the socket closes.
    if (++c.errors >= config_->signaling.error_budget) {
        close_connection(c.id, close_code::policy, "error budget spent");
    }
}

void Hub::handle_login(Connection& c, const Request& req) {
    auto login_failed = [&](Error e, std::string_view message) {
        counters_->error(e).inc();
        reply(c, protocol::encode_failure("login", req.id_json, e, message));
        spend_error_budget(c);  // failed logins spend the budget whatever the code
    };
    if (!c.user_id.empty())
        return login_failed(Error::already_logged_in, "this connection is logged in");

    std::string user_id;
    std::optional<std::string> name;
    bool any_room = true;
    std::vector<std::string> rooms;
    std::optional<std::int64_t> token_exp;
    if (config_->auth.mode == shared::AuthMode::none) {
        if (!req.user_id) return login_failed(Error::bad_request, "userId is required");
        if (!shared::valid_identifier(*req.user_id)) {
            return login_failed(Error::bad_request,
                                "userId must be 1 to 128 characters of [A-Za-z0-9._:@-]");
        }
        user_id = *req.user_id;
    } else {
        if (!req.token) return login_failed(Error::bad_request, "token is required");
        auto verified =
            shared::verify_jwt(*req.token, config_->auth.jwt_secret, clock_.unix_seconds());
        if (auto* err = std::get_if<shared::JwtError>(&verified)) {
            return login_failed(Error::unauthorized,
                                "token rejected: " + make_error_code(*err).message());
        }
        auto& claims = std::get<shared::JwtClaims>(verified);
        token_exp = claims.exp;
        user_id = std::move(claims.sub);
        name = std::move(claims.name);
        any_room = claims.any_room;
        rooms = std::move(claims.rooms);
    }

    if (const auto until = banned(user_id, "")) {
        return login_failed(
            Error::unauthorized,
            "banned for " +
                std::to_string(
                    std::chrono::ceil<std::chrono::seconds>(*until - clock_.now()).count()) +
                " more seconds");
    }
    if (Session* old = find_session(user_id); old != nullptr && old->window_over(clock_.now())) {
        end_session(user_id, old->detach_reason);  // expired, even if tick() has not run yet
    }
    if (Session* old = find_session(user_id)) {
        if (req.resume && shared::constant_time_equal(*req.resume, old->resume_token)) {
            // The new token's claims apply from now on: a later `exp`, and
            // rooms it no longer allows are left (as by a kick, so the
            // client hears of it).
            old->name = std::move(name);
            old->any_room = any_room;
            old->allowed_rooms = std::move(rooms);
            old->token_exp = token_exp;
            old->expiry_told = false;
            resume_session(c, *old, req);
            std::vector<std::string> disallowed;
            for (const auto& room : old->rooms)
                if (!old->allows_room(room)) disallowed.push_back(room);
            for (const auto& room : disallowed) kick(user_id, room);
            return;
        }
        // A second login (or a wrong resume token) replaces the old session.
        if (old->conn) {
            const ConnectionId old_conn = *old->conn;
            if (Connection* oc = find_connection(old_conn)) oc->user_id.clear();
            old->conn.reset();
            if (!outbox_.send(old_conn, protocol::encode_error_event(Error::session_replaced,
                                                                     "logged in elsewhere"))) {
                slow_consumers_.push_back(old_conn);
            }
            close_connection(old_conn, close_code::replaced, "session replaced");
        }
        end_session(user_id, "replaced");
    }

    Session& s = start_session(c, user_id, std::move(name), any_room, std::move(rooms));
    s.token_exp = token_exp;
    reply(c, protocol::encode_login_ok(req.id_json, login_result(s, false)));
}

protocol::LoginResult Hub::login_result(const Session& s, bool resumed) const {
    protocol::LoginResult r;
    r.user_id = s.user_id;
    r.session_id = s.session_id;
    r.heartbeat_interval_s = seconds_of(config_->signaling.heartbeat_interval);
    r.heartbeat_timeout_s = seconds_of(config_->signaling.heartbeat_timeout);
    r.resume_token = s.resume_token;
    r.resume_window_s = seconds_of(config_->signaling.resume_window);
    r.resumed = resumed;
    return r;
}

Hub::Session& Hub::start_session(Connection& c, std::string user_id,
                                 std::optional<std::string> name, bool any_room,
                                 std::vector<std::string> rooms) {
    auto s = std::make_unique<Session>();
    s->user_id = user_id;
    s->name = std::move(name);
    s->any_room = any_room;
    s->allowed_rooms = std::move(rooms);
    s->session_id = shared::random_token(12);
    s->resume_token = shared::random_token(24);
    s->conn = c.id;
    c.user_id = user_id;
    c.logged_in = true;
    auto& ref = *s;
    sessions_[std::move(user_id)] = std::move(s);
    counters_->sessions.set(static_cast<std::int64_t>(sessions_.size()));
    return ref;
}

void Hub::resume_session(Connection& c, Session& s, const Request& req) {
    if (s.conn && *s.conn != c.id) {
        // The old socket is still open (the client noticed the drop before we
        // did): it is dead weight now.
        const ConnectionId old_conn = *s.conn;
        if (Connection* oc = find_connection(old_conn)) oc->user_id.clear();
        close_connection(old_conn, close_code::replaced, "session resumed elsewhere");
    }
    s.conn = c.id;
    s.detached = false;
    if (s.bucket) c.bucket = *s.bucket;
    s.resume_token = shared::random_token(24);
    c.user_id = s.user_id;
    c.logged_in = true;
    counters_->resumes.inc();

    reply(c, protocol::encode_login_ok(req.id_json, login_result(s, true)));
    auto buffered = std::move(s.buffer);
    s.buffer.clear();
    s.buffer_bytes = 0;
    for (const auto& text : buffered) reply(c, text);
}

void Hub::handle_join(Connection& c, Session& s, const Request& req) {
    const std::string& room = *req.room_id;  // the parser requires it for join
    if (!s.allows_room(room)) {
        return fail(c, "join", req.id_json, Error::unauthorized,
                    "the token does not allow this room", room);
    }
    if (const auto until = banned(s.user_id, room)) {
        return fail(
            c, "join", req.id_json, Error::unauthorized,
            "banned from this room for " +
                std::to_string(
                    std::chrono::ceil<std::chrono::seconds>(*until - clock_.now()).count()) +
                " more seconds",
            room);
    }
    const bool already = std::find(s.rooms.begin(), s.rooms.end(), room) != s.rooms.end();
    bool created = false;
    if (!already) {
        if (s.rooms.size() >= config_->signaling.max_rooms_per_session) {
            return fail(c, "join", req.id_json, Error::too_many_rooms,
                        "already in max_rooms_per_session rooms", room);
        }
        const auto outcome = rooms_->join(room, s.user_id, config_->signaling.max_room_members);
        if (outcome == JoinOutcome::full) {
            return fail(c, "join", req.id_json, Error::room_full, "the room is full", room);
        }
        created = outcome == JoinOutcome::created;
        s.rooms.push_back(room);
        if (s.rooms.size() == 1 && bridge_) bridge_->set_active(s.user_id);
        counters_->rooms.set(static_cast<std::int64_t>(rooms_->room_count()));
    }
    std::vector<protocol::UserInfo> others;
    for (const auto& member : rooms_->members(room)) {
        if (member == s.user_id) continue;
        if (Session* m = find_session(member)) others.push_back({m->user_id, m->name});
    }
    schedule_ice_push(s, room);
    reply(c, protocol::encode_join_ok(req.id_json, room, created, others,
                                      ice_.make(s.user_id, clock_.unix_seconds())));
    if (already) return;
    const auto event = protocol::encode_user_joined(room, {s.user_id, s.name});
    for (const auto& other : others) {
        if (Session* m = find_session(other.user_id)) deliver(*m, event);
    }
}

std::optional<std::string> Hub::member_room(Connection& c, Session& s, const Request& req) {
    const auto type = protocol::type_name(req.type);
    if (req.room_id) {
        if (std::find(s.rooms.begin(), s.rooms.end(), *req.room_id) == s.rooms.end()) {
            fail(c, type, req.id_json, Error::not_in_room, "not a member of this room",
                 *req.room_id);
            return std::nullopt;
        }
        return *req.room_id;
    }
    if (s.rooms.size() == 1) return s.rooms.front();
    if (s.rooms.empty()) {
        fail(c, type, req.id_json, Error::not_in_room, "not in any room");
    } else {
        fail(c, type, req.id_json, Error::bad_request, "roomId is required when in several rooms");
    }
    return std::nullopt;
}

void Hub::handle_leave(Connection& c, Session& s, const Request& req) {
    auto room = member_room(c, s, req);
    if (!room) return;
    reply(c, protocol::encode_leave_ok(req.id_json, *room));
    leave_room(s, *room, "left");
}

void Hub::handle_signal(Connection& c, Session& s, const Request& req) {
    if (req.to && *req.to == s.user_id) {
        return fail(c, "signal", req.id_json, Error::bad_request, "cannot signal yourself");
    }
    auto room = member_room(c, s, req);
    if (!room) return;
    if (req.to) {
        Session* peer = rooms_->is_member(*room, *req.to) ? find_session(*req.to) : nullptr;
        if (peer == nullptr) {
            return fail(c, "signal", req.id_json, Error::unknown_peer, "no such user in this room",
                        *room);
        }
        deliver(*peer, protocol::encode_signal(*room, s.user_id, req.data_json));
        counters_->signals.inc();
    } else {
        const auto text = protocol::encode_signal(*room, s.user_id, req.data_json);
        for (const auto& member : rooms_->members(*room)) {
            if (member == s.user_id) continue;
            if (Session* m = find_session(member)) {
                deliver(*m, text);
                counters_->signals.inc();
            }
        }
    }
    if (req.ack) reply(c, protocol::encode_signal_ack(req.id_json));
}

void Hub::handle_room_users(Connection& c, Session& s, const Request& req) {
    auto room = member_room(c, s, req);
    if (!room) return;
    std::vector<protocol::UserInfo> users;
    for (const auto& member : rooms_->members(*room)) {
        if (Session* m = find_session(member)) users.push_back({m->user_id, m->name});
    }
    reply(c, protocol::encode_room_users(req.id_json, *room, users));
}

void Hub::handle_ice_servers(Connection& c, Session& s, const Request& req) {
    auto room = member_room(c, s, req);
    if (!room) return;
    schedule_ice_push(s, *room);
    reply(c, protocol::encode_ice_servers_reply(req.id_json, *room,
                                                ice_.make(s.user_id, clock_.unix_seconds())));
}

}  // namespace switchboard::signaling
