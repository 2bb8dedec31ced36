// Revoking a logged-in user (docs/protocol.md "Token expiry", "Admin API"):
// sessions end at token expiry after a grace, kicks can ban, and a resume
// with a narrower rooms claim leaves the rooms it no longer allows.
#include "tests/unit/signaling/hub_fixture.hpp"

namespace switchboard::signaling::testing {
namespace {

class HubRevoke : public HubTest {
protected:
    HubRevoke() {
        use_jwt();
        config_.auth.token_grace = std::chrono::seconds(30);
    }
    void tick_after(std::chrono::seconds d) {
        clock_.advance(d);
        hub().tick();
    }
};

TEST_F(HubRevoke, TheSessionIsToldBeforeItsTokenExpiresAndEndsAfterTheGrace) {
    const auto alice = login_jwt("alice", token("alice", std::nullopt, std::nullopt, 300));
    const auto bob = login_jwt("bob", token("bob"));
    join(alice, "r1");
    join(bob, "r1");
    take(alice);
    take(bob);
    const std::int64_t exp = clock_.unix_seconds() + 300;

    tick_after(std::chrono::seconds(230));  // 70 s before exp: nothing yet
    EXPECT_TRUE(take(alice).empty());
    tick_after(std::chrono::seconds(15));  // 55 s before: told, once
    EXPECT_EQ(take(alice), (std::vector<std::string>{R"({"type":"token-expiring","expiresAt":)" +
                                                     std::to_string(exp) + R"(,"closesAt":)" +
                                                     std::to_string(exp + 30) + "}"}));
    tick_after(std::chrono::seconds(60));  // past exp, inside the grace
    EXPECT_TRUE(take(alice).empty());
    EXPECT_FALSE(outbox_.close_code(alice));
    tick_after(std::chrono::seconds(30));  // exp + 30 s: the session ends
    const auto frames = take(alice);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(field(frames[0], "error"), "unauthorized");
    EXPECT_EQ(outbox_.close_code(alice), close_code::policy);
    EXPECT_EQ(take(bob), (std::vector<std::string>{user_left("r1", "alice", "disconnected")}));
    EXPECT_FALSE(hub().user_active("alice"));
    EXPECT_TRUE(hub().user_active("bob"));
}

TEST_F(HubRevoke, ResumingWithAFreshTokenKeepsTheSessionAndTheRooms) {
    const auto alice = login_jwt("alice", token("alice", std::nullopt, std::nullopt, 120));
    join(alice, "r1");
    tick_after(std::chrono::seconds(90));
    EXPECT_EQ(type_of(take(alice).back()), "token-expiring");
    // The client reconnects with its resume token and a fresh JWT.
    hub().on_close(alice, Disconnect::dropped);
    const auto again = open();
    const auto reply = request(again, R"({"type":"login","token":")" + token("alice") +
                                          R"(","resume":")" + resume_token_["alice"] + R"("})");
    EXPECT_EQ(field(reply, "resumed"), "true") << reply;
    tick_after(std::chrono::seconds(3000));  // far past the first token's exp + grace
    EXPECT_FALSE(outbox_.close_code(again));
    EXPECT_TRUE(hub().user_active("alice"));
}

TEST_F(HubRevoke, AResumeWithANarrowerRoomsClaimLeavesTheRoomsItNoLongerAllows) {
    const auto alice = login_jwt("alice", token("alice"));
    const auto bob = login_jwt("bob", token("bob"));
    join(alice, "r1");
    join(alice, "r2");
    join(bob, "r2");
    take(bob);
    hub().on_close(alice, Disconnect::dropped);
    const auto again = open();
    const auto narrower = token("alice", std::nullopt, std::vector<std::string>{"r1"});
    send(again, R"({"type":"login","token":")" + narrower + R"(","resume":")" +
                    resume_token_["alice"] + R"("})");
    const auto frames = take(again);
    ASSERT_GE(frames.size(), 2u);
    EXPECT_EQ(field(frames[0], "resumed"), "true");
    EXPECT_EQ(frames.back(), user_left("r2", "alice", "kicked"));
    EXPECT_EQ(take(bob), (std::vector<std::string>{user_left("r2", "alice", "kicked")}));
    const auto rejoin = request(again, R"({"type":"join","roomId":"r2"})");
    EXPECT_EQ(field(rejoin, "error"), "unauthorized");
}

TEST_F(HubRevoke, AKickWithABanKeepsTheUserOutOfThatRoomUntilItRunsOut) {
    const auto bob = login_jwt("bob", token("bob"));
    join(bob, "r1");
    join(bob, "r2");
    const auto kicked = hub().kick("bob", std::string_view("r1"), std::chrono::seconds(600));
    EXPECT_EQ(kicked.rooms, std::vector<std::string>{"r1"});
    EXPECT_TRUE(kicked.banned);
    take(bob);
    auto refused = request(bob, R"({"type":"join","roomId":"r1"})");
    EXPECT_EQ(field(refused, "error"), "unauthorized") << refused;
    EXPECT_NE(field(refused, "message").find("banned"), std::string::npos) << refused;
    EXPECT_EQ(field(request(bob, R"({"type":"join","roomId":"r3"})"), "success"), "true");
    tick_after(std::chrono::seconds(601));
    EXPECT_EQ(field(request(bob, R"({"type":"join","roomId":"r1"})"), "success"), "true");
}

TEST_F(HubRevoke, ABanFromEverythingEndsTheSessionAndRefusesLogins) {
    const auto alice = login_jwt("alice", token("alice"));
    const auto bob = login_jwt("bob", token("bob"));
    join(alice, "r1");
    join(bob, "r1");
    take(alice);
    const auto kicked = hub().kick("bob", std::nullopt, std::chrono::seconds(60));
    EXPECT_TRUE(kicked.banned);
    EXPECT_EQ(outbox_.close_code(bob), close_code::policy);
    EXPECT_EQ(take(alice), (std::vector<std::string>{user_left("r1", "bob", "kicked")}));
    EXPECT_EQ(hub().session_count(), 1u);
    const auto again = open();
    auto refused = request(again, R"({"type":"login","token":")" + token("bob") + R"("})");
    EXPECT_EQ(field(refused, "error"), "unauthorized") << refused;
    // A user with no session can be banned ahead of its login.
    EXPECT_TRUE(hub().kick("carol", std::nullopt, std::chrono::seconds(60)).banned);
    const auto carol = open();
    EXPECT_EQ(
        field(request(carol, R"({"type":"login","token":")" + token("carol") + R"("})"), "error"),
        "unauthorized");
    tick_after(std::chrono::seconds(61));
    const auto later = open();
    EXPECT_EQ(
        field(request(later, R"({"type":"login","token":")" + token("bob") + R"("})"), "success"),
        "true");
}

TEST_F(HubRevoke, AKickWithoutABanChangesNothingForLaterJoins) {
    const auto bob = login_jwt("bob", token("bob"));
    join(bob, "r1");
    const auto kicked = hub().kick("bob", std::string_view("r1"));
    EXPECT_FALSE(kicked.banned);
    take(bob);
    EXPECT_EQ(field(request(bob, R"({"type":"join","roomId":"r1"})"), "success"), "true");
}

}  // namespace
}  // namespace switchboard::signaling::testing
