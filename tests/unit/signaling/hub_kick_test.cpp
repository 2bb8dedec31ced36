// Hub::kick: the admin removal behind POST /api/kick.
#include "tests/unit/signaling/hub_fixture.hpp"

namespace switchboard::signaling::testing {
namespace {

class HubKick : public HubTest {};

TEST_F(HubKick, KickedUserLeavesWithReasonKickedAndIsToldSo) {
    const auto alice = login("alice");
    const auto bob = login("bob");
    join(alice, "r1");
    join(bob, "r1");
    take(alice);
    take(bob);
    EXPECT_EQ(hub().kick("bob", std::string_view("r1")).rooms, (std::vector<std::string>{"r1"}));
    EXPECT_EQ(take(alice), (std::vector<std::string>{user_left("r1", "bob", "kicked")}));
    EXPECT_EQ(take(bob), (std::vector<std::string>{user_left("r1", "bob", "kicked")}));
    EXPECT_EQ(field(request(bob, R"({"type":"room-users","roomId":"r1"})"), "error"),
              "not-in-room");
    // The session lives on, but in no room its TURN credentials are refused.
    EXPECT_EQ(hub().session_count(), 2u);
    EXPECT_FALSE(hub().user_active("bob"));
}

TEST_F(HubKick, KickFromEveryRoomRevokesRelaysOnce) {
    const auto bob = login("bob");
    join(bob, "r1");
    join(bob, "r2");
    EXPECT_TRUE(bridge_.is_active_now("bob"));
    EXPECT_EQ(hub().kick("bob", std::nullopt).rooms, (std::vector<std::string>{"r1", "r2"}));
    EXPECT_EQ(gone(), (std::vector<std::string>{"bob:kicked"}));
    EXPECT_FALSE(bridge_.is_active_now("bob"));
}

TEST_F(HubKick, KickFromOneOfTwoRoomsKeepsRelays) {
    const auto bob = login("bob");
    join(bob, "r1");
    join(bob, "r2");
    EXPECT_EQ(hub().kick("bob", std::string_view("r2")).rooms, (std::vector<std::string>{"r2"}));
    EXPECT_TRUE(gone().empty());
    EXPECT_TRUE(bridge_.is_active_now("bob"));
}

TEST_F(HubKick, UnknownUserOrRoomRemovesNothing) {
    const auto bob = login("bob");
    join(bob, "r1");
    EXPECT_TRUE(hub().kick("carol", std::nullopt).rooms.empty());
    EXPECT_TRUE(hub().kick("bob", std::string_view("r9")).rooms.empty());
    EXPECT_TRUE(take_type(bob, "user-left").empty());
}

}  // namespace
}  // namespace switchboard::signaling::testing
