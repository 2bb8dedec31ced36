// wss/https on the signaling listener (PROTOCOL.md "Transport").

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

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

// Whether a TLS 1.2 handshake offering only `ciphers` succeeds (blocking, bounded).
bool tls12_handshake(std::uint16_t port, const char* ciphers) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_security_level(ctx, 0);  // let the client offer what the server must refuse
        SSL_CTX_set_cipher_list(ctx, ciphers);
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        ok = SSL_connect(ssl) == 1;
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
    ::close(fd);
    return ok;
}

// Mozilla "intermediate": TLS 1.2 only with forward secrecy and an AEAD.
TEST_F(TlsTest, Tls12WithoutForwardSecrecyOrAeadIsRefused) {
    EXPECT_TRUE(tls12_handshake(server_->port(), "ECDHE-RSA-AES128-GCM-SHA256"));
    EXPECT_TRUE(tls12_handshake(server_->port(), "ECDHE-RSA-CHACHA20-POLY1305"));
    EXPECT_FALSE(tls12_handshake(server_->port(), "AES128-GCM-SHA256"));     // static RSA
    EXPECT_FALSE(tls12_handshake(server_->port(), "AES128-SHA"));            // static RSA, CBC-SHA1
    EXPECT_FALSE(tls12_handshake(server_->port(), "ECDHE-RSA-AES128-SHA"));  // CBC-SHA1
    EXPECT_EQ(http_get(server_->port(), "/healthz", true).status, 200);
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
                "\"}\nturn: {secret: \"x-0123456789abcdef0123456789-0123456789abcdef0123456789\", "
                "listen_udp: [], listen_tcp: []}\n";
    auto s = ServerProcess::from_yaml(yaml, std::chrono::seconds(5));
    EXPECT_FALSE(s.started()) << "must not listen without its certificate";
    auto code = s.wait_exit(std::chrono::seconds(5));
    ASSERT_TRUE(code) << "still running";
    EXPECT_NE(*code, 0);
}

}  // namespace
}  // namespace sbtest
