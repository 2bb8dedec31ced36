#pragma once
// The SharedState of turn/engine.hpp for one process: global quotas, the
// set of live relayed addresses, and the bridge to signaling. Thread-safe
// (one mutex; only allocation set-up and tear-down and CreatePermission
// touch it, never the relay hot path).

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "turn/engine.hpp"

namespace switchboard::turn {

class ProcessState final : public SharedState {
public:
    ProcessState(std::size_t max_allocations, std::size_t max_per_user,
                 std::function<bool(std::string_view)> user_active)
        : max_total_(max_allocations), max_per_user_(max_per_user), user_active_(std::move(user_active)) {}

    bool user_active(std::string_view user_id) const override {
        return user_active_ ? user_active_(user_id) : true;
    }

    Reserve reserve_allocation(std::string_view user) override {
        std::lock_guard lock(mutex_);
        if (total_ >= max_total_) return Reserve::total_exceeded;
        auto& n = per_user_[std::string(user)];
        if (n >= max_per_user_) {
            if (n == 0) per_user_.erase(std::string(user));
            return Reserve::user_exceeded;
        }
        ++n;
        ++total_;
        return Reserve::ok;
    }

    void release_allocation(std::string_view user) override {
        std::lock_guard lock(mutex_);
        auto it = per_user_.find(std::string(user));
        if (it == per_user_.end()) return;
        if (--it->second == 0) per_user_.erase(it);
        --total_;
    }

    void add_relayed(const stun::Address& a) override {
        std::lock_guard lock(mutex_);
        relayed_.insert(a);
    }
    void remove_relayed(const stun::Address& a) override {
        std::lock_guard lock(mutex_);
        relayed_.erase(a);
    }
    bool is_relayed(const stun::Address& a) const override {
        std::lock_guard lock(mutex_);
        return relayed_.count(a) != 0;
    }

    std::size_t total() const {
        std::lock_guard lock(mutex_);
        return total_;
    }

private:
    const std::size_t max_total_;
    const std::size_t max_per_user_;
    std::function<bool(std::string_view)> user_active_;
    mutable std::mutex mutex_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> per_user_;
    std::unordered_set<stun::Address> relayed_;
};

}  // namespace switchboard::turn
