// The WebSocket upgrade: subprotocol negotiation, Origin allow-list and the
// connection cap (PROTOCOL.md "Transport").

#include <thread>

#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

class HandshakeTest : public ServerTest {
protected:
    WsConnectResult try_connect(WsClient& c, std::vector<std::string> protocols,
                                std::optional<std::string> origin = std::nullopt) {
        WsConnectOptions o;
        o.tls = tls_;
        o.subprotocols = std::move(protocols);
        o.origin = std::move(origin);
        return c.connect(server_->port(), o);
    }
    // The connection is really usable: a ping gets a pong.
    static ::testing::AssertionResult usable(WsClient& c) {
        if (!c.send_text(R"({"type":"ping","id":1})"))
            return ::testing::AssertionFailure() << "send failed";
        auto m = next_msg(c);
        if (!m || m->type() != "pong")
            return ::testing::AssertionFailure() << "no pong: " << (m ? m->raw : c.last_error());
        return ::testing::AssertionSuccess();
    }
};

TEST_F(HandshakeTest, SwitchboardSubprotocolIsEchoed) {
    ASSERT_TRUE(start(ServerConfig{}));
    WsClient c;
    auto r = try_connect(c, {"switchboard.v1"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.status, 101);
    EXPECT_EQ(c.negotiated_subprotocol(), "switchboard.v1");
    EXPECT_TRUE(usable(c));
}

TEST_F(HandshakeTest, SwitchboardIsPickedAmongOthers) {
    ASSERT_TRUE(start(ServerConfig{}));
    WsClient c;
    auto r = try_connect(c, {"chat", "switchboard.v1", "other"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(c.negotiated_subprotocol(), "switchboard.v1");
}

TEST_F(HandshakeTest, OnlyOtherSubprotocolsAreRefusedWith400) {
    ASSERT_TRUE(start(ServerConfig{}));
    WsClient c;
    auto r = try_connect(c, {"other"});
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.status, 400) << r.error;
    WsClient c2;
    r = try_connect(c2, {"switchboard.v2", "chat"});
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.status, 400) << r.error;
}

TEST_F(HandshakeTest, NoSubprotocolIsAccepted) {
    ASSERT_TRUE(start(ServerConfig{}));
    WsClient c;
    auto r = try_connect(c, {});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(c.negotiated_subprotocol(), "");
    EXPECT_TRUE(usable(c));
}

TEST_F(HandshakeTest, OriginAllowList) {
    ServerConfig cfg;
    cfg.set("allowed_origins", R"(["https://ok.example"])");
    ASSERT_TRUE(start(cfg));
    {
        WsClient c;
        auto r = try_connect(c, {"switchboard.v1"}, "https://ok.example");
        ASSERT_TRUE(r) << r.error;
        EXPECT_TRUE(usable(c));
    }
    {
        WsClient c;
        auto r = try_connect(c, {"switchboard.v1"}, "https://evil.example");
        EXPECT_FALSE(r.ok);
        EXPECT_EQ(r.status, 403) << r.error;
    }
    {
        // A look-alike that only shares a prefix.
        WsClient c;
        auto r = try_connect(c, {"switchboard.v1"}, "https://ok.example.evil.example");
        EXPECT_FALSE(r.ok);
        EXPECT_EQ(r.status, 403) << r.error;
    }
    {
        // Not a browser: no Origin, not subject to the list.
        WsClient c;
        auto r = try_connect(c, {"switchboard.v1"});
        ASSERT_TRUE(r) << r.error;
        EXPECT_TRUE(usable(c));
    }
}

TEST_F(HandshakeTest, AnyOriginWhenListIsEmpty) {
    ASSERT_TRUE(start(ServerConfig{}));
    WsClient c;
    auto r = try_connect(c, {"switchboard.v1"}, "https://anything.example");
    ASSERT_TRUE(r) << r.error;
    EXPECT_TRUE(usable(c));
}

TEST_F(HandshakeTest, MaxConnectionsRefusesWith503) {
    ServerConfig cfg;
    cfg.set("max_connections", "2");
    ASSERT_TRUE(start(cfg));
    WsClient a, b;
    ASSERT_TRUE(try_connect(a, {"switchboard.v1"}));
    ASSERT_TRUE(try_connect(b, {"switchboard.v1"}));
    ASSERT_TRUE(usable(a));
    ASSERT_TRUE(usable(b));
    WsClient c;
    auto r = try_connect(c, {"switchboard.v1"});
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.status, 503) << r.error;

    // A slot frees up when a client leaves. The server may notice the close a
    // little later, so retry a bounded number of times.
    ASSERT_TRUE(a.close(1000));
    bool reconnected = false;
    for (int attempt = 0; attempt < 20 && !reconnected; ++attempt) {
        WsClient d;
        auto rd = try_connect(d, {"switchboard.v1"});
        if (rd) {
            reconnected = true;
            EXPECT_TRUE(usable(d));
        } else {
            EXPECT_EQ(rd.status, 503) << rd.error;
            std::this_thread::sleep_for(50ms);
        }
    }
    EXPECT_TRUE(reconnected) << "a closed connection must free its slot";
}

TEST_F(HandshakeTest, UpgradeOnOtherPathIsRefused) {
    ASSERT_TRUE(start(ServerConfig{}));
    WsClient c;
    WsConnectOptions o;
    o.path = "/not-ws";
    auto r = c.connect(server_->port(), o);
    EXPECT_FALSE(r.ok);
    EXPECT_GE(r.status, 400) << r.error;
}

}  // namespace
}  // namespace sbtest
