// The bridge between signaling and TURN (DESIGN.md): with
// turn.require_active_session (the default), REST credentials work only
// while their user has a signaling session, and the relays of a user whose
// session ends (left the last room, replaced by a second login, closed with
// 1000, resume window over) are torn down at once. No standalone TURN
// server can do this.
//
// What the engine answers (turn/request_auth.cpp, turn/authenticator.cpp):
// a genuine REST credential of a user without a session gets 403 "Session
// Ended" (integrity-protected); a request on a torn-down allocation from a
// user who still has a session gets 437 (RFC 8656 section 8.2: no
// allocation for this 5-tuple).

#include <regex>
#include <thread>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"
#include "turn/stun/error_code.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

struct IceCredentials {
    std::string username;
    std::string credential;
    std::vector<std::string> urls;
};

// The TURN entry of a join / ice-servers reply.
std::optional<IceCredentials> turn_entry(const Msg& reply) {
    const auto* ice = reply.get("iceServers");
    if (!ice || !ice->IsArray()) return std::nullopt;
    for (const auto& server : ice->GetArray()) {
        if (!server.IsObject() || !server.HasMember("username") || !server["username"].IsString() ||
            !server.HasMember("credential") || !server["credential"].IsString())
            continue;
        IceCredentials c;
        c.username = server["username"].GetString();
        c.credential = server["credential"].GetString();
        if (server.HasMember("urls") && server["urls"].IsArray()) {
            for (const auto& u : server["urls"].GetArray()) {
                if (u.IsString()) c.urls.emplace_back(u.GetString());
            }
        }
        return c;
    }
    return std::nullopt;
}

// Outcome of polling a Refresh until `done` holds.
struct Poll {
    bool reached = false;
    std::optional<StunResponse> last;
    int attempts = 0;
};

Poll poll_refresh(TurnClient& c, const std::function<bool(const StunResponse&)>& done,
                  std::chrono::milliseconds budget = 3s) {
    Poll p;
    const auto deadline = Steady::now() + budget;
    while (true) {
        ++p.attempts;
        p.last = c.refresh();
        if (p.last && done(*p.last)) {
            p.reached = true;
            return p;
        }
        if (Steady::now() >= deadline) return p;
        std::this_thread::sleep_for(50ms);
    }
}

std::string describe(const Poll& p) {
    return std::to_string(p.attempts) +
           " Refresh(es), last: " + (p.last ? p.last->describe() : "no response");
}

bool is_error(const StunResponse& r, std::uint16_t code) {
    return r.cls == stun::MessageClass::error_response && r.error_code == code;
}

// After a revocation, the old allocation's Refresh gets 437 (allocation
// gone) while the user is active in some room, or 403 "Session Ended" while
// it is in none (TURN credentials are for room members). Either way the
// tests also check the server's live allocation count.
bool torn_down(const StunResponse& r) {
    return is_error(r, stun::kErrorAllocationMismatch) || is_error(r, stun::kErrorForbidden);
}

class TurnBridgeTest : public TurnTest {
protected:
    void SetUp() override {
        TurnServerSpec spec;
        spec.require_active_session = true;
        spec.allow_peers = R"(["127.0.0.1/32"])";
        // A short resume window for the dropped-connection case.
        spec.extra_signaling = "resume: {window: 2s}";
        ASSERT_TRUE(start_turn(spec));
    }

    // Logs `user` in, joins `room`, and returns the TURN credentials of the
    // join reply.
    std::optional<IceCredentials> join_for_credentials(WsClient& ws, const std::string& room) {
        auto reply = join(ws, room);
        if (!reply || !reply->is_success()) {
            ADD_FAILURE() << "join failed: " << (reply ? reply->raw : dump(ws));
            return std::nullopt;
        }
        auto creds = turn_entry(*reply);
        if (!creds) ADD_FAILURE() << "no TURN credentials in the join reply: " << reply->raw;
        return creds;
    }

