// join / leave / room-users and presence events (PROTOCOL.md "join",
// "leave", "room-users"); TURN credentials are in ice_servers_test.cpp.

#include <map>

#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

constexpr const char* kJwtSecret = "rooms-jwt-secret-0123456789abcdef0123";

// userId -> name ("" when absent) of a "users" array; fails on bad entries.
::testing::AssertionResult users_of(const Msg& m, std::map<std::string, std::string>& out) {
    out.clear();
    const auto* users = m.get("users");
    if (!users || !users->IsArray())
        return ::testing::AssertionFailure() << "no users array: " << m.raw;
    for (const auto& u : users->GetArray()) {
        if (!u.IsObject() || !u.HasMember("userId") || !u["userId"].IsString())
            return ::testing::AssertionFailure() << "bad users entry: " << m.raw;
        std::string name;
        if (u.HasMember("name")) {
            if (!u["name"].IsString())
                return ::testing::AssertionFailure() << "name not a string: " << m.raw;
            name = u["name"].GetString();
        }
        out[u["userId"].GetString()] = name;
    }
    return ::testing::AssertionSuccess();
}

std::map<std::string, std::string> users(const Msg& m) {
    std::map<std::string, std::string> out;
    EXPECT_TRUE(users_of(m, out));
    return out;
}

::testing::AssertionResult is_event(const std::optional<Msg>& m, const std::string& type,
                                    const std::string& room, const std::string& user) {
    if (!m) return ::testing::AssertionFailure() << "no " << type << " event";
    if (m->type() != type || m->str("roomId") != room || m->str("userId") != user)
        return ::testing::AssertionFailure()
               << "expected " << type << " " << room << "/" << user << ": " << m->raw;
    if (m->has("id") || m->has("success"))
        return ::testing::AssertionFailure() << "pushed events carry no id/success: " << m->raw;
    return ::testing::AssertionSuccess();
}

class RoomsTransportTest : public TransportTest {};

TEST_P(RoomsTransportTest, JoinCreatesRoomListsMembersAndAnnounces) {
    ASSERT_TRUE(start(base_config()));
    auto alice = logged_in("alice");
    auto bob = logged_in("bob");
    ASSERT_TRUE(alice && bob);

    auto a = join(*alice, "r1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->type(), "join") << *a;
    EXPECT_TRUE(a->is_success()) << *a;
    EXPECT_EQ(a->str("roomId"), "r1") << *a;
    EXPECT_EQ(a->boolean("created"), true) << *a;
    EXPECT_TRUE(users(*a).empty()) << *a;
    EXPECT_TRUE(a->get("iceServers") && a->get("iceServers")->IsArray()) << *a;

    auto b = join(*bob, "r1");
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->is_success()) << *b;
    EXPECT_EQ(b->boolean("created"), false) << *b;
    auto listed = users(*b);
    ASSERT_EQ(listed.size(), 1u) << *b;
    EXPECT_EQ(listed.count("alice"), 1u) << *b;
    // Mode none: no display name.
    const auto& entry = (*b->get("users"))[0];
    EXPECT_FALSE(entry.HasMember("name")) << *b;

    EXPECT_TRUE(is_event(next_msg(*alice), "user-joined", "r1", "bob"));
    // The joiner does not hear about itself.
    EXPECT_TRUE(no_message_of_type(*bob, "user-joined"));
}

INSTANTIATE_TEST_SUITE_P(Transports, RoomsTransportTest, ::testing::Values(false, true),
                         transport_name);

class RoomsTest : public ServerTest {};

TEST_F(RoomsTest, ThirdJoinerSeesBothAndBothSeeIt) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto alice = logged_in("alice");
    auto bob = logged_in("bob");
    auto carol = logged_in("carol");
    ASSERT_TRUE(alice && bob && carol);
    ASSERT_TRUE(joined(*alice, "room.A"));
    ASSERT_TRUE(joined(*bob, "room.A"));
    auto c = join(*carol, "room.A");
    ASSERT_TRUE(c);
    auto listed = users(*c);
    EXPECT_EQ(listed.size(), 2u) << *c;
    EXPECT_EQ(listed.count("alice") + listed.count("bob"), 2u) << *c;
    EXPECT_TRUE(is_event(next_of_type(*alice, "user-joined"), "user-joined", "room.A", "bob"));
    EXPECT_TRUE(is_event(next_of_type(*alice, "user-joined"), "user-joined", "room.A", "carol"));
    EXPECT_TRUE(is_event(next_of_type(*bob, "user-joined"), "user-joined", "room.A", "carol"));
}

