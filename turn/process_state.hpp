#pragma once
// The SharedState of turn/engine.hpp for one process: global quotas, the
// set of live relayed addresses, the held port reservations. Thread-safe:
// one mutex, taken by allocation set-up and tear-down, CreatePermission and
// ChannelBind, and on the data path only for a peer that is reachable
// through the relay-to-relay exception alone (its per-packet re-check of
// is_relayed); ordinary relaying never takes it. Port reservations are
// charged to their user's and the total quota like allocations: each holds a
// port, as an allocation does.
// The bridge to signaling is not here: each worker has its own view
// (shared/session_bridge.hpp).

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "shared/address.hpp"
#include "turn/allocation.hpp"
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
        return charge_locked(user);
    }

    void release_allocation(std::string_view user) override {
        std::lock_guard lock(mutex_);
        release_locked(user);
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

    Reserve add_reservation(std::uint64_t token, std::string_view user,
                            std::unique_ptr<HeldPort> port,
                            shared::Clock::Steady::time_point expiry) override {
        std::lock_guard lock(mutex_);
        const Reserve charged = charge_locked(user);
        if (charged != Reserve::ok) return charged;  // `port` closes on return
        reservations_[token] = {std::move(port), std::string(user), expiry};
        publish_locked();
        return Reserve::ok;
    }
    Taken take_reservation(std::uint64_t token, std::string_view user,
                           shared::Clock::Steady::time_point now) override {
        std::vector<std::unique_ptr<HeldPort>> expired;  // closed after the unlock
        std::lock_guard lock(mutex_);
        expired = expire_locked(now);
        auto it = reservations_.find(token);
        if (it == reservations_.end()) return {};
        if (it->second.user != user) {  // the charge moves to the one who takes it
            const auto n = per_user_.find(std::string(user));
            const std::size_t held = n == per_user_.end() ? 0 : n->second;
            if (held >= max_per_user_) return {nullptr, Reserve::user_exceeded};
            release_locked(it->second.user);
            ++per_user_[std::string(user)];
            ++total_;
        }
        Taken taken{std::move(it->second.port), Reserve::ok};
        reservations_.erase(it);
        publish_locked();
        return taken;
    }
    void expire_reservations(shared::Clock::Steady::time_point now) override {
        std::vector<std::unique_ptr<HeldPort>> expired;  // closed after the unlock
        std::lock_guard lock(mutex_);
        expired = expire_locked(now);
    }

    // TCP/TLS client connections: turn.max_stream_connections in all and
    // turn.max_stream_connections_per_ip (0: no per-IP limit) from one IP.
    enum class StreamSlot { ok, total_exceeded, ip_exceeded };
    StreamSlot try_open_stream(const shared::IpBytes& ip, std::size_t max, std::size_t max_per_ip) {
        std::lock_guard lock(mutex_);
        if (streams_ >= max) return StreamSlot::total_exceeded;
        auto& n = streams_per_ip_[ip];
        if (max_per_ip != 0 && n >= max_per_ip) return StreamSlot::ip_exceeded;  // n > 0: kept
        ++n;
        ++streams_;
        return StreamSlot::ok;
    }
    void close_stream(const shared::IpBytes& ip) {
        std::lock_guard lock(mutex_);
        if (auto it = streams_per_ip_.find(ip); it != streams_per_ip_.end() && --it->second == 0)
            streams_per_ip_.erase(it);
        --streams_;
    }

    std::size_t total() const {
        std::lock_guard lock(mutex_);
        return total_;
    }

private:
    struct Reservation {
        std::unique_ptr<HeldPort> port;
        std::string user;  // charged for it
        shared::Clock::Steady::time_point expiry;
    };

    Reserve charge_locked(std::string_view user) {
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
    void release_locked(std::string_view user) {
        auto it = per_user_.find(std::string(user));
        if (it == per_user_.end()) return;
        if (--it->second == 0) per_user_.erase(it);
        --total_;
    }
    // Removes the reservations expired at `now` and returns their ports.
    std::vector<std::unique_ptr<HeldPort>> expire_locked(shared::Clock::Steady::time_point now) {
        std::vector<std::unique_ptr<HeldPort>> expired;
        for (auto it = reservations_.begin(); it != reservations_.end();) {
            if (now < it->second.expiry) {
                ++it;
                continue;
            }
            expired.push_back(std::move(it->second.port));
            release_locked(it->second.user);
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
    mutable std::mutex mutex_;
    std::size_t streams_ = 0;
    std::unordered_map<shared::IpBytes, std::size_t, IpBytesHash> streams_per_ip_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> per_user_;
    std::unordered_set<stun::Address> relayed_;
    std::unordered_map<std::uint64_t, Reservation> reservations_;
};

}  // namespace switchboard::turn
