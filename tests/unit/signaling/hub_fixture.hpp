#pragma once
// Shared scaffolding for the hub tests: an Outbox that records what the hub
// sends and closes per connection, a FakeClock, and helpers that speak the
// wire protocol (PROTOCOL.md) so each test reads as a conversation.

#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/jwt.hpp"
#include "shared/metrics.hpp"
#include "signaling/hub.hpp"
#include "signaling/ice_servers.hpp"

namespace switchboard::signaling::testing {

// Records every frame and close per connection, in order. A connection
// marked full refuses frames (send returns false), as a full queue would.
class FakeOutbox final : public Outbox {
public:
    struct Close {
        std::uint16_t code = 0;
        std::string reason;
    };

    bool send(ConnectionId id, std::string_view text) override {
        if (full_.count(id) != 0) {
            ++refused_[id];
            return false;
        }
        history_[id].emplace_back(text);
        frames_[id].emplace_back(text);
        return true;
    }
    void close(ConnectionId id, std::uint16_t code, std::string_view reason) override {
        history_[id].push_back("<close " + std::to_string(code) + ">");
        closes_[id].push_back({code, std::string(reason)});
    }
    void ping(ConnectionId id) override {
        history_[id].push_back("<ping>");
        ++pings_[id];
    }
    std::size_t pings(ConnectionId id) { return pings_[id]; }

    void set_full(ConnectionId id) { full_.insert(id); }

