#pragma once
// A small metrics registry rendered in the Prometheus text exposition format
// (version 0.0.4), served on /metrics.
//
// Threads: registration, removal and rendering take one mutex and may be
// called from any thread. The hot path never does: components register at
// start-up, keep the returned Counter& / Gauge&, and update them with a single
// relaxed atomic operation from any thread. Returned references stay valid as
// long as the Metrics object (series are never destroyed, except callback
// gauges through remove_gauge_fn), so label values must come from a bounded
// set (method names, error codes), never from peers (user ids, addresses).
//
// Programmer errors (an invalid metric or label name, the same name
// registered as counter and gauge, the same series as a plain and a callback
// gauge) are logged at error level and produce a working but unexported
// object, rather than an exception or a crash.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::shared {

// Label name/value pairs, in any order: {{"method", "allocate"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Monotonic; name it `..._total` by Prometheus convention.
class Counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
public:
    void inc(std::int64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    void dec(std::int64_t n = 1) noexcept { value_.fetch_sub(n, std::memory_order_relaxed); }
    void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
    std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

class Metrics {
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // Get-or-create: registering the same name and labels twice returns the
    // same object, so independent components may share a series. The help
    // text of the first registration of a name wins.
    Counter& counter(std::string name, std::string help, Labels labels = {});
    Gauge& gauge(std::string name, std::string help, Labels labels = {});

    // A gauge read at render time, for values owned elsewhere (connection
    // counts, queue depths). `fn` runs on the rendering thread while the
    // registry mutex is held: it must be thread-safe, must not call back into
    // this Metrics, and must not wait on a lock held by a thread that
    // registers metrics. Registering the same series again replaces `fn`.
    void gauge_fn(std::string name, std::string help, std::function<double()> fn,
                  Labels labels = {});

    // Drops a callback gauge; once this returns its `fn` is never called
    // again, so an owner calls it before it is destroyed.
    void remove_gauge_fn(std::string_view name, Labels labels = {});

    // Families sorted by name, one # HELP and # TYPE each, series sorted by
    // their (name-sorted) labels.
    std::string render_prometheus() const;

private:
    struct Family;
    struct Series;
    enum class Kind { counter, gauge };

    Series* find_or_create(Kind kind, const std::string& name, std::string& help, Labels& labels);

    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
    // Objects handed out for rejected registrations: usable, never rendered.
    std::vector<std::unique_ptr<Counter>> detached_counters_;
    std::vector<std::unique_ptr<Gauge>> detached_gauges_;
};

}  // namespace switchboard::shared
