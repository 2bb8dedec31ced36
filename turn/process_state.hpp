#pragma once
// The SharedState of turn/engine.hpp for one process: global quotas, the
// set of live relayed addresses, and the bridge to signaling. Thread-safe
// (one mutex; only allocation set-up and tear-down and CreatePermission
// touch it, never the relay hot path).

#include <atomic>
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

    void add_reservation(std::uint64_t token, const stun::Address& relay,
                         shared::Clock::Steady::time_point expiry) override {
        std::lock_guard lock(mutex_);
        reservations_[token] = {relay, expiry};
    }
    std::optional<stun::Address> take_reservation(std::uint64_t token,
                                                  shared::Clock::Steady::time_point now) override {
        std::lock_guard lock(mutex_);
        purge_locked(now);
        auto it = reservations_.find(token);
        if (it == reservations_.end()) return std::nullopt;
        const auto relay = it->second.relay;
        reservations_.erase(it);
        return relay;
    }
    bool is_reserved(const stun::Address& relay, shared::Clock::Steady::time_point now) const override {
        std::lock_guard lock(mutex_);
        for (const auto& [token, r] : reservations_) {
            if (r.relay == relay && now < r.expiry) return true;
        }
        return false;
    }

    // TCP/TLS client connections (turn.max_stream_connections).
    bool try_open_stream(std::size_t max) {
        auto n = streams_.load();
        do {
            if (n >= max) return false;
        } while (!streams_.compare_exchange_weak(n, n + 1));
        return true;
    }
    void close_stream() { --streams_; }

    std::size_t total() const {
        std::lock_guard lock(mutex_);
        return total_;
    }

private:
    struct Reservation {
        stun::Address relay;
        shared::Clock::Steady::time_point expiry;
    };
    void purge_locked(shared::Clock::Steady::time_point now) {
        std::erase_if(reservations_, [&](const auto& kv) { return now >= kv.second.expiry; });
    }

    const std::size_t max_total_;
    const std::size_t max_per_user_;
    std::function<bool(std::string_view)> user_active_;
    std::atomic<std::size_t> streams_{0};
    mutable std::mutex mutex_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> per_user_;
    std::unordered_set<stun::Address> relayed_;
    // Few at a time (each lives 30 s): a linear scan in is_reserved is fine.
    std::unordered_map<std::uint64_t, Reservation> reservations_;
};

}  // namespace switchboard::turn
