// Hub: how sessions and connections end, resume windows, pushes, delivery.
#include <algorithm>

#include "shared/log.hpp"
#include "signaling/hub_state.hpp"
#include "signaling/protocol/encoder.hpp"

namespace switchboard::signaling {

void Hub::on_close(ConnectionId id, Disconnect how) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;  // closed by the hub itself
    const std::string user_id = std::move(it->second->user_id);
    const shared::TokenBucket bucket = it->second->bucket;
    connections_.erase(it);
    Session* s = user_id.empty() ? nullptr : find_session(user_id);
    if (s != nullptr && s->conn == id) {
        s->conn.reset();
        s->bucket = bucket;
        const std::string_view reason =
            how == Disconnect::heartbeat_timeout ? "timeout" : "disconnected";
        if (how == Disconnect::normal) {
            end_session(user_id, "left");
        } else if (how != Disconnect::failed && config_->signaling.resume_window.count() > 0) {
            s->detached = true;
            s->detached_until = clock_.now() + config_->signaling.resume_window;
            s->detach_reason = std::string(reason);
        } else {
            end_session(user_id, reason);
        }
    }
    settle();
}

void Hub::tick() {
    const auto now = clock_.now();
    const auto& sig = config_->signaling;
    std::vector<ConnectionId> silent, no_login;
    for (auto& [id, c] : connections_) {
        if (now - c->last_rx >= sig.heartbeat_timeout) {
            silent.push_back(id);
        } else if (!c->logged_in && now - c->opened >= sig.login_timeout) {
            no_login.push_back(id);
        } else if (now >= c->next_ping) {
            // The first tick only schedules: a ping goes out an interval after the open.
            if (c->next_ping != TimePoint{}) outbox_.ping(id);
            c->next_ping = now + sig.heartbeat_interval;
        }
    }
    for (const auto id : silent) time_out(id);
    for (const auto id : no_login) {
        counters_->login_timeouts.inc();
        close_connection(id, close_code::policy, "login timeout");
    }

    std::vector<std::pair<std::string, std::string>> expired;
    std::vector<std::string> token_expired;
    const std::int64_t now_unix = clock_.unix_seconds();
    const std::int64_t grace =
        std::chrono::ceil<std::chrono::seconds>(config_->auth.token_grace).count();
    for (auto& [user_id, s] : sessions_) {
        if (s->window_over(now)) {
            expired.emplace_back(user_id, s->detach_reason);
            continue;
        }
        if (s->token_exp) {
            if (now_unix >= *s->token_exp + grace) {
                token_expired.push_back(user_id);
                continue;
            }
            if (!s->expiry_told && now_unix >= *s->token_exp - kTokenExpiryNotice.count()) {
                s->expiry_told = true;
                deliver(*s, protocol::encode_token_expiring(*s->token_exp, *s->token_exp + grace));
            }
        }
        for (auto& [room, due] : s->ice_push_at) {
            if (now < due) continue;
            due = now + config_->turn.credential_ttl * 4 / 5;
            deliver(*s, protocol::encode_ice_servers_push(
                            room, ice_.make(user_id, clock_.unix_seconds())));
        }
    }
    for (const auto& [user_id, reason] : expired) end_session(user_id, reason);
    for (const auto& user_id : token_expired) revoke(user_id, "token expired", "disconnected");
    for (auto it = bans_.begin(); it != bans_.end();) {
        std::erase_if(it->second, [&](const auto& b) { return now >= b.second; });
        it = it->second.empty() ? bans_.erase(it) : std::next(it);
    }
    settle();
}

void Hub::time_out(ConnectionId id) {
    counters_->heartbeat_timeouts.inc();
    SB_LOG(debug, "signaling", "connection " + std::to_string(id) + ": heartbeat timeout");
    // The session waits out its resume window, as for any dropped socket.
    on_close(id, Disconnect::heartbeat_timeout);
    outbox_.close(id, close_code::heartbeat_timeout, "heartbeat timeout");
}

void Hub::shutdown(std::string_view reason, std::int64_t reconnect_after_ms) {
    const auto goaway = protocol::encode_goaway(reason, reconnect_after_ms);
    std::vector<ConnectionId> ids;
    for (const auto& [id, c] : connections_) ids.push_back(id);
    for (const auto id : ids) {
        outbox_.send(id, goaway);
        outbox_.close(id, close_code::going_away, "server shutting down");
        // The client is told to come back: its session waits out the resume
        // window (or ends now if there is none), as for any dropped socket.
        on_close(id, Disconnect::dropped);
    }
}

Hub::Kicked Hub::kick(std::string_view user_id, std::optional<std::string_view> room_id,
                      std::chrono::seconds ban) {
    Kicked kicked;
    if (ban.count() > 0) {
        auto it = bans_.find(std::string(user_id));
        if (it != bans_.end() || bans_.size() < kMaxBans) {
            auto& list = bans_[std::string(user_id)];
            const std::string room(room_id.value_or(""));
            std::erase_if(list, [&](const auto& b) { return b.first == room; });
            list.emplace_back(room, clock_.now() + ban);
            kicked.banned = true;
        }
    }
    Session* s = find_session(user_id);
    if (s == nullptr) return kicked;
    const auto rooms = s->rooms;  // copy: leave_room edits the list
    for (const auto& room : rooms) {
        if (room_id && room != *room_id) continue;
        deliver(*s, protocol::encode_user_left(room, s->user_id, "kicked"));
        leave_room(*s, room, "kicked");
        kicked.rooms.push_back(room);
    }
    // Banned from everything: the session ends now, not at its next login.
    if (kicked.banned && !room_id) revoke(std::string(user_id), "banned", "kicked");
    settle();
    return kicked;
}

