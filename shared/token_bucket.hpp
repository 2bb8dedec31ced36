#pragma once
// A token bucket: `rate` tokens per second, at most `burst` held, starting
// full. Pure: the caller passes the time. The signaling rate limit takes one
// token per message (PROTOCOL.md "Rate limit"); TURN's per-allocation
// bandwidth cap takes one per byte (turn.max_bps_per_allocation).

#include <algorithm>
#include <chrono>

namespace switchboard::shared {

class TokenBucket {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    // A rate of 0 is no limit at all.
    TokenBucket(double rate_per_second, double burst, TimePoint now)
        : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(now) {}

    // Takes `n` tokens if there are that many; false takes nothing (the
    // message or packet is dropped, not queued).
    bool try_take(TimePoint now, double n = 1.0) {
        if (rate_ == 0) return true;
        if (now > last_) {
            const std::chrono::duration<double> elapsed = now - last_;
            tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
            last_ = now;
        }
        // The tolerance keeps what arrives exactly when its tokens are due
        // from losing to floating-point rounding of the refill.
        if (tokens_ < n - 1e-9) return false;
        tokens_ = std::max(0.0, tokens_ - n);
        return true;
    }

private:
    double rate_;
    double burst_;
    double tokens_;
    TimePoint last_;
};

}  // namespace switchboard::shared
