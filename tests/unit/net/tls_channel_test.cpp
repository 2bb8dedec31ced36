// TlsChannel against OpenSSL's own client over a socketpair: the hand-over
// to the TLS 1.3 record layer is right (record numbers, every suite, ticket
// counts), KeyUpdate both ways, close_notify, tampering, partial reads and
// writes; TLS 1.2 stays with OpenSSL.
#include "shared/net/tls_channel.hpp"

#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace switchboard::shared::net {
namespace {

using Status = TlsChannel::Status;

// A self-signed P-256 certificate, made once.
struct Identity {
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    Identity() {
        key = EVP_EC_gen("P-256");
        cert = X509_new();
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), 0);
        X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
        X509_set_pubkey(cert, key);
        X509_NAME* name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
        X509_set_issuer_name(cert, name);
        X509_sign(cert, key, EVP_sha256());
    }
};

const Identity& identity() {
    static const Identity id;
    return id;
}

SSL_CTX* server_ctx(int tickets) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, identity().cert);
    SSL_CTX_use_PrivateKey(ctx, identity().key);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, static_cast<std::size_t>(tickets));
    SSL_CTX_set_ciphersuites(
        ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
    return ctx;
}

std::string pattern(std::size_t size, unsigned seed) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + seed) >> 3);
    return s;
}

