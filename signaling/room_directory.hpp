#pragma once
// Room membership behind one interface, so that a multi-node implementation
// (Redis, say) can replace the in-memory one without touching the hub or the
// sessions. Pure; not thread-safe: the hub serializes calls.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::signaling {

enum class JoinOutcome { joined, created, already_member, full };

class RoomDirectory {
public:
    virtual ~RoomDirectory() = default;
    virtual JoinOutcome join(std::string_view room_id, std::string_view user_id,
                             std::size_t max_members) = 0;
    // Returns false if the user was not a member. An emptied room is destroyed.
    virtual bool leave(std::string_view room_id, std::string_view user_id) = 0;
    virtual bool is_member(std::string_view room_id, std::string_view user_id) const = 0;
    // Members in join order; empty if the room does not exist.
    virtual std::vector<std::string> members(std::string_view room_id) const = 0;
    virtual std::size_t room_count() const = 0;
};

class InMemoryRoomDirectory final : public RoomDirectory {
public:
    JoinOutcome join(std::string_view room_id, std::string_view user_id,
                     std::size_t max_members) override;
    bool leave(std::string_view room_id, std::string_view user_id) override;
    bool is_member(std::string_view room_id, std::string_view user_id) const override;
    std::vector<std::string> members(std::string_view room_id) const override;
    std::size_t room_count() const override { return rooms_.size(); }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    // Rooms are small (max_room_members, 16 by default): a vector keeps join
    // order and is faster than a set at that size.
    std::unordered_map<std::string, std::vector<std::string>, Hash, std::equal_to<>> rooms_;
};

}  // namespace switchboard::signaling
