#include "signaling/room_directory.hpp"

#include <gtest/gtest.h>

namespace switchboard::signaling {
namespace {

using Members = std::vector<std::string>;

TEST(InMemoryRoomDirectory, JoinOutcomes) {
    InMemoryRoomDirectory rooms;
    EXPECT_EQ(rooms.join("r1", "alice", 2), JoinOutcome::created);
    EXPECT_EQ(rooms.join("r1", "bob", 2), JoinOutcome::joined);
    EXPECT_EQ(rooms.join("r1", "alice", 2), JoinOutcome::already_member);
    EXPECT_EQ(rooms.join("r1", "carol", 2), JoinOutcome::full);
    EXPECT_EQ(rooms.join("r1", "bob", 2), JoinOutcome::already_member) << "a member of a full room";
    EXPECT_EQ(rooms.members("r1"), (Members{"alice", "bob"}));
    EXPECT_EQ(rooms.room_count(), 1u);
}

TEST(InMemoryRoomDirectory, MembersKeepJoinOrder) {
    InMemoryRoomDirectory rooms;
    for (const auto* u : {"zed", "amy", "mo", "bob"}) rooms.join("r", u, 16);
    rooms.leave("r", "amy");
    rooms.join("r", "amy", 16);
    EXPECT_EQ(rooms.members("r"), (Members{"zed", "mo", "bob", "amy"}));
}

TEST(InMemoryRoomDirectory, LeaveAndDestroy) {
    InMemoryRoomDirectory rooms;
    rooms.join("r1", "alice", 16);
    rooms.join("r1", "bob", 16);
    rooms.join("r2", "alice", 16);
    EXPECT_FALSE(rooms.leave("r1", "carol"));
    EXPECT_FALSE(rooms.leave("nope", "alice"));
    EXPECT_TRUE(rooms.leave("r1", "alice"));
    EXPECT_FALSE(rooms.leave("r1", "alice"));
    EXPECT_FALSE(rooms.is_member("r1", "alice"));
    EXPECT_TRUE(rooms.is_member("r2", "alice"));
    EXPECT_EQ(rooms.room_count(), 2u);
    EXPECT_TRUE(rooms.leave("r1", "bob"));
    EXPECT_EQ(rooms.room_count(), 1u);
    EXPECT_TRUE(rooms.members("r1").empty());
    EXPECT_EQ(rooms.join("r1", "bob", 16), JoinOutcome::created);
}

TEST(InMemoryRoomDirectory, UnknownRoomsAreEmpty) {
    const InMemoryRoomDirectory rooms;
    EXPECT_TRUE(rooms.members("r").empty());
    EXPECT_FALSE(rooms.is_member("r", "alice"));
    EXPECT_EQ(rooms.room_count(), 0u);
}

TEST(InMemoryRoomDirectory, RoomsAreIndependentAndExact) {
    InMemoryRoomDirectory rooms;
    rooms.join("r", "alice", 1);
    EXPECT_EQ(rooms.join("R", "bob", 1), JoinOutcome::created) << "ids are case-sensitive";
    EXPECT_EQ(rooms.join("r ", "bob", 1), JoinOutcome::created);
    EXPECT_FALSE(rooms.is_member("r", "Alice"));
    EXPECT_EQ(rooms.room_count(), 3u);
}

}  // namespace
}  // namespace switchboard::signaling
