#pragma once
// The allocations of one Engine, by client 5-tuple (requests, ChannelData,
// Send indications), by AllocationId (the allocation's own id) and by relay
// socket id (relay socket traffic; a dual allocation has two relays, each
// with its own id). RFC 8656 section 2.2: "the 5-tuple ... uniquely
// identifies the allocation".
//
// Thread context: owned by one Engine (worker thread); not thread-safe.

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "turn/allocation.hpp"
#include "turn/engine.hpp"

namespace switchboard::turn {

class AllocationTable {
public:
    Allocation* find(const FiveTuple& tuple);
    // By the allocation's id (Allocation::id()).
    Allocation* find(AllocationId id);
    // By the id of one of its relay sockets: the data path, one hash lookup.
    Allocation* find_relay(AllocationId relay_id);

    // The 5-tuple must not be in use (the Allocate handler checked). Its
    // relays are indexed as they are now.
    Allocation& insert(std::unique_ptr<Allocation> allocation);
    std::unique_ptr<Allocation> remove(AllocationId id);
    // Deletes one relay of an allocation that keeps another.
    std::optional<Allocation::Relay> remove_relay(Allocation& allocation,
                                                  stun::Address::Family family);

    std::size_t size() const noexcept { return by_id_.size(); }
    // The allocations made with REST credentials of `user` (Allocation::rest()).
    std::vector<AllocationId> of_rest_user(std::string_view user) const;

    // Ids of the allocations for which `pred(const Allocation&)` holds:
    // collected first, so the caller may remove them.
    template <class Pred>
    std::vector<AllocationId> select(Pred pred) const {
        std::vector<AllocationId> ids;
        for (const auto& [id, allocation] : by_id_) {
            if (pred(*allocation)) {
                ids.push_back(id);
            }
        }
        return ids;
    }

    template <class Fn>
    void for_each(Fn fn) {
        for (auto& [id, allocation] : by_id_) {
            fn(*allocation);
        }
    }

private:
    std::unordered_map<AllocationId, std::unique_ptr<Allocation>> by_id_;
    std::unordered_map<FiveTuple, AllocationId, FiveTupleHash> by_tuple_;
    std::unordered_map<AllocationId, Allocation*> by_relay_;
    // REST user id -> its allocations here (a handful: max_allocations_per_user).
    std::unordered_map<std::string, std::vector<AllocationId>> by_rest_user_;
};

}  // namespace switchboard::turn
