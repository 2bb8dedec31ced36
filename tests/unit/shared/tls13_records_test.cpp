#include "shared/tls13_records.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace switchboard::shared {
namespace {

using Suite = Tls13Records::Suite;
using Result = Tls13Records::Result;

std::vector<unsigned char> secret_of(std::size_t size, unsigned char seed) {
    std::vector<unsigned char> s(size);
    for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<unsigned char>(seed + i * 7);
    return s;
}

// A server and its mirror: the mirror reads what the server writes and
// writes what the server reads, as the client would.
struct Pair {
    std::unique_ptr<Tls13Records> server;
    std::unique_ptr<Tls13Records> client;
};

Pair make_pair(Suite suite, std::size_t hash) {
    const auto c = secret_of(hash, 1);
    const auto s = secret_of(hash, 100);
    return {Tls13Records::server(suite, c, s, 0, 0), Tls13Records::server(suite, s, c, 0, 0)};
}

class Tls13RecordsSuites : public ::testing::TestWithParam<std::pair<Suite, std::size_t>> {};

TEST_P(Tls13RecordsSuites, RecordsRoundTripInOrderAndLargeWritesSplitAt16KiB) {
    auto [server, client] = make_pair(GetParam().first, GetParam().second);
    ASSERT_TRUE(server && client);
    std::string message(40000, '\0');
    for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>(i * 31 + 7);
    std::string wire;
    std::size_t taken = 0;
    int records = 0;
    while (taken < message.size()) {
        const std::size_t t = server->seal(message.data() + taken, message.size() - taken, wire);
        ASSERT_GT(t, 0u);
        ASSERT_LE(t, Tls13Records::kMaxPlaintext);
        taken += t;
        ++records;
    }
    EXPECT_EQ(records, 3);
    EXPECT_EQ(wire.size(), message.size() + 3 * Tls13Records::kOverhead);
    const auto opened = client->open(wire.data(), wire.size());
    EXPECT_EQ(opened.result, Result::ok);
    EXPECT_EQ(opened.consumed, wire.size());
    ASSERT_EQ(opened.plaintext, message.size());
    EXPECT_EQ(wire.substr(0, opened.plaintext), message);
}

INSTANTIATE_TEST_SUITE_P(AllSuites, Tls13RecordsSuites,
                         ::testing::Values(std::pair{Suite::aes_128_gcm_sha256, std::size_t{32}},
                                           std::pair{Suite::aes_256_gcm_sha384, std::size_t{48}},
                                           std::pair{Suite::chacha20_poly1305_sha256,
                                                     std::size_t{32}}));

TEST(Tls13Records, APartialRecordIsLeftForTheNextRead) {
    auto [server, client] = make_pair(Suite::aes_128_gcm_sha256, 32);
    std::string wire;
    server->seal("hello", 5, wire);
    server->seal("world", 5, wire);
    std::string part = wire.substr(0, wire.size() - 3);
    auto opened = client->open(part.data(), part.size());
    EXPECT_EQ(opened.result, Result::ok);
    EXPECT_EQ(opened.plaintext, 5u);
    EXPECT_EQ(part.substr(0, 5), "hello");
    EXPECT_EQ(opened.consumed, wire.size() / 2);
    std::string rest = wire.substr(opened.consumed);
    opened = client->open(rest.data(), rest.size());
    EXPECT_EQ(opened.plaintext, 5u);
    EXPECT_EQ(rest.substr(0, 5), "world");
    // Fewer than five bytes: not even a header yet.
    std::string header = wire.substr(0, 4);
    EXPECT_EQ(client->open(header.data(), header.size()).consumed, 0u);
}

TEST(Tls13Records, ATamperedRecordFailsAndSoDoesAReplayedOne) {
    auto [server, client] = make_pair(Suite::aes_128_gcm_sha256, 32);
    std::string wire;
    server->seal("secret", 6, wire);
    std::string tampered = wire;
    tampered[8] ^= 1;
    EXPECT_EQ(client->open(tampered.data(), tampered.size()).result, Result::failed);
    EXPECT_STREQ(client->error(), "bad record MAC");

    auto [server2, client2] = make_pair(Suite::aes_128_gcm_sha256, 32);
    std::string one;
    server2->seal("once", 4, one);
    std::string copy = one;
    EXPECT_EQ(client2->open(one.data(), one.size()).result, Result::ok);
    // The same record again has the wrong record number for its nonce.
    EXPECT_EQ(client2->open(copy.data(), copy.size()).result, Result::failed);
}

TEST(Tls13Records, UnprotectedOrOversizedRecordsFail) {
    auto [server, client] = make_pair(Suite::aes_128_gcm_sha256, 32);
    std::string alert = {21, 3, 3, 0, 2, 2, 40};  // a plaintext fatal alert
    EXPECT_EQ(client->open(alert.data(), alert.size()).result, Result::failed);
    std::string huge = {23, 3, 3, 0x41, 0x01};  // 16641 > 2^14 + 256
    EXPECT_EQ(client->open(huge.data(), huge.size()).result, Result::failed);
    std::string tiny = {23, 3, 3, 0, 16};  // no room for a content type
    tiny.append(16, '\0');
    EXPECT_EQ(client->open(tiny.data(), tiny.size()).result, Result::failed);
}

TEST(Tls13Records, CloseNotifyEndsTheStreamAfterTheDataBeforeIt) {
    auto [server, client] = make_pair(Suite::chacha20_poly1305_sha256, 32);
    std::string wire;
    server->seal("bye", 3, wire);
    server->seal_close_notify(wire);
    server->seal("ignored", 7, wire);
    const auto opened = client->open(wire.data(), wire.size());
    EXPECT_EQ(opened.result, Result::closed);
    EXPECT_EQ(opened.plaintext, 3u);
    EXPECT_EQ(wire.substr(0, 3), "bye");
}

TEST(Tls13Records, RecordNumbersStartWhereTheHandshakeLeftThem) {
    // The server has sent two tickets: its first record after the hand-over is number 2.
    const auto c = secret_of(32, 1);
    const auto s = secret_of(32, 100);
    auto server = Tls13Records::server(Suite::aes_128_gcm_sha256, c, s, 0, 2);
    auto wrong = Tls13Records::server(Suite::aes_128_gcm_sha256, s, c, 0, 0);
    auto right = Tls13Records::server(Suite::aes_128_gcm_sha256, s, c, 2, 0);
    std::string wire;
    server->seal("x", 1, wire);
    std::string copy = wire;
    EXPECT_EQ(wrong->open(wire.data(), wire.size()).result, Result::failed);
    EXPECT_EQ(right->open(copy.data(), copy.size()).plaintext, 1u);
}

TEST(Tls13Records, SecretsOfTheWrongSizeAreRefused) {
    const auto short_secret = secret_of(31, 1);
    const auto good = secret_of(32, 1);
    EXPECT_EQ(Tls13Records::server(Suite::aes_128_gcm_sha256, short_secret, good, 0, 0), nullptr);
    EXPECT_EQ(Tls13Records::server(Suite::aes_256_gcm_sha384, good, good, 0, 0), nullptr);
    EXPECT_EQ(Tls13Records::server(static_cast<Suite>(0x1304), good, good, 0, 0), nullptr);
}

TEST(Tls13Records, ExpandLabelMatchesRfc8448) {
    // RFC 8448 §3, "{server} derive write traffic keys for handshake data".
    const std::array<unsigned char, 32> secret = {0xb6, 0x7b, 0x7d, 0x69, 0x0c, 0xc1, 0x6c, 0x4e,
                                                  0x75, 0xe5, 0x42, 0x13, 0xcb, 0x2d, 0x37, 0xb4,
                                                  0xe9, 0xc9, 0x12, 0xbc, 0xde, 0xd9, 0x10, 0x5d,
                                                  0x42, 0xbe, 0xfd, 0x59, 0xd3, 0x91, 0xad, 0x38};
    const std::array<unsigned char, 16> key = {0x3f, 0xce, 0x51, 0x60, 0x09, 0xc2, 0x17, 0x27,
                                               0xd0, 0xf2, 0xe4, 0xe8, 0x6e, 0xe4, 0x03, 0xbc};
    const std::array<unsigned char, 12> iv = {0x5d, 0x31, 0x3e, 0xb2, 0x67, 0x12,
                                              0x76, 0xee, 0x13, 0x00, 0x0b, 0x30};
    std::array<unsigned char, 16> k{};
    std::array<unsigned char, 12> i{};
    ASSERT_TRUE(Tls13Records::expand_label(Suite::aes_128_gcm_sha256, secret, "key", k));
    ASSERT_TRUE(Tls13Records::expand_label(Suite::aes_128_gcm_sha256, secret, "iv", i));
    EXPECT_EQ(k, key);
    EXPECT_EQ(i, iv);
}

}  // namespace
}  // namespace switchboard::shared
