// wss/https on the signaling listener (PROTOCOL.md "Transport").

#include "tests/integration/http_client.hpp"
#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

class TlsTest : public ServerTest {
protected:
    void SetUp() override {
        ServerConfig cfg;
        cfg.tls = true;
        ASSERT_TRUE(start(cfg));
    }
};

TEST_F(TlsTest, LogAnnouncesWss) {
    EXPECT_EQ(server_->scheme(), "wss");
    EXPECT_NE(server_->log().find("wss://"), std::string::npos);
}

TEST_F(TlsTest, LoginJoinSignalOverWss) {
    auto a = logged_in("alice");
    auto b = logged_in("bob");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    ASSERT_TRUE(
        a->send_text(R"({"type":"signal","id":3,"roomId":"r1","to":"bob","data":"v=0\r\n"})"));
    auto reply = reply_to(*a, 3);
    ASSERT_TRUE(reply && reply->is_success());
    auto m = next_of_type(*b, "signal");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->str("from"), "alice") << *m;
    EXPECT_NE(m->raw.find(R"("data":"v=0\r\n")"), std::string::npos) << *m;
    ASSERT_TRUE(a->close(1000));
    auto left = next_of_type(*b, "user-left");
    ASSERT_TRUE(left);
    EXPECT_EQ(left->str("reason"), "left") << *left;
}

TEST_F(TlsTest, HttpsEndpointsWork) {
    auto r = http_get(server_->port(), "/healthz", true);
    EXPECT_EQ(r.status, 200) << r.error;
}

TEST_F(TlsTest, PlainHttpToTlsPortFails) {
    auto r = http_get(server_->port(), "/healthz", false, {}, std::chrono::seconds(3));
    EXPECT_NE(r.status, 200) << r.body;
    auto raw = raw_exchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), std::string::npos) << raw;
    WsClient c;
    auto ws = c.connect(server_->port(), false);
    EXPECT_FALSE(ws.ok);
    // Still serving TLS clients afterwards.
    EXPECT_EQ(http_get(server_->port(), "/healthz", true).status, 200);
}

TEST(TlsConfigTest, MissingCertificateFileFailsAtStartup) {
    TempDir dir;
    auto yaml = std::string("signaling:\n  listen: \"127.0.0.1:0\"\n  tls: {cert: \"") +
                (dir.path() / "nope.pem").string() + "\", key: \"" +
                (dir.path() / "nope.key").string() +
                "\"}\nturn: {secret: \"x\", listen_udp: [], listen_tcp: []}\n";
    auto s = ServerProcess::from_yaml(yaml, std::chrono::seconds(5));
    EXPECT_FALSE(s.started()) << "must not listen without its certificate";
    auto code = s.wait_exit(std::chrono::seconds(5));
    ASSERT_TRUE(code) << "still running";
    EXPECT_NE(*code, 0);
}

}  // namespace
}  // namespace sbtest
