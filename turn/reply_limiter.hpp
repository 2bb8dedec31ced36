#pragma once
// How many replies a source IP gets to requests that prove nothing about
// their sender (unauthenticated: Binding, 401, 438, 400 ...) over UDP, where
// the source can be forged: a 20-byte Allocate earns a ~92-byte 401 and a
// Binding 1.6-2.2x its size, so without a limit the server is a reflector.
// A token bucket per source IP (turn.unauthenticated_replies); past it the
// request is dropped unanswered (switchboard_turn_dropped_total{reason=
// "rate_limited"}). TCP and TLS need a handshake, so their sources are real
// and are not limited here.
//
// Per worker (no lock): a source whose requests reach several workers (one
// per 5-tuple hash) gets up to that many times the rate. Bounded: at most
// kMaxSources buckets; a full one is the same as none, so when the table is
// full the idle sources are forgotten (at most once per kPruneInterval), and
// a new source that still finds no room is refused.
//
// Thread context: one per Engine (worker thread). Pure.

#include <chrono>
#include <cstddef>
#include <unordered_map>

#include "shared/address.hpp"
#include "shared/token_bucket.hpp"
#include "turn/allocation.hpp"

namespace switchboard::turn {

class ReplyLimiter {
public:
    using TimePoint = shared::TokenBucket::TimePoint;
    static constexpr std::size_t kMaxSources = 16384;
    static constexpr std::chrono::milliseconds kPruneInterval{100};

    // per_second 0: no limit.
    ReplyLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}

    bool admit(const shared::IpBytes& source, TimePoint now) {
        if (per_second_ == 0) return true;
        auto it = sources_.find(source);
        if (it == sources_.end()) {
            if (sources_.size() >= kMaxSources && !prune(now)) return false;
            it = sources_.emplace(source, Entry{shared::TokenBucket(per_second_, burst_, now), now})
                     .first;
        }
        it->second.last = now;
        return it->second.bucket.try_take(now);
    }

    std::size_t tracked() const { return sources_.size(); }

private:
    struct Entry {
        shared::TokenBucket bucket;
        TimePoint last;  // of the last request: the bucket is full again burst/rate later
    };

    // Forgets the sources whose buckets have refilled; true if room was made.
    bool prune(TimePoint now) {
        if (now - last_prune_ < kPruneInterval) return false;
        last_prune_ = now;
        const auto refill = std::chrono::duration<double>(burst_ / per_second_);
        std::erase_if(sources_,
                      [&](const auto& entry) { return now - entry.second.last >= refill; });
        return sources_.size() < kMaxSources;
    }

    double per_second_;
    double burst_;
    TimePoint last_prune_{};
    std::unordered_map<shared::IpBytes, Entry, IpBytesHash> sources_;
};

}  // namespace switchboard::turn
