#pragma once
// Per-session message rate limit (PROTOCOL.md "Rate limit"): a bucket of
// `burst` tokens refilled at `rate` per second; each message takes one.
// Pure: the caller passes the time.

#include <algorithm>
#include <chrono>

namespace switchboard::signaling {

class TokenBucket {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    TokenBucket(double rate_per_second, double burst, TimePoint now)
        : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(now) {}

    bool try_take(TimePoint now) {
        const std::chrono::duration<double> elapsed = now - last_;
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
        // The tolerance keeps a message that arrives exactly when its token
        // is due from losing to floating-point rounding of the refill.
        if (tokens_ < 1.0 - 1e-9) return false;
        tokens_ = std::max(0.0, tokens_ - 1.0);
        return true;
    }

private:
    double rate_;
    double burst_;
    double tokens_;
    TimePoint last_;
};

}  // namespace switchboard::signaling
