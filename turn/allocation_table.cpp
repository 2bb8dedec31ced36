#include "turn/allocation_table.hpp"

#include <utility>

namespace switchboard::turn {

Allocation* AllocationTable::find(const FiveTuple& tuple) {
    const auto it = by_tuple_.find(tuple);
    return it == by_tuple_.end() ? nullptr : find(it->second);
}

Allocation* AllocationTable::find(AllocationId id) {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second.get();
}

Allocation* AllocationTable::find_relay(AllocationId relay_id) {
    const auto it = by_relay_.find(relay_id);
    return it == by_relay_.end() ? nullptr : it->second;
}

Allocation& AllocationTable::insert(std::unique_ptr<Allocation> allocation) {
    const AllocationId id = allocation->id();
    by_tuple_[allocation->tuple()] = id;
    auto& slot = by_id_[id];
    slot = std::move(allocation);
    slot->for_each_relay([&](const Allocation::Relay& relay) { by_relay_[relay.id] = slot.get(); });
    if (slot->rest()) by_rest_user_[slot->user()].push_back(id);
    return *slot;
}

std::vector<AllocationId> AllocationTable::of_rest_user(std::string_view user) const {
    const auto it = by_rest_user_.find(std::string(user));
    return it == by_rest_user_.end() ? std::vector<AllocationId>{} : it->second;
}

std::optional<Allocation::Relay> AllocationTable::remove_relay(Allocation& allocation,
                                                               stun::Address::Family family) {
    auto relay = allocation.take_relay(family);
    if (relay) {
        by_relay_.erase(relay->id);
    }
    return relay;
}

std::unique_ptr<Allocation> AllocationTable::remove(AllocationId id) {
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        return nullptr;
    }
    auto allocation = std::move(it->second);
    by_id_.erase(it);
    by_tuple_.erase(allocation->tuple());
    allocation->for_each_relay([&](const Allocation::Relay& relay) { by_relay_.erase(relay.id); });
    if (allocation->rest()) {
        const auto user = by_rest_user_.find(allocation->user());
        if (user != by_rest_user_.end()) {
            std::erase(user->second, id);
            if (user->second.empty()) by_rest_user_.erase(user);
        }
    }
    return allocation;
}

}  // namespace switchboard::turn
