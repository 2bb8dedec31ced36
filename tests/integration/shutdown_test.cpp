// SIGTERM drains: goaway, close 1001, exit 0 (PROTOCOL.md "goaway", DESIGN.md
// "Command line").

#include <csignal>

#include "tests/integration/http_client.hpp"
#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

class ShutdownTest : public ServerTest {};

TEST_F(ShutdownTest, SigtermSendsGoawayClosesWith1001AndExitsZero) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    auto b = logged_in("bob");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    auto t0 = std::chrono::steady_clock::now();
    server_->terminate();
    for (auto* c : {a.get(), b.get()}) {
        auto g = next_of_type(*c, "goaway", 5s);
        ASSERT_TRUE(g) << c->last_error();
        EXPECT_EQ(g->str("reason"), "shutdown") << *g;
        const auto* after = g->get("reconnectAfterMs");
        EXPECT_TRUE(after && after->IsNumber()) << *g;
        EXPECT_FALSE(g->has("id")) << *g;
        EXPECT_EQ(c->wait_close(5s), 1001) << c->last_error();
    }
    auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code) << "still running 10 s after SIGTERM";
    EXPECT_EQ(*code, 0);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

TEST_F(ShutdownTest, SigintAlsoDrains) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    ASSERT_TRUE(a);
    server_->send_signal(SIGINT);
    auto g = next_of_type(*a, "goaway", 5s);
    ASSERT_TRUE(g) << a->last_error();
    EXPECT_EQ(g->str("reason"), "shutdown") << *g;
    EXPECT_EQ(a->wait_close(5s), 1001);
    auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
}

TEST_F(ShutdownTest, IdleServerExitsPromptly) {
    ASSERT_TRUE(start(ServerConfig{}));
    server_->terminate();
    auto code = server_->wait_exit(5s);
    ASSERT_TRUE(code) << "still running 5 s after SIGTERM with no clients";
    EXPECT_EQ(*code, 0);
}

ServerConfig short_drain() {
    ServerConfig config;
    config.extra = "shutdown: {drain: 3s}";
    return config;
}

TEST_F(ShutdownTest, HealthzIs503WhileDraining) {
    ASSERT_TRUE(start(short_drain()));
    ASSERT_EQ(http_get(server_->port(), "/healthz").status, 200);
    auto silent = logged_in("silent");  // never answers: keeps the drain going
    auto watcher = logged_in("watcher");
    ASSERT_TRUE(silent && watcher);
    server_->terminate();
    // The goaway proves the drain has begun.
    ASSERT_TRUE(next_of_type(*watcher, "goaway", 5s)) << dump(*watcher);
    auto r = http_get(server_->port(), "/healthz", false, {}, 2s);
    // Either the listener is already closed or it answers 503; never 200.
    EXPECT_NE(r.status, 200) << r.body;
    if (r.status != 0) {
        EXPECT_EQ(r.status, 503) << r.body;
    }
    // New WebSocket upgrades are not accepted either.
    WsClient late;
    auto lr = late.connect(server_->port(), false);
    EXPECT_FALSE(lr.ok) << "upgrade accepted while draining";
    auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
}

TEST_F(ShutdownTest, ClientThatDoesNotAnswerDoesNotBlockExit) {
    ASSERT_TRUE(start(short_drain()));
    auto a = logged_in("alice");
    ASSERT_TRUE(a);
    // alice never reads the goaway nor answers the close handshake.
    server_->terminate();
    auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code) << "a silent client must not hold the process past the drain deadline";
    EXPECT_EQ(*code, 0);
}

}  // namespace
}  // namespace sbtest