    // An allocation over UDP with the given credentials; nullptr + failure
    // unless it succeeded.
    std::unique_ptr<TurnClient> allocated(const IceCredentials& creds) {
        std::string error;
        auto c = TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, creds.username,
                                     creds.credential, &error);
        if (!c) {
            ADD_FAILURE() << error;
            return nullptr;
        }
        const auto r = c->allocate();
        if (!r || !r->success()) {
            ADD_FAILURE() << "Allocate with the join reply's credentials failed: "
                          << (r ? r->describe() : "no response");
            return nullptr;
        }
        return c;
    }

    // A user logged in, in `room`, holding a UDP allocation made with the
    // join reply's credentials; nullopt (with a test failure) otherwise.
    struct Member {
        std::unique_ptr<WsClient> ws;
        std::optional<IceCredentials> creds;
        std::unique_ptr<TurnClient> turn;
    };
    std::optional<Member> member_with_allocation(const std::string& user, const std::string& room) {
        Member m;
        m.ws = logged_in(user);
        if (!m.ws) return std::nullopt;
        m.creds = join_for_credentials(*m.ws, room);
        if (!m.creds) return std::nullopt;
        m.turn = allocated(*m.creds);
        if (!m.turn) return std::nullopt;
        return m;
    }

    double live_allocations() {
        const auto m = http_get(server_->port(), "/metrics");
        return metric_value(m.body, "switchboard_turn_allocations").value_or(-1);
    }

    // Polls /metrics until the live allocation gauge is `n` (bounded).
    bool wait_live_allocations(double n, std::chrono::milliseconds budget = 3s) {
        const auto deadline = Steady::now() + budget;
        while (true) {
            if (live_allocations() == n) return true;
            if (Steady::now() >= deadline) return false;
            std::this_thread::sleep_for(50ms);
        }
    }
};

TEST_F(TurnBridgeTest, JoinCredentialsAllocateAndStrangersAreRefused) {
    auto alice = logged_in("alice");
    ASSERT_TRUE(alice);
    const auto creds = join_for_credentials(*alice, "r1");
    ASSERT_TRUE(creds);
    // The credentials name this server's UDP listener and are REST-shaped.
    EXPECT_TRUE(std::regex_match(creds->username, std::regex(R"([0-9]+:alice)")))
        << creds->username;
    EXPECT_EQ(creds->credential, turn_password(kTurnSecret, creds->username));
    bool udp_url = false;
    for (const auto& u : creds->urls) {
        if (u.find(":" + std::to_string(udp_port_) + "?transport=udp") != std::string::npos)
            udp_url = true;
    }
    EXPECT_TRUE(udp_url) << "no turn: URL with the UDP port " << udp_port_;

    std::string error;
    auto c = TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, creds->username,
                                 creds->credential, &error);
    ASSERT_TRUE(c) << error;
    const auto r = c->allocate();
    ASSERT_TRUE(r) << "no Allocate response";
    ASSERT_TRUE(r->success()) << *r;
    ASSERT_TRUE(r->xor_relayed) << *r;
    ASSERT_TRUE(r->lifetime) << "no LIFETIME in the Allocate success response: " << *r;
    EXPECT_EQ(*r->lifetime, 600u) << "RFC 8656 default lifetime";
    ASSERT_TRUE(r->xor_mapped) << *r;
    EXPECT_EQ(*r->xor_mapped, c->socket().local_address());
    EXPECT_TRUE(r->has_integrity);
    EXPECT_TRUE(c->integrity_ok()) << "the Allocate response's MESSAGE-INTEGRITY does not verify";
    EXPECT_EQ(c->realm(), kRealm);
    // The relay works for her.
    UdpPeer peer;
    ASSERT_TRUE(peer.ok());
    ASSERT_TRUE(c->create_permission({peer.local_address()}).value_or(StunResponse{}).success());
    ASSERT_TRUE(c->send_indication(peer.local_address(), to_bytes("hi")));
    const auto got = peer.receive(3s);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->first, to_bytes("hi"));

    // bob holds genuine REST credentials (minted with the secret) but has
    // no signaling session: 403 "Session Ended", integrity-protected.
    const auto bob_creds = rest_credentials("bob");
    auto bob = TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, bob_creds.username,
                                   bob_creds.password, &error);
    ASSERT_TRUE(bob) << error;
    const auto refused = bob->allocate();
    ASSERT_TRUE(refused) << "no response to bob's Allocate";
    EXPECT_EQ(refused->error_code, stun::kErrorForbidden) << *refused;
    EXPECT_EQ(refused->reason, "Session Ended") << *refused;
    EXPECT_TRUE(refused->has_integrity)
        << "a refusal of genuine credentials should be integrity-protected";
    EXPECT_TRUE(bob->integrity_ok());
    // Over TCP too.
    auto bob_tcp = TurnClient::connect(Proto::tcp, "127.0.0.1", tcp_port_, bob_creds.username,
                                       bob_creds.password, &error);
    ASSERT_TRUE(bob_tcp) << error;
    const auto refused_tcp = bob_tcp->allocate();
    ASSERT_TRUE(refused_tcp);
    EXPECT_EQ(refused_tcp->error_code, stun::kErrorForbidden) << *refused_tcp;

    // A wrong password is an authentication failure, not a session one.
    auto mallory = TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, creds->username,
                                       "not-the-password");
    ASSERT_TRUE(mallory);
    const auto wrong = mallory->allocate();
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->error_code, stun::kErrorUnauthenticated) << *wrong;

    // Once bob logs in and joins a room, the same credentials work.
    auto bob_ws = logged_in("bob");
    ASSERT_TRUE(bob_ws);
    ASSERT_TRUE(joined(*bob_ws, "r2"));
    auto bob2 = TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, bob_creds.username,
                                    bob_creds.password);
    ASSERT_TRUE(bob2);
    const auto ok = bob2->allocate();
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->success()) << *ok;
}

