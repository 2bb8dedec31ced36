// Hub: join, leave, room-users, ice-servers (request and push)
// (PROTOCOL.md "join", "leave", "room-users", "ice-servers").
#include "shared/turn_credentials.hpp"
#include "tests/unit/signaling/hub_fixture.hpp"

namespace switchboard::signaling::testing {
namespace {

using HubRooms = HubTest;

// Checks an iceServers array against the TURN REST scheme; returns the expiry.
std::int64_t check_ice(const std::string& frame, std::string_view user,
                       std::int64_t expected_expiry) {
    rapidjson::Document doc;
    doc.Parse(frame.data(), frame.size());
    EXPECT_FALSE(doc.HasParseError()) << frame;
    if (doc.HasParseError() || !doc.HasMember("iceServers") || !doc["iceServers"].IsArray() ||
        doc["iceServers"].Size() != 2) {
        ADD_FAILURE() << "no two iceServers in " << frame;
        return 0;
    }
    const auto& stun = doc["iceServers"][0];
    const auto& turn = doc["iceServers"][1];
    EXPECT_EQ(field(frame, "iceServersExpiresAt"), std::to_string(expected_expiry));
    EXPECT_EQ(stun.MemberCount(), 1u);
    EXPECT_STREQ(stun["urls"][0].GetString(), "stun:turn.example.com:3478");
    EXPECT_EQ(turn["urls"].Size(), 2u);
    EXPECT_STREQ(turn["urls"][0].GetString(), "turn:turn.example.com:3478?transport=udp");
    EXPECT_STREQ(turn["urls"][1].GetString(), "turn:turn.example.com:3478?transport=tcp");
    const std::string username = turn["username"].GetString();
    EXPECT_EQ(username, std::to_string(expected_expiry) + ":" + std::string(user));
    EXPECT_EQ(turn["credential"].GetString(), shared::turn_password(kTurnSecret, username));
    return expected_expiry;
}

TEST_F(HubRooms, FirstJoinCreatesTheRoomWithFreshIceServers) {
    const auto alice = login("alice");
    const auto reply = request(alice, R"({"type":"join","id":2,"roomId":"r1"})");
    EXPECT_EQ(type_of(reply), "join");
    EXPECT_EQ(field(reply, "id"), "2");
    EXPECT_EQ(field(reply, "success"), "true");
    EXPECT_EQ(field(reply, "roomId"), "r1");
    EXPECT_EQ(field(reply, "created"), "true");
    EXPECT_EQ(field(reply, "users"), "[]");
    check_ice(reply, "alice", clock_.unix_seconds() + 3600);
    EXPECT_EQ(hub().room_count(), 1u);
}

TEST_F(HubRooms, LaterJoinersSeeTheOthersAndTheOthersSeeThem) {
    const auto alice = login("alice");
    const auto bob = login("bob");
    const auto carol = login("carol");
    join(alice, "r1");
    join(bob, "r1");
    EXPECT_EQ(take(alice),
              std::vector<std::string>{R"({"type":"user-joined","roomId":"r1","userId":"bob"})"});

    const auto reply = join(carol, "r1");
    EXPECT_EQ(field(reply, "created"), "false");
    EXPECT_EQ(field(reply, "users"), R"([{"userId":"alice"},{"userId":"bob"}])");
    const std::string joined = R"({"type":"user-joined","roomId":"r1","userId":"carol"})";
    EXPECT_EQ(take(alice), std::vector<std::string>{joined});
    EXPECT_EQ(take(bob), std::vector<std::string>{joined});
    EXPECT_TRUE(take(carol).empty());
}

TEST_F(HubRooms, RejoiningIsIdempotentAndAnnouncesNothing) {
    const auto alice = login("alice");
    const auto bob = login("bob");
    join(alice, "r1");
    join(bob, "r1");
    take(alice);
    const auto again = join(bob, "r1");
    EXPECT_EQ(field(again, "created"), "false");
    EXPECT_EQ(field(again, "users"), R"([{"userId":"alice"}])");
    EXPECT_NE(field(again, "iceServers"), "<absent>");
    EXPECT_TRUE(take(alice).empty());
}

TEST_F(HubRooms, AFullRoomRefusesWithItsRoomId) {
    config_.signaling.max_room_members = 2;
    const auto a = login("a");
    const auto b = login("b");
    const auto c = login("c");
    join(a, "r1");
    join(b, "r1");
    outbox_.clear_frames();
    const auto reply = request(c, R"({"type":"join","id":2,"roomId":"r1"})");
    EXPECT_EQ(field(reply, "success"), "false");
    EXPECT_EQ(field(reply, "roomId"), "r1");
    EXPECT_EQ(field(reply, "error"), "room-full");
    EXPECT_TRUE(take(a).empty());
    // Members may still re-join a full room.
    join(b, "r1");
}

TEST_F(HubRooms, TooManyRooms) {
    config_.signaling.max_rooms_per_session = 2;
    const auto a = login("a");
    join(a, "r1");
    join(a, "r2");
    const auto reply = request(a, R"({"type":"join","id":1,"roomId":"r3"})");
    EXPECT_EQ(field(reply, "error"), "too-many-rooms");
    EXPECT_EQ(field(reply, "roomId"), "r3");
    join(a, "r2");  // already a member: not a new room
    EXPECT_EQ(hub().room_count(), 2u);
}

TEST_F(HubRooms, LeaveExplicitTellsTheOthers) {
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "r1");
    join(a, "r2");
    join(b, "r1");
    outbox_.clear_frames();
    EXPECT_EQ(request(a, R"({"type":"leave","id":3,"roomId":"r1"})"),
              R"({"type":"leave","id":3,"success":true,"roomId":"r1"})");
    EXPECT_EQ(take(b), std::vector<std::string>{user_left("r1", "alice", "left")});
}

TEST_F(HubRooms, LeaveWithoutRoomIdNeedsExactlyOneRoom) {
    const auto a = login("alice");
    const auto none = request(a, R"({"type":"leave","id":1})");
    EXPECT_EQ(field(none, "error"), "not-in-room");
    EXPECT_EQ(field(none, "id"), "1");

    join(a, "r1");
    join(a, "r2");
    EXPECT_EQ(field(request(a, R"({"type":"leave","id":1})"), "error"), "bad-request");

    EXPECT_EQ(field(request(a, R"({"type":"leave","roomId":"r2"})"), "success"), "true");
    EXPECT_EQ(request(a, R"({"type":"leave"})"),
              R"({"type":"leave","success":true,"roomId":"r1"})");
}

TEST_F(HubRooms, LeavingARoomYouAreNotInIsNotInRoom) {
    const auto a = login("alice");
    const auto b = login("bob");
    join(b, "r1");
    const auto reply = request(a, R"({"type":"leave","id":1,"roomId":"r1"})");
    EXPECT_EQ(field(reply, "error"), "not-in-room");
    EXPECT_EQ(field(reply, "roomId"), "r1");
}

TEST_F(HubRooms, AnEmptyRoomIsDestroyedAtOnce) {
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "r1");
    request(a, R"({"type":"leave"})");
    EXPECT_EQ(hub().room_count(), 0u);
    EXPECT_EQ(field(join(b, "r1"), "created"), "true");
    EXPECT_EQ(field(join(a, "r1"), "created"), "false");
}