// The client is OpenSSL on memory BIOs; pump() carries its bytes to and from
// the socket, so a test can cut them up or flip one.
class Fixture : public ::testing::Test {
protected:
    void SetUp() override {
        int fds[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        server_fd_ = fds[0];
        wire_fd_ = fds[1];
        fcntl(server_fd_, F_SETFL, O_NONBLOCK);
        fcntl(wire_fd_, F_SETFL, O_NONBLOCK);
    }
    void TearDown() override {
        channel_.reset();
        if (client_ != nullptr) SSL_free(client_);
        SSL_CTX_free(client_ctx_);
        SSL_CTX_free(ctx_);
        close(server_fd_);
        close(wire_fd_);
    }

    void start(int tickets = 1, const char* suites = nullptr, bool tls12 = false) {
        ctx_ = server_ctx(tickets);
        channel_ = TlsChannel::accept(ctx_, server_fd_);
        ASSERT_TRUE(channel_);
        client_ctx_ = SSL_CTX_new(TLS_client_method());
        if (tls12) SSL_CTX_set_max_proto_version(client_ctx_, TLS1_2_VERSION);
        if (suites != nullptr) SSL_CTX_set_ciphersuites(client_ctx_, suites);
        client_ = SSL_new(client_ctx_);
        SSL_set_bio(client_, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
        SSL_set_connect_state(client_);
        bool server_done = false;
        for (int i = 0; i < 100 && !(server_done && SSL_is_init_finished(client_)); ++i) {
            SSL_do_handshake(client_);
            pump();
            if (!server_done) {
                const Status s = channel_->handshake();
                ASSERT_NE(s, Status::failed) << channel_->last_error();
                server_done = s == Status::ok;
            }
            pump();
        }
        ASSERT_TRUE(server_done);
        ASSERT_TRUE(SSL_is_init_finished(client_));
    }

    // Client → socket (whole, or `chunk` bytes at a time with a server read
    // after each, or with one byte flipped), socket → client.
    void pump(std::size_t chunk = 0, long flip_at = -1) {
        char buf[65536];
        int n;
        while ((n = BIO_read(SSL_get_wbio(client_), buf, sizeof buf)) > 0) {
            if (flip_at >= 0 && flip_at < n) buf[flip_at] ^= 0x20;
            flip_at = -1;
            for (int off = 0; off < n;) {
                const int step =
                    chunk == 0 ? n - off : std::min<int>(static_cast<int>(chunk), n - off);
                ASSERT_EQ(write(wire_fd_, buf + off, static_cast<std::size_t>(step)), step);
                off += step;
                if (chunk != 0) server_read();
            }
        }
        ssize_t r;
        while ((r = read(wire_fd_, buf, sizeof buf)) > 0)
            BIO_write(SSL_get_rbio(client_), buf, static_cast<int>(r));
    }

    // Everything the server can read now, into received_; the last status.
    Status server_read() {
        static char buffer[65536];
        for (;;) {
            std::size_t n = 0;
            const Status s = channel_->read(buffer, sizeof buffer, n);
            if (s != Status::ok) return s;
            received_.append(buffer, n);
        }
    }

    // Writes all of `data` the way signaling's connection does (same bytes
    // again after want_write), pumping the client when the socket is full.
    void server_write(const std::string& data) {
        std::size_t sent = 0;
        std::size_t retry = 0;
        for (int i = 0; sent < data.size() && i < 100000; ++i) {
            const std::size_t size = retry != 0 ? retry : data.size() - sent;
            std::size_t n = 0;
            const Status s = channel_->write(data.data() + sent, size, n);
            ASSERT_NE(s, Status::failed) << channel_->last_error();
            if (s == Status::ok) {
                sent += n;
                retry = 0;
            } else {
                retry = size;
                pump();
                client_read();
            }
        }
        ASSERT_EQ(sent, data.size());
        pump();
    }

    // Everything the client can read now, into client_received_; SSL_get_error of the last.
    int client_read() {
        char buf[16384];
        for (;;) {
            const int r = SSL_read(client_, buf, sizeof buf);
            if (r <= 0) return SSL_get_error(client_, r);
            client_received_.append(buf, static_cast<std::size_t>(r));
        }
    }

    void client_write(const std::string& data) {
        ASSERT_EQ(SSL_write(client_, data.data(), static_cast<int>(data.size())),
                  static_cast<int>(data.size()));
    }

    int server_fd_ = -1;
    int wire_fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL_CTX* client_ctx_ = nullptr;
    SSL* client_ = nullptr;
    std::unique_ptr<TlsChannel> channel_;
    std::string received_;
    std::string client_received_;
};

struct Case {
    const char* suite;
    int tickets;
};

class TlsChannelHandOver : public Fixture, public ::testing::WithParamInterface<Case> {};

TEST_P(TlsChannelHandOver, CarriesDataBothWaysAfterTheHandOver) {
    start(GetParam().tickets, GetParam().suite);
    EXPECT_TRUE(channel_->records_only());
    // The client reads the tickets; its read sequence then matches ours.
    EXPECT_EQ(client_read(), SSL_ERROR_WANT_READ);

    const std::string up = pattern(100000, 1);
    client_write(up);
    pump();
    EXPECT_EQ(server_read(), Status::want_read);
    EXPECT_EQ(received_, up);

    const std::string down = pattern(150000, 2);
    server_write(down);
    EXPECT_EQ(client_read(), SSL_ERROR_WANT_READ);
    EXPECT_EQ(client_received_, down);
}

INSTANTIATE_TEST_SUITE_P(SuitesAndTickets, TlsChannelHandOver,
                         ::testing::Values(Case{"TLS_AES_128_GCM_SHA256", 1},
                                           Case{"TLS_AES_256_GCM_SHA384", 1},
                                           Case{"TLS_CHACHA20_POLY1305_SHA256", 1},
                                           Case{"TLS_AES_128_GCM_SHA256", 0},
                                           Case{"TLS_AES_128_GCM_SHA256", 3}));

TEST_F(Fixture, RecordsArrivingAByteAtATimeAreReassembled) {
    start();
    const std::string up = pattern(3000, 3);
    client_write(up);
    client_write(up);
    pump(1);
    server_read();
    EXPECT_EQ(received_, up + up);
}

TEST_F(Fixture, AKeyUpdateFromTheClientIsAnsweredBeforeOurNextRecord) {
    start();
    int server_key_updates = 0;
    SSL_set_msg_callback_arg(client_, &server_key_updates);
    SSL_set_msg_callback(
        client_, [](int write_p, int, int type, const void* buf, std::size_t len, SSL*, void* arg) {
            if (write_p == 0 && type == SSL3_RT_HANDSHAKE && len > 0 &&
                static_cast<const unsigned char*>(buf)[0] == 24)
                ++*static_cast<int*>(arg);
        });
    for (int round = 0; round < 3; ++round) {
        ASSERT_EQ(SSL_key_update(client_, SSL_KEY_UPDATE_REQUESTED), 1);
        client_write("after update " + std::to_string(round));
        pump();
        EXPECT_EQ(server_read(), Status::want_read);
        server_write("reply " + std::to_string(round));
        client_read();
    }
    EXPECT_EQ(received_, "after update 0after update 1after update 2");
    EXPECT_EQ(client_received_, "reply 0reply 1reply 2");
    EXPECT_EQ(server_key_updates, 3);
}

TEST_F(Fixture, CloseNotifyEndsTheStreamEachWay) {
    start();
    client_write("last words");
    SSL_shutdown(client_);
    pump();
    EXPECT_EQ(server_read(), Status::closed);
    EXPECT_EQ(received_, "last words");
    channel_->shutdown();
    pump();
    EXPECT_EQ(client_read(), SSL_ERROR_ZERO_RETURN);
}

TEST_F(Fixture, ATamperedRecordFailsTheConnection) {
    start();
    client_read();
    client_write("hello");
    pump(0, 10);
    EXPECT_EQ(server_read(), Status::failed);
    EXPECT_STREQ(channel_->last_error(), "bad record MAC");
}

TEST_F(Fixture, AFullSocketKeepsTheSealedBytesUntilItDrains) {
    start();
    client_read();
    int small = 4096;
    setsockopt(server_fd_, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    const std::string down = pattern(500000, 4);
    server_write(down);  // hits want_write many times, the client reading in between
    client_read();
    EXPECT_EQ(client_received_, down);
}

TEST_F(Fixture, ATls12ConnectionStaysWithOpenSsl) {
    start(1, nullptr, true);
    EXPECT_FALSE(channel_->records_only());
    client_write("over 1.2");
    pump();
    server_read();
    EXPECT_EQ(received_, "over 1.2");
    server_write("back");
    client_read();
    EXPECT_EQ(client_received_, "back");
}

}  // namespace
}  // namespace switchboard::shared::net