TEST_F(TurnBridgeTest, LeavingTheLastRoomTearsDownTheAllocation) {
    auto m = member_with_allocation("alice", "r1");
    ASSERT_TRUE(m);
    auto& [alice, creds, c] = *m;
    const auto before = c->refresh();
    ASSERT_TRUE(before && before->success())
        << "Refresh failed while in the room: " << (before ? before->describe() : "no response");
    ASSERT_TRUE(alice->send_text(R"({"type":"leave","id":50,"roomId":"r1"})"));
    const auto left = reply_to(*alice, 50);
    ASSERT_TRUE(left && left->is_success()) << (left ? left->raw : dump(*alice));

    const auto p = poll_refresh(*c, torn_down);
    EXPECT_TRUE(p.reached) << "allocation still alive 3 s after leaving the last room: "
                           << describe(p);
    EXPECT_TRUE(wait_live_allocations(0)) << live_allocations();
}

// Regression (was a bug): leaving the last room tears the relays down
// (signaling/hub.cpp handle_leave -> revoke), but the credentials stay good
// for a new Allocate at once, because Hub::user_active (signaling/hub.cpp)
// only asks whether a session exists. A client that re-allocates keeps a
// relay outside any room for as long as it stays logged in.
TEST_F(TurnBridgeTest, AllocateAfterLeavingTheLastRoomIsRefused) {
    auto m = member_with_allocation("alice", "r1");
    ASSERT_TRUE(m);
    auto& [alice, creds, c] = *m;
    ASSERT_TRUE(alice->send_text(R"({"type":"leave","id":53,"roomId":"r1"})"));
    ASSERT_TRUE(reply_to(*alice, 53));
    ASSERT_TRUE(wait_live_allocations(0)) << live_allocations();
    auto again =
        TurnClient::connect(Proto::udp, "127.0.0.1", udp_port_, creds->username, creds->credential);
    ASSERT_TRUE(again);
    const auto r = again->allocate();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, stun::kErrorForbidden)
        << "a user in no room got a fresh relay right after hers were revoked: " << *r;
}

