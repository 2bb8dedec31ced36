#pragma once
// Injected time. Every lifetime in the project (heartbeats, resume windows,
// credentials, allocations, nonces) reads one of these, so tests advance a
// FakeClock instead of sleeping.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace switchboard::shared {

class Clock {
public:
    using Steady = std::chrono::steady_clock;
    using Wall = std::chrono::system_clock;

    virtual ~Clock() = default;
    // Monotonic time for deadlines and intervals.
    virtual Steady::time_point now() const = 0;
    // Wall time for anything that leaves the process (JWT exp, TURN usernames).
    virtual Wall::time_point wall() const = 0;

    std::int64_t unix_seconds() const {
        return std::chrono::duration_cast<std::chrono::seconds>(wall().time_since_epoch()).count();
    }
    std::int64_t unix_millis() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(wall().time_since_epoch())
            .count();
    }
};

class SystemClock final : public Clock {
public:
    Steady::time_point now() const override { return Steady::now(); }
    Wall::time_point wall() const override { return Wall::now(); }
};

// Starts at a fixed wall time (2025-11-24T16:00:00Z) and moves only when told.
// Thread-safe so that tests may read it from server threads.
class FakeClock final : public Clock {
public:
    FakeClock() = default;
    explicit FakeClock(std::int64_t unix_seconds) : wall_offset_ns_(unix_seconds * 1'000'000'000) {}

    Steady::time_point now() const override {
        return Steady::time_point(std::chrono::nanoseconds(elapsed_ns_.load()));
    }
    Wall::time_point wall() const override {
        return Wall::time_point(std::chrono::duration_cast<Wall::duration>(
            std::chrono::nanoseconds(wall_offset_ns_ + elapsed_ns_.load())));
    }
    template <class Rep, class Period>
    void advance(std::chrono::duration<Rep, Period> d) {
        elapsed_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    }

private:
    std::int64_t wall_offset_ns_ = 1'764'000'000LL * 1'000'000'000;
    std::atomic<std::int64_t> elapsed_ns_{1'000'000'000};
};

}  // namespace switchboard::shared