TEST_F(RoomsTest, RejoinIsIdempotent) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto alice = logged_in("alice");
    auto bob = logged_in("bob");
    ASSERT_TRUE(alice && bob);
    ASSERT_TRUE(joined(*alice, "r1"));
    ASSERT_TRUE(joined(*bob, "r1"));
    EXPECT_TRUE(is_event(next_msg(*alice), "user-joined", "r1", "bob"));

    auto again = join(*bob, "r1");
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->is_success()) << *again;
    EXPECT_EQ(again->str("roomId"), "r1") << *again;
    EXPECT_EQ(again->boolean("created"), false) << *again;
    auto listed = users(*again);
    EXPECT_EQ(listed.size(), 1u) << "still without the joiner: " << *again;
    EXPECT_EQ(listed.count("alice"), 1u) << *again;
    EXPECT_TRUE(again->get("iceServers") && again->get("iceServers")->IsArray()) << *again;
    EXPECT_TRUE(no_message_of_type(*alice, "user-joined"));

    // The creator re-joining does not become "created" again either.
    auto a2 = join(*alice, "r1");
    ASSERT_TRUE(a2);
    EXPECT_EQ(a2->boolean("created"), false) << *a2;
    EXPECT_TRUE(no_message_of_type(*bob, "user-joined"));
}

TEST_F(RoomsTest, RoomFull) {
    ServerConfig cfg;
    cfg.set("max_room_members", "2");
    ASSERT_TRUE(start(cfg));
    auto a = logged_in("a");
    auto b = logged_in("b");
    auto c = logged_in("c");
    ASSERT_TRUE(a && b && c);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    ASSERT_TRUE(c->send_text(R"({"type":"join","id":2,"roomId":"r1"})"));
    auto m = reply_to(*c, 2);
    EXPECT_TRUE(is_error_reply(m, "join", "room-full", 2));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->str("roomId"), "r1") << *m;
    // Nobody heard about c.
    auto seen = sync(*a);
    ASSERT_TRUE(seen);
    for (const auto& e : *seen) EXPECT_NE(e.str("userId"), "c") << e;
    // Already-member re-join still succeeds in a full room.
    EXPECT_TRUE(joined(*b, "r1"));
    // A slot frees when someone leaves.
    ASSERT_TRUE(b->send_text(R"({"type":"leave","id":3,"roomId":"r1"})"));
    auto left = reply_to(*b, 3);
    ASSERT_TRUE(left && left->is_success());
    EXPECT_TRUE(joined(*c, "r1"));
}