TEST_F(TurnBridgeTest, LeavingOneOfTwoRoomsKeepsTheAllocation) {
    auto m = member_with_allocation("alice", "r1");
    ASSERT_TRUE(m);
    auto& [alice, creds, c] = *m;
    ASSERT_TRUE(joined(*alice, "r2"));
    ASSERT_TRUE(alice->send_text(R"({"type":"leave","id":51,"roomId":"r1"})"));
    const auto left = reply_to(*alice, 51);
    ASSERT_TRUE(left && left->is_success()) << (left ? left->raw : dump(*alice));
    // A revocation would be posted to the TURN workers at once; give it
    // ample time to have landed, then check the allocation is still there.
    std::this_thread::sleep_for(500ms);
    for (int i = 0; i < 3; ++i) {
        const auto r = c->refresh();
        ASSERT_TRUE(r) << "no Refresh response";
        EXPECT_TRUE(r->success()) << "allocation lost after leaving one of two rooms: " << *r;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(live_allocations(), 1);

    // Control: leaving the second (last) room does tear it down.
    ASSERT_TRUE(alice->send_text(R"({"type":"leave","id":52,"roomId":"r2"})"));
    ASSERT_TRUE(reply_to(*alice, 52));
    const auto p = poll_refresh(*c, torn_down);
    EXPECT_TRUE(p.reached) << describe(p);
    EXPECT_TRUE(wait_live_allocations(0)) << live_allocations();
}

TEST_F(TurnBridgeTest, ReplacedSessionTearsDownTheAllocation) {
    auto m = member_with_allocation("alice", "r1");
    ASSERT_TRUE(m);
    auto& [alice, creds, c] = *m;

    auto alice2 = logged_in("alice");  // replaces the first session
    ASSERT_TRUE(alice2);
    const auto replaced = next_of_type(*alice, "error");
    ASSERT_TRUE(replaced) << dump(*alice);
    EXPECT_EQ(replaced->str("error"), "session-replaced") << *replaced;

    // The new session is in no room yet: the old allocation's Refresh is
    // refused (403) or finds nothing (437).
    const auto p = poll_refresh(*c, torn_down);
    EXPECT_TRUE(p.reached) << "allocation of the replaced session still alive after 3 s: "
                           << describe(p);
    EXPECT_TRUE(wait_live_allocations(0)) << live_allocations();

    // The new session gets its own, which lives.
    const auto fresh = join_for_credentials(*alice2, "r1");
    ASSERT_TRUE(fresh);
    auto c2 = allocated(*fresh);
    ASSERT_TRUE(c2);
    const auto r = c2->refresh();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->success()) << *r;
}

TEST_F(TurnBridgeTest, NormalCloseTearsDownTheAllocation) {
    auto m = member_with_allocation("alice", "r1");
    ASSERT_TRUE(m);
    auto& [alice, creds, c] = *m;
    ASSERT_EQ(live_allocations(), 1);

    ASSERT_TRUE(alice->close(1000)) << alice->last_error();
    // Her session is over (close 1000: no resume window), so her
    // credentials are refused outright: 403 Session Ended ...
    const auto p =
        poll_refresh(*c, [](const StunResponse& r) { return is_error(r, stun::kErrorForbidden); });
    ASSERT_TRUE(p.reached) << "credentials still accepted 3 s after a close with 1000: "
                           << describe(p);
    EXPECT_EQ(p.last->reason, "Session Ended") << *p.last;
    // ... and the allocation itself is gone, not just unreachable:
    EXPECT_TRUE(wait_live_allocations(0)) << live_allocations();
    // Logged in again and in a room, the old allocation's Refresh passes
    // authentication and finds nothing: 437.
    auto again = logged_in("alice");
    ASSERT_TRUE(again);
    ASSERT_TRUE(joined(*again, "r1"));
    const auto gone = poll_refresh(
        *c, [](const StunResponse& r) { return is_error(r, stun::kErrorAllocationMismatch); });
    EXPECT_TRUE(gone.reached) << describe(gone);
}

TEST_F(TurnBridgeTest, DroppedConnectionKeepsTheAllocationForTheResumeWindowOnly) {
    auto m = member_with_allocation("alice", "r1");
    ASSERT_TRUE(m);
    auto& [alice, creds, c] = *m;
    const auto dropped_at = Steady::now();
    alice->drop();  // no close frame: the session waits out its 2 s resume window
    std::this_thread::sleep_for(300ms);
    const auto during = c->refresh();
    ASSERT_TRUE(during);
    if (Steady::now() - dropped_at < 1500ms) {
        EXPECT_TRUE(during->success()) << "relay refused inside the resume window: " << *during;
    }
    // After the window (2 s; the hub ticks every 250 ms): gone.
    const auto p = poll_refresh(
        *c, [](const StunResponse& r) { return is_error(r, stun::kErrorForbidden); }, 5s);
    EXPECT_TRUE(p.reached) << describe(p);
    EXPECT_GE(Steady::now() - dropped_at, 1500ms) << "refused before the resume window was over";
    EXPECT_TRUE(wait_live_allocations(0)) << live_allocations();
}

}  // namespace
}  // namespace sbtest::turnit