    // Frames sent to `id` since the last take(), oldest first.
    std::vector<std::string> take(ConnectionId id) {
        auto out = std::move(frames_[id]);
        frames_[id].clear();
        return out;
    }
    void clear_frames() { frames_.clear(); }
    // Frames and "<close CODE>" markers, in the order the hub produced them.
    const std::vector<std::string>& history(ConnectionId id) { return history_[id]; }
    const std::vector<Close>& closes(ConnectionId id) { return closes_[id]; }
    std::optional<std::uint16_t> close_code(ConnectionId id) {
        const auto& c = closes_[id];
        if (c.empty()) return std::nullopt;
        return c.front().code;
    }
    std::size_t refused(ConnectionId id) { return refused_[id]; }

private:
    std::set<ConnectionId> full_;
    std::map<ConnectionId, std::vector<std::string>> frames_;
    std::map<ConnectionId, std::vector<std::string>> history_;
    std::map<ConnectionId, std::vector<Close>> closes_;
    std::map<ConnectionId, std::size_t> refused_;
    std::map<ConnectionId, std::size_t> pings_;
};

// A top-level member of a frame: a string's value, any other value's JSON
// text, or "<absent>". "<not json>" when the frame does not parse.
inline std::string field(std::string_view frame, const char* key) {
    rapidjson::Document doc;
    doc.Parse(frame.data(), frame.size());
    if (doc.HasParseError() || !doc.IsObject()) return "<not json>";
    if (!doc.HasMember(key)) return "<absent>";
    const auto& v = doc[key];
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

inline std::string type_of(std::string_view frame) {
    return field(frame, "type");
}

inline constexpr std::string_view kJwtSecret = "0123456789abcdef0123456789abcdef-test";
inline constexpr std::string_view kTurnSecret = "test-secret";

class HubTest : public ::testing::Test {
protected:
    HubTest() {
        config_.public_host = "turn.example.com";
        config_.turn.secrets = {std::string(kTurnSecret)};
        // Generous unless a test is about the limit, so that setup traffic never trips it.
        config_.signaling.rate_limit.messages_per_second = 1000;
        config_.signaling.rate_limit.burst = 1000;
        // Likewise the deadlines (hub_deadlines_test sets its own): tests that
        // move the clock for other reasons must not see connections time out.
        config_.signaling.heartbeat_interval = std::chrono::hours(12);
        config_.signaling.heartbeat_timeout = std::chrono::hours(24);
        config_.signaling.login_timeout = std::chrono::hours(24);
    }

    // Built on first use, so a test may adjust config_ before.
    Hub& hub() {
        if (!hub_) {
            ice_ = std::make_unique<IceServerFactory>(config_);
            hub_ = std::make_unique<Hub>(config_, clock_, outbox_, *ice_, metrics_,
                                         std::make_unique<InMemoryRoomDirectory>(), &bridge_);
            bridge_.add_sink([this](shared::SessionBridge::Batch batch) {
                for (const auto& g : *batch) bridge_log_.push_back(g.user + ":" + g.reason);
            });
        }
        return *hub_;
    }

    void use_jwt() {
        config_.auth.mode = shared::AuthMode::jwt;
        config_.auth.jwt_secret = std::string(kJwtSecret);
    }

    std::string token(std::string_view sub, std::optional<std::string> name = std::nullopt,
                      std::optional<std::vector<std::string>> rooms = std::nullopt,
                      std::int64_t expires_in = 3600) {
        shared::JwtClaims claims;
        claims.sub = std::string(sub);
        claims.exp = clock_.unix_seconds() + expires_in;
        claims.name = std::move(name);
        if (rooms) {
            claims.any_room = false;
            claims.rooms = *rooms;
        }
        return shared::mint_jwt(kJwtSecret, claims);
    }

    ConnectionId open() {
        const ConnectionId id = next_id_++;
        hub().on_open(id);
        return id;
    }

    void send(ConnectionId id, std::string_view frame) { hub().on_text(id, frame); }

    std::vector<std::string> take(ConnectionId id) { return outbox_.take(id); }

    // Sends `frame` and returns the one frame it produced on `id`.
    std::string request(ConnectionId id, std::string_view frame) {
        outbox_.take(id);
        send(id, frame);
        auto frames = outbox_.take(id);
        EXPECT_EQ(frames.size(), 1u) << "after " << frame;
        return frames.empty() ? std::string() : frames.front();
    }

    // Auth mode none: a new connection logged in as `user`.
    ConnectionId login(std::string_view user) {
        return login_with(R"({"type":"login","userId":")" + std::string(user) + R"("})", user);
    }
    ConnectionId login_jwt(std::string_view user, const std::string& jwt) {
        return login_with(R"({"type":"login","token":")" + jwt + R"("})", user);
    }
    ConnectionId login_with(const std::string& frame, std::string_view user) {
        const ConnectionId id = open();
        const auto reply = request(id, frame);
        EXPECT_EQ(field(reply, "success"), "true") << reply;
        resume_token_[std::string(user)] = field(reply, "resumeToken");
        session_id_[std::string(user)] = field(reply, "sessionId");
        return id;
    }

    std::string join(ConnectionId id, std::string_view room) {
        const auto reply =
            request(id, R"({"type":"join","roomId":")" + std::string(room) + R"("})");
        EXPECT_EQ(field(reply, "success"), "true") << reply;
        return reply;
    }

    // Frames of `type` sent to `id` since the last take(); drains the rest too.
    std::vector<std::string> take_type(ConnectionId id, std::string_view type) {
        std::vector<std::string> out;
        for (auto& f : outbox_.take(id)) {
            if (type_of(f) == type) out.push_back(std::move(f));
        }
        return out;
    }

    std::string user_left(std::string_view room, std::string_view user, std::string_view reason) {
        return R"({"type":"user-left","roomId":")" + std::string(room) + R"(","userId":")" +
               std::string(user) + R"(","reason":")" + std::string(reason) + R"("})";
    }

    bool metrics_contain(std::string_view line) {
        return metrics_.render_prometheus().find(std::string(line) + "\n") != std::string::npos;
    }

    shared::Config config_;
    shared::FakeClock clock_;
    FakeOutbox outbox_;
    shared::Metrics metrics_;
    std::unique_ptr<IceServerFactory> ice_;
    // The SessionBridge the hub tells, and the deactivations it handed its
    // workers ("bob:left"), in order. Use gone() to read them: the io loop
    // flushes at the end of each turn, gone() does it here.
    shared::SessionBridge bridge_;
    std::vector<std::string> bridge_log_;
    const std::vector<std::string>& gone() {
        bridge_.flush();
        return bridge_log_;
    }
    std::unique_ptr<Hub> hub_;
    ConnectionId next_id_ = 1;
    std::map<std::string, std::string> resume_token_;
    std::map<std::string, std::string> session_id_;
};

}  // namespace switchboard::signaling::testing