TEST_F(HubRooms, RoomUsersListsEveryMemberWithNames) {
    use_jwt();
    const auto a = login_jwt("alice", token("alice", "Alice"));
    const auto b = login_jwt("bob", token("bob"));
    join(a, "r1");
    join(b, "r1");
    EXPECT_EQ(request(a, R"({"type":"room-users","id":6,"roomId":"r1"})"),
              R"({"type":"room-users","id":6,"success":true,"roomId":"r1",)"
              R"("users":[{"userId":"alice","name":"Alice"},{"userId":"bob"}]})");
    EXPECT_EQ(field(request(b, R"({"type":"room-users"})"), "users"),
              R"([{"userId":"alice","name":"Alice"},{"userId":"bob"}])");
}

TEST_F(HubRooms, RoomUsersIsForMembersOnly) {
    const auto a = login("alice");
    const auto b = login("bob");
    join(a, "secret");
    const auto reply = request(b, R"({"type":"room-users","id":1,"roomId":"secret"})");
    EXPECT_EQ(field(reply, "error"), "not-in-room");
    EXPECT_EQ(field(reply, "users"), "<absent>");
}

TEST_F(HubRooms, IceServersRequestGivesFreshCredentials) {
    const auto a = login("alice");
    join(a, "r1");
    clock_.advance(std::chrono::seconds(100));
    const auto reply = request(a, R"({"type":"ice-servers","id":7})");
    EXPECT_EQ(type_of(reply), "ice-servers");
    EXPECT_EQ(field(reply, "id"), "7");
    EXPECT_EQ(field(reply, "success"), "true");
    check_ice(reply, "alice", clock_.unix_seconds() + 3600);

    const auto other = login("bob");
    EXPECT_EQ(field(request(other, R"({"type":"ice-servers","id":7})"), "error"), "not-in-room");
    EXPECT_EQ(field(request(other, R"({"type":"ice-servers","roomId":"r1"})"), "error"),
              "not-in-room");
}