std::optional<Hub::TimePoint> Hub::banned(std::string_view user_id, std::string_view room_id) {
    const auto it = bans_.find(std::string(user_id));
    if (it == bans_.end()) return std::nullopt;
    const auto now = clock_.now();
    for (const auto& [room, until] : it->second) {
        if (now < until && (room.empty() || room == room_id)) return until;
    }
    return std::nullopt;
}

void Hub::revoke(const std::string& user_id, std::string_view message, std::string_view reason) {
    Session* s = find_session(user_id);
    if (s == nullptr) return;
    const auto conn = s->conn;
    if (conn &&
        !outbox_.send(*conn, protocol::encode_error_event(protocol::Error::unauthorized, message)))
        slow_consumers_.push_back(*conn);
    end_session(user_id, reason);
    if (conn) close_connection(*conn, close_code::policy, message);
}

void Hub::schedule_ice_push(Session& s, const std::string& room_id) {
    const auto due = clock_.now() + config_->turn.credential_ttl * 4 / 5;
    for (auto& [room, at] : s.ice_push_at) {
        if (room == room_id) {
            at = due;
            return;
        }
    }
    s.ice_push_at.emplace_back(room_id, due);
}

void Hub::deliver(Session& s, std::string_view text) {
    if (s.conn) {
        if (!outbox_.send(*s.conn, text)) slow_consumers_.push_back(*s.conn);
        return;
    }
    const auto& sig = config_->signaling;
    if (s.buffer.size() >= sig.resume_buffer ||
        s.buffer_bytes + text.size() > sig.resume_buffer_bytes) {
        // Ending the session here would change the room we may be iterating.
        overflowed_sessions_.push_back(s.user_id);
        return;
    }
    s.buffer.emplace_back(text);
    s.buffer_bytes += text.size();
}

void Hub::leave_room(Session& s, const std::string& room_id, std::string_view reason) {
    rooms_->leave(room_id, s.user_id);
    s.rooms.erase(std::remove(s.rooms.begin(), s.rooms.end(), room_id), s.rooms.end());
    if (s.rooms.empty() && bridge_) bridge_->set_inactive(s.user_id, reason);
    std::erase_if(s.ice_push_at, [&](const auto& p) { return p.first == room_id; });
    const auto event = protocol::encode_user_left(room_id, s.user_id, reason);
    for (const auto& member : rooms_->members(room_id)) {
        if (Session* m = find_session(member)) deliver(*m, event);
    }
    counters_->rooms.set(static_cast<std::int64_t>(rooms_->room_count()));
}

void Hub::end_session(const std::string& user_id, std::string_view reason) {
    auto it = sessions_.find(user_id);
    if (it == sessions_.end()) return;
    auto session = std::move(it->second);
    sessions_.erase(it);
    // Copy: leave_room edits the list.
    const auto rooms = session->rooms;
    for (const auto& room : rooms) leave_room(*session, room, reason);
    if (session->conn) {
        if (Connection* c = find_connection(*session->conn)) c->user_id.clear();
    }
    counters_->sessions.set(static_cast<std::int64_t>(sessions_.size()));
    SB_LOG(debug, "signaling", "session of " + user_id + " ended: " + std::string(reason));
}

void Hub::close_connection(ConnectionId id, std::uint16_t code, std::string_view reason) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    const std::string user_id = std::move(it->second->user_id);
    connections_.erase(it);
    outbox_.close(id, code, reason);
    // A connection the server closes for cause does not get a resume window.
    Session* s = user_id.empty() ? nullptr : find_session(user_id);
    if (s != nullptr && s->conn == id) {
        s->conn.reset();
        end_session(user_id, "disconnected");
    }
}

void Hub::settle() {
    while (!slow_consumers_.empty() || !overflowed_sessions_.empty()) {
        auto slow = std::move(slow_consumers_);
        slow_consumers_.clear();
        for (const auto id : slow) {
            if (find_connection(id) == nullptr) continue;
            counters_->slow_consumers.inc();
            SB_LOG(debug, "signaling",
                   "connection " + std::to_string(id) + ": send queue full, closing");
            close_connection(id, close_code::policy, "send queue full");
        }
        auto overflowed = std::move(overflowed_sessions_);
        overflowed_sessions_.clear();
        for (const auto& user_id : overflowed) {
            Session* s = find_session(user_id);
            if (s == nullptr || !s->detached) continue;
            counters_->resume_overflows.inc();
            end_session(user_id, s->detach_reason);
        }
    }
    counters_->connections.set(static_cast<std::int64_t>(connections_.size()));
}

}  // namespace switchboard::signaling
