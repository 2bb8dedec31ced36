#pragma once
// The SharedState of turn/engine.hpp for one process: global quotas, the
// set of live relayed addresses, the held port reservations. Thread-safe:
// one mutex, taken by allocation set-up and tear-down, CreatePermission and
// ChannelBind, and on the data path only for a peer that is reachable
// through the relay-to-relay exception alone (its per-packet re-check of
// is_relayed); ordinary relaying never takes it. Port reservations count
// against turn.max_allocations too: each holds a port, as an allocation does.
// The bridge to signaling is not here: each worker has its own view
// (shared/session_bridge.hpp).

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "turn/engine.hpp"

namespace switchboard::turn {

class ProcessState final : public SharedState {
public:
    // `reservations_gauge` (optional) follows the number of held port
    // reservations.
    ProcessState(std::size_t max_allocations, std::size_t max_per_user,
                 shared::Gauge* reservations_gauge = nullptr)
        : max_total_(max_allocations),
          max_per_user_(max_per_user),
          reservations_gauge_(reservations_gauge) {}

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

    bool add_reservation(std::uint64_t token, std::unique_ptr<HeldPort> port,
                         shared::Clock::Steady::time_point expiry) override {
        std::lock_guard lock(mutex_);
        if (reservations_.size() >= max_total_)
            return false;  // each holds a port, as an allocation does
        reservations_[token] = {std::move(port), expiry};
        publish_locked();
        return true;
    }
    std::unique_ptr<HeldPort> take_reservation(std::uint64_t token,
                                               shared::Clock::Steady::time_point now) override {
        std::vector<std::unique_ptr<HeldPort>> expired;  // closed after the unlock
        std::lock_guard lock(mutex_);
        expired = expire_locked(now);
        auto it = reservations_.find(token);
        if (it == reservations_.end()) return nullptr;
        auto port = std::move(it->second.port);
        reservations_.erase(it);
        publish_locked();
        return port;
    }
    void expire_reservations(shared::Clock::Steady::time_point now) override {
        std::vector<std::unique_ptr<HeldPort>> expired;  // closed after the unlock
        std::lock_guard lock(mutex_);
        expired = expire_locked(now);
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
        std::unique_ptr<HeldPort> port;
        shared::Clock::Steady::time_point expiry;
    };
    // Removes the reservations expired at `now` and returns their ports.
    std::vector<std::unique_ptr<HeldPort>> expire_locked(shared::Clock::Steady::time_point now) {
        std::vector<std::unique_ptr<HeldPort>> expired;
        for (auto it = reservations_.begin(); it != reservations_.end();) {
            if (now < it->second.expiry) {
                ++it;
                continue;
            }
            expired.push_back(std::move(it->second.port));
            it = reservations_.erase(it);
        }
        if (!expired.empty()) publish_locked();
        return expired;
    }

    void publish_locked() {
        if (reservations_gauge_ != nullptr) {
            reservations_gauge_->set(static_cast<std::int64_t>(reservations_.size()));
        }
    }

    const std::size_t max_total_;
    const std::size_t max_per_user_;
    shared::Gauge* const reservations_gauge_;
    std::atomic<std::size_t> streams_{0};
    mutable std::mutex mutex_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> per_user_;
    std::unordered_set<stun::Address> relayed_;
    std::unordered_map<std::uint64_t, Reservation> reservations_;
};

}  // namespace switchboard::turn
