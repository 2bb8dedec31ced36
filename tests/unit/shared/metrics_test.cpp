#include "shared/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace switchboard::shared {
namespace {

TEST(Metrics, EmptyRegistryRendersNothing) {
    const Metrics metrics;
    EXPECT_EQ(metrics.render_prometheus(), "");
}

TEST(Metrics, RendersFamiliesSortedWithOneHeaderEach) {
    Metrics metrics;
    Counter& allocate = metrics.counter("sb_turn_requests_total", "TURN requests by method.",
                                        {{"method", "allocate"}});
    Counter& refresh = metrics.counter("sb_turn_requests_total", "ignored: first help wins",
                                       {{"method", "refresh"}});
    Gauge& sessions = metrics.gauge("sb_signaling_sessions", "Open WebSocket sessions.");
    Counter& errors = metrics.counter("sb_errors_total", "Protocol errors.");

    allocate.inc();
    allocate.inc(4);
    refresh.inc();
    sessions.inc(3);
    sessions.dec();

    EXPECT_EQ(metrics.render_prometheus(),
              "# HELP sb_errors_total Protocol errors.\n"
              "# TYPE sb_errors_total counter\n"
              "sb_errors_total 0\n"
              "# HELP sb_signaling_sessions Open WebSocket sessions.\n"
              "# TYPE sb_signaling_sessions gauge\n"
              "sb_signaling_sessions 2\n"
              "# HELP sb_turn_requests_total TURN requests by method.\n"
              "# TYPE sb_turn_requests_total counter\n"
              "sb_turn_requests_total{method=\"allocate\"} 5\n"
              "sb_turn_requests_total{method=\"refresh\"} 1\n");
    EXPECT_EQ(errors.value(), 0U);
}

TEST(Metrics, SameSeriesReturnsSameObjectWhateverTheLabelOrder) {
    Metrics metrics;
    Counter& a = metrics.counter("x_total", "h", {{"b", "2"}, {"a", "1"}});
    Counter& b = metrics.counter("x_total", "h", {{"a", "1"}, {"b", "2"}});
    EXPECT_EQ(&a, &b);
    a.inc();
    b.inc();
    EXPECT_EQ(metrics.render_prometheus(),
              "# HELP x_total h\n"
              "# TYPE x_total counter\n"
              "x_total{a=\"1\",b=\"2\"} 2\n");
}

TEST(Metrics, EscapesHelpAndLabelValues) {
    Metrics metrics;
    metrics.gauge("g", "line one\nback\\slash \"quoted\"", {{"path", "C:\\dir\n\"x\""}}).set(-7);
    EXPECT_EQ(metrics.render_prometheus(),
              "# HELP g line one\\nback\\\\slash \"quoted\"\n"
              "# TYPE g gauge\n"
              "g{path=\"C:\\\\dir\\n\\\"x\\\"\"} -7\n");
}

TEST(Metrics, EmptyHelpOmitsHelpLine) {
    Metrics metrics;
    metrics.gauge("g", "").set(1);
    EXPECT_EQ(metrics.render_prometheus(), "# TYPE g gauge\ng 1\n");
}

TEST(Metrics, GaugeValuesAreSetIncrementedAndDecremented) {
    Metrics metrics;
    Gauge& g = metrics.gauge("g", "h");
    g.set(10);
    g.inc();
    g.dec(4);
    EXPECT_EQ(g.value(), 7);
    g.set(std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(metrics.render_prometheus(), "# HELP g h\n# TYPE g gauge\ng -9223372036854775808\n");
}

TEST(Metrics, CallbackGauges) {
    Metrics metrics;
    double connections = 3;
    metrics.gauge_fn("sb_connections", "Open connections.", [&] { return connections; },
                     {{"listener", "udp"}});
    metrics.gauge_fn("sb_connections", "Open connections.", [] { return 0.25; },
                     {{"listener", "tcp"}});
    metrics.gauge_fn("sb_special", "Special values.", [] { return std::nan(""); }, {{"v", "nan"}});
    metrics.gauge_fn("sb_special", "Special values.",
                     [] { return std::numeric_limits<double>::infinity(); }, {{"v", "pinf"}});
    metrics.gauge_fn("sb_special", "Special values.",
                     [] { return -std::numeric_limits<double>::infinity(); }, {{"v", "ninf"}});
    metrics.gauge_fn("sb_special", "Special values.", [] { return 1e21; }, {{"v", "big"}});
    connections = 42;

    EXPECT_EQ(metrics.render_prometheus(),
              "# HELP sb_connections Open connections.\n"
              "# TYPE sb_connections gauge\n"
              "sb_connections{listener=\"tcp\"} 0.25\n"
              "sb_connections{listener=\"udp\"} 42\n"
              "# HELP sb_special Special values.\n"
              "# TYPE sb_special gauge\n"
              "sb_special{v=\"big\"} 1e+21\n"
              "sb_special{v=\"nan\"} NaN\n"
              "sb_special{v=\"ninf\"} -Inf\n"
              "sb_special{v=\"pinf\"} +Inf\n");

    // Re-registering replaces the callback; removal stops calls for good.
    metrics.gauge_fn("sb_connections", "Open connections.", [] { return 5.0; },
                     {{"listener", "udp"}});
    metrics.remove_gauge_fn("sb_connections", {{"listener", "tcp"}});
    metrics.remove_gauge_fn("sb_special", {{"v", "nan"}});
    metrics.remove_gauge_fn("sb_special", {{"v", "pinf"}});
    metrics.remove_gauge_fn("sb_special", {{"v", "ninf"}});
    metrics.remove_gauge_fn("sb_special", {{"v", "big"}});
    metrics.remove_gauge_fn("no_such_metric");
    EXPECT_EQ(metrics.render_prometheus(),
              "# HELP sb_connections Open connections.\n"
              "# TYPE sb_connections gauge\n"
              "sb_connections{listener=\"udp\"} 5\n");
}

TEST(Metrics, RemoveGaugeFnLeavesPlainSeriesAlone) {
    Metrics metrics;
    metrics.gauge("g", "h").set(1);
    metrics.remove_gauge_fn("g");
    EXPECT_EQ(metrics.render_prometheus(), "# HELP g h\n# TYPE g gauge\ng 1\n");
}

TEST(Metrics, ProgrammerErrorsGiveUsableButUnexportedObjects) {
    Metrics metrics;
    Counter& bad_name = metrics.counter("1starts_with_digit", "h");
    Counter& bad_char = metrics.counter("has-dash", "h");
    Counter& bad_label = metrics.counter("ok_total", "h", {{"le-x", "1"}});
    Counter& reserved_label = metrics.counter("ok_total", "h", {{"__name__", "1"}});
    Counter& repeated_label = metrics.counter("ok_total", "h", {{"a", "1"}, {"a", "2"}});
    metrics.gauge("typed", "h").set(1);
    Counter& wrong_type = metrics.counter("typed", "h");
    metrics.gauge_fn("fn_gauge", "h", [] { return 1.0; });
    Gauge& clash = metrics.gauge("fn_gauge", "h");
    metrics.gauge_fn("typed", "h", [] { return 9.0; });  // plain gauge already there
    metrics.gauge_fn("no_fn", "h", nullptr);

    for (Counter* c :
         {&bad_name, &bad_char, &bad_label, &reserved_label, &repeated_label, &wrong_type}) {
        c->inc();
        EXPECT_EQ(c->value(), 1U);
    }
    clash.set(3);
    EXPECT_EQ(clash.value(), 3);
    EXPECT_EQ(metrics.render_prometheus(),
              "# HELP fn_gauge h\n# TYPE fn_gauge gauge\nfn_gauge 1\n"
              "# HELP typed h\n# TYPE typed gauge\ntyped 1\n");
}

TEST(Metrics, ValidNamesIncludeColonsAndUnderscores) {
    Metrics metrics;
    metrics.counter("_a:b_c:total", "h", {{"_x9", "v"}}).inc();
    EXPECT_EQ(metrics.render_prometheus(),
              "# HELP _a:b_c:total h\n# TYPE _a:b_c:total counter\n_a:b_c:total{_x9=\"v\"} 1\n");
}

TEST(Metrics, ConcurrentIncrementsAndRegistrationsAreNotLost) {
    Metrics metrics;
    Counter& shared = metrics.counter("hits_total", "h");
    constexpr int kThreads = 4;
    constexpr int kPerThread = 100'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&metrics, &shared, t] {
            Counter& own = metrics.counter("per_thread_total", "h", {{"t", std::to_string(t)}});
            for (int i = 0; i < kPerThread; ++i) {
                shared.inc();
                own.inc();
                if (i % 10'000 == 0) {
                    (void)metrics.render_prometheus();
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(shared.value(), static_cast<std::uint64_t>(kThreads) * kPerThread);
    EXPECT_EQ(metrics.render_prometheus(),
              "# HELP hits_total h\n# TYPE hits_total counter\nhits_total 400000\n"
              "# HELP per_thread_total h\n# TYPE per_thread_total counter\n"
              "per_thread_total{t=\"0\"} 100000\nper_thread_total{t=\"1\"} 100000\n"
              "per_thread_total{t=\"2\"} 100000\nper_thread_total{t=\"3\"} 100000\n");
}

}  // namespace
}  // namespace switchboard::shared