TEST_F(HubRooms, IceServersArePushedAtEightyPercentOfTheTtl) {
    config_.turn.credential_ttl = std::chrono::seconds(100);
    const auto a = login("alice");
    join(a, "r1");
    clock_.advance(std::chrono::milliseconds(79'999));
    hub().tick();
    EXPECT_TRUE(take(a).empty());
    clock_.advance(std::chrono::milliseconds(1));
    hub().tick();
    auto pushes = take(a);
    ASSERT_EQ(pushes.size(), 1u);
    EXPECT_EQ(type_of(pushes[0]), "ice-servers");
    EXPECT_EQ(field(pushes[0], "roomId"), "r1");
    EXPECT_EQ(field(pushes[0], "id"), "<absent>");
    EXPECT_EQ(field(pushes[0], "success"), "<absent>");
    check_ice(pushes[0], "alice", clock_.unix_seconds() + 100);

    // The next push is 80 s after this one, not at every tick.
    hub().tick();
    EXPECT_TRUE(take(a).empty());
    clock_.advance(std::chrono::seconds(80));
    hub().tick();
    EXPECT_EQ(take(a).size(), 1u);
}

TEST_F(HubRooms, AnIceServersRequestPostponesThePush) {
    config_.turn.credential_ttl = std::chrono::seconds(100);
    const auto a = login("alice");
    join(a, "r1");
    clock_.advance(std::chrono::seconds(50));
    request(a, R"({"type":"ice-servers"})");
    clock_.advance(std::chrono::seconds(40));  // 90 s after join, 40 s after the request
    hub().tick();
    EXPECT_TRUE(take(a).empty());
    clock_.advance(std::chrono::seconds(40));
    hub().tick();
    EXPECT_EQ(take_type(a, "ice-servers").size(), 1u);
}

TEST_F(HubRooms, NoPushAfterLeaving) {
    config_.turn.credential_ttl = std::chrono::seconds(100);
    const auto a = login("alice");
    join(a, "r1");
    join(a, "r2");
    request(a, R"({"type":"leave","roomId":"r1"})");
    clock_.advance(std::chrono::seconds(80));
    hub().tick();
    auto pushes = take(a);
    ASSERT_EQ(pushes.size(), 1u);
    EXPECT_EQ(field(pushes[0], "roomId"), "r2");
}

TEST_F(HubRooms, TurnDisabledGivesAnEmptyServerList) {
    config_.turn.enabled = false;
    const auto a = login("alice");
    EXPECT_EQ(field(join(a, "r1"), "iceServers"), "[]");
}

}  // namespace
}  // namespace switchboard::signaling::testing