TEST_F(RoomsTest, TooManyRooms) {
    ServerConfig cfg;
    cfg.set("max_rooms_per_session", "1");
    ASSERT_TRUE(start(cfg));
    auto a = logged_in("alice");
    ASSERT_TRUE(a);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(a->send_text(R"({"type":"join","id":5,"roomId":"r2"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 5), "join", "too-many-rooms", 5));
    // Re-joining the room it is in is not a new room.
    EXPECT_TRUE(joined(*a, "r1"));
    // After leaving, another room is fine.
    ASSERT_TRUE(a->send_text(R"({"type":"leave","id":6,"roomId":"r1"})"));
    auto m = reply_to(*a, 6);
    ASSERT_TRUE(m && m->is_success());
    EXPECT_TRUE(joined(*a, "r2"));
}

TEST_F(RoomsTest, RoomIdSyntaxIsEnforced) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    ASSERT_TRUE(a);
    const std::string too_long(129, 'r');
    std::int64_t id = 10;
    for (const std::string& room :
         {std::string(""), std::string("a room"), std::string("r/1"), too_long}) {
        ASSERT_TRUE(a->send_text(R"({"type":"join","id":)" + std::to_string(id) + R"(,"roomId":")" +
                                 room + "\"}"));
        EXPECT_TRUE(is_error_reply(reply_to(*a, id), "join", "bad-request", id))
            << "roomId '" << room << "'";
        ++id;
    }
    ASSERT_TRUE(a->send_text(R"({"type":"join","id":20})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 20), "join", "bad-request", 20));
    ASSERT_TRUE(a->send_text(R"({"type":"join","id":21,"roomId":7})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 21), "join", "bad-request", 21));
    EXPECT_TRUE(joined(*a, std::string(128, 'r')));
}

TEST_F(RoomsTest, JwtRoomsClaimRestrictsRooms) {
    ServerConfig cfg;
    cfg.jwt(kJwtSecret);
    ASSERT_TRUE(start(cfg));
    auto only_r1 = logged_in_jwt(make_jwt(kJwtSecret, "alice", 3600, R"("rooms":["r1","r3"])"));
    ASSERT_TRUE(only_r1);
    EXPECT_TRUE(joined(*only_r1, "r1"));
    ASSERT_TRUE(only_r1->send_text(R"({"type":"join","id":2,"roomId":"r2"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*only_r1, 2), "join", "unauthorized", 2));

    auto none = logged_in_jwt(make_jwt(kJwtSecret, "bob", 3600, R"("rooms":[])"));
    ASSERT_TRUE(none);
    ASSERT_TRUE(none->send_text(R"({"type":"join","id":3,"roomId":"r1"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*none, 3), "join", "unauthorized", 3));

    auto star = logged_in_jwt(make_jwt(kJwtSecret, "carol", 3600, R"("rooms":"*")"));
    ASSERT_TRUE(star);
    EXPECT_TRUE(joined(*star, "anything"));
    auto star_in_list = logged_in_jwt(make_jwt(kJwtSecret, "dave", 3600, R"("rooms":["x","*"])"));
    ASSERT_TRUE(star_in_list);
    EXPECT_TRUE(joined(*star_in_list, "anything"));
    auto absent = logged_in_jwt(make_jwt(kJwtSecret, "erin"));
    ASSERT_TRUE(absent);
    EXPECT_TRUE(joined(*absent, "whatever"));
}

TEST_F(RoomsTest, JwtNameIsPassedThroughInPresence) {
    ServerConfig cfg;
    cfg.jwt(kJwtSecret);
    ASSERT_TRUE(start(cfg));
    auto alice = logged_in_jwt(make_jwt(kJwtSecret, "alice", 3600, R"("name":"Alice A.")"));
    auto bob = logged_in_jwt(make_jwt(kJwtSecret, "bob", 3600, R"("name":"Bob")"));
    auto carol = logged_in_jwt(make_jwt(kJwtSecret, "carol"));
    ASSERT_TRUE(alice && bob && carol);
    ASSERT_TRUE(joined(*alice, "r1"));
    auto b = join(*bob, "r1");
    ASSERT_TRUE(b && b->is_success());
    auto listed = users(*b);
    EXPECT_EQ(listed["alice"], "Alice A.") << *b;
    auto ev = next_of_type(*alice, "user-joined");
    ASSERT_TRUE(is_event(ev, "user-joined", "r1", "bob"));
    EXPECT_EQ(ev->str("name"), "Bob") << *ev;

    auto c = join(*carol, "r1");
    ASSERT_TRUE(c && c->is_success());
    listed = users(*c);
    EXPECT_EQ(listed["alice"], "Alice A.") << *c;
    EXPECT_EQ(listed["bob"], "Bob") << *c;
    ev = next_of_type(*alice, "user-joined");
    ASSERT_TRUE(is_event(ev, "user-joined", "r1", "carol"));
    EXPECT_FALSE(ev->has("name")) << "no name claim, no name: " << *ev;
}

TEST_F(RoomsTest, LeaveRepliesAndAnnounces) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto alice = logged_in("alice");
    auto bob = logged_in("bob");
    ASSERT_TRUE(alice && bob);
    ASSERT_TRUE(joined(*alice, "r1"));
    ASSERT_TRUE(joined(*bob, "r1"));
    ASSERT_TRUE(bob->send_text(R"({"type":"leave","id":3,"roomId":"r1"})"));
    auto m = reply_to(*bob, 3);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), "leave") << *m;
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->str("roomId"), "r1") << *m;
    auto ev = next_of_type(*alice, "user-left");
    ASSERT_TRUE(is_event(ev, "user-left", "r1", "bob"));
    EXPECT_EQ(ev->str("reason"), "left") << *ev;
    // bob is gone from the member list.
    ASSERT_TRUE(alice->send_text(R"({"type":"room-users","id":4,"roomId":"r1"})"));
    auto ru = reply_to(*alice, 4);
    ASSERT_TRUE(ru && ru->is_success());
    auto listed = users(*ru);
    EXPECT_EQ(listed.count("bob"), 0u) << *ru;
    // Leaving again: not in the room.
    ASSERT_TRUE(bob->send_text(R"({"type":"leave","id":5,"roomId":"r1"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*bob, 5), "leave", "not-in-room", 5));
}

TEST_F(RoomsTest, LeaveRoomIdOptionalOnlyInExactlyOneRoom) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    ASSERT_TRUE(a);
    ASSERT_TRUE(a->send_text(R"({"type":"leave","id":1})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 1), "leave", "not-in-room", 1));
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*a, "r2"));
    ASSERT_TRUE(a->send_text(R"({"type":"leave","id":2})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 2), "leave", "bad-request", 2));
    ASSERT_TRUE(a->send_text(R"({"type":"leave","id":3,"roomId":"r2"})"));
    auto m = reply_to(*a, 3);
    ASSERT_TRUE(m && m->is_success()) << (m ? m->raw : "");
    ASSERT_TRUE(a->send_text(R"({"type":"leave","id":4})"));
    m = reply_to(*a, 4);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->str("roomId"), "r1") << *m;
    ASSERT_TRUE(a->send_text(R"({"type":"leave","id":5,"roomId":"never"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 5), "leave", "not-in-room", 5));
}

TEST_F(RoomsTest, EmptyRoomIsDestroyed) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    auto b = logged_in("bob");
    ASSERT_TRUE(a && b);
    auto m = join(*a, "r1");
    ASSERT_TRUE(m && m->boolean("created") == true);
    ASSERT_TRUE(a->send_text(R"({"type":"leave","id":1,"roomId":"r1"})"));
    ASSERT_TRUE(reply_to(*a, 1));
    m = join(*b, "r1");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->boolean("created"), true) << *m;
    EXPECT_TRUE(users(*m).empty()) << *m;
}

TEST_F(RoomsTest, RoomUsersIsForMembersOnly) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    auto b = logged_in("bob");
    auto eve = logged_in("eve");
    ASSERT_TRUE(a && b && eve);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    ASSERT_TRUE(a->send_text(R"({"type":"room-users","id":6,"roomId":"r1"})"));
    auto m = reply_to(*a, 6);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type(), "room-users") << *m;
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(m->str("roomId"), "r1") << *m;
    auto listed = users(*m);
    EXPECT_EQ(listed.size(), 2u) << *m;
    EXPECT_EQ(listed.count("alice"), 1u) << *m;
    EXPECT_EQ(listed.count("bob"), 1u) << *m;
    // roomId optional in exactly one room.
    ASSERT_TRUE(b->send_text(R"({"type":"room-users","id":7})"));
    m = reply_to(*b, 7);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    EXPECT_EQ(users(*m).size(), 2u) << *m;
    // Membership is private.
    ASSERT_TRUE(eve->send_text(R"({"type":"room-users","id":8,"roomId":"r1"})"));
    auto denied = reply_to(*eve, 8);
    EXPECT_TRUE(is_error_reply(denied, "room-users", "not-in-room", 8));
    ASSERT_TRUE(denied);
    EXPECT_FALSE(denied->has("users")) << *denied;
}

}  // namespace
}  // namespace sbtest
