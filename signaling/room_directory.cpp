#include "signaling/room_directory.hpp"

#include <algorithm>

namespace switchboard::signaling {

JoinOutcome InMemoryRoomDirectory::join(std::string_view room_id, std::string_view user_id,
                                        std::size_t max_members) {
    auto it = rooms_.find(room_id);
    if (it == rooms_.end()) {
        rooms_.emplace(std::string(room_id), std::vector<std::string>{std::string(user_id)});
        return JoinOutcome::created;
    }
    auto& members = it->second;
    if (std::find(members.begin(), members.end(), user_id) != members.end()) {
        return JoinOutcome::already_member;
    }
    if (members.size() >= max_members) return JoinOutcome::full;
    members.emplace_back(user_id);
    return JoinOutcome::joined;
}

bool InMemoryRoomDirectory::leave(std::string_view room_id, std::string_view user_id) {
    auto it = rooms_.find(room_id);
    if (it == rooms_.end()) return false;
    auto& members = it->second;
    auto pos = std::find(members.begin(), members.end(), user_id);
    if (pos == members.end()) return false;
    members.erase(pos);
    if (members.empty()) rooms_.erase(it);
    return true;
}

bool InMemoryRoomDirectory::is_member(std::string_view room_id, std::string_view user_id) const {
    auto it = rooms_.find(room_id);
    if (it == rooms_.end()) return false;
    return std::find(it->second.begin(), it->second.end(), user_id) != it->second.end();
}

std::vector<std::string> InMemoryRoomDirectory::members(std::string_view room_id) const {
    auto it = rooms_.find(room_id);
    if (it == rooms_.end()) return {};
    return it->second;
}

}  // namespace switchboard::signaling
