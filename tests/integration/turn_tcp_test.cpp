// STUN over TCP and TLS (RFC 8489 section 6.2.2, RFC 8656 section 12.5): the
// server cuts its byte stream into messages however the bytes arrive (two
// in one segment, one spread over many), and a stream that is not STUN or
// ChannelData is closed at once, without harming the server: a fresh
// connection is answered afterwards (DESIGN.md rule 2: a bad packet never
// stops the read loop, never crashes).

#include <thread>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/channel_data.hpp"
#include "turn/stun/text_attributes.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;

class TurnStreamTest : public TurnTest, public ::testing::WithParamInterface<Proto> {
protected:
    void SetUp() override {
        TurnServerSpec spec;
        spec.tls = GetParam() == Proto::tls;
        spec.allow_peers = R"(["127.0.0.1/32"])";
        ASSERT_TRUE(start_turn(spec));
    }
    std::uint16_t port() const { return GetParam() == Proto::tls ? tls_port_ : tcp_port_; }

    std::unique_ptr<StunSocket> connect() {
        std::string error;
        auto s = StunSocket::connect(GetParam(), "127.0.0.1", port(), &error);
        if (!s) ADD_FAILURE() << error;
        return s;
    }

    // A TURN client on this transport with a UDP relay allocated (its address
    // in *relayed when asked), or nullptr with a test failure.
    std::unique_ptr<TurnClient> allocated(stun::Address* relayed = nullptr) {
        const auto creds = rest_credentials("alice");
        std::string error;
        auto c = TurnClient::connect(GetParam(), "127.0.0.1", port(), creds.username,
                                     creds.password, &error);
        if (!c) {
            ADD_FAILURE() << error;
            return nullptr;
        }
        const auto alloc = c->allocate();
        if (!(alloc && alloc->success() && alloc->xor_relayed)) {
            ADD_FAILURE() << (alloc ? alloc->describe() : "no response");
            return nullptr;
        }
        if (relayed) *relayed = *alloc->xor_relayed;
        return c;
    }

    // The server still answers a Binding on a new connection.
    ::testing::AssertionResult still_serving() {
        if (!server_->running())
            return ::testing::AssertionFailure() << "the server process exited";
        auto s = StunSocket::connect(GetParam(), "127.0.0.1", port());
        if (!s) return ::testing::AssertionFailure() << "cannot connect any more";
        const auto id = stun::TransactionId::random();
        if (!s->send(binding_request(id))) return ::testing::AssertionFailure() << s->last_error();
        const auto bytes = s->receive(3s);
        if (!bytes)
            return ::testing::AssertionFailure() << "no Binding response: " << s->last_error();
        const auto r = decode_response(*bytes);
        if (!r || !r->success() || r->transaction_id != id)
            return ::testing::AssertionFailure() << "bad Binding response";
        return ::testing::AssertionSuccess();
    }
};

TEST_P(TurnStreamTest, TwoRequestsInOneWriteGetTwoResponsesInOrder) {
    auto s = connect();
    ASSERT_TRUE(s);
    const auto id1 = stun::TransactionId::random();
    const auto id2 = stun::TransactionId::random();
    Bytes both = binding_request(id1, true);
    const Bytes second = binding_request(id2, false);
    both.insert(both.end(), second.begin(), second.end());
    ASSERT_TRUE(s->send(both)) << s->last_error();
    const auto first = s->receive(3s);
    ASSERT_TRUE(first) << s->last_error();
    const auto then = s->receive(3s);
    ASSERT_TRUE(then) << "only one response to two requests in one write: " << s->last_error();
    const auto r1 = decode_response(*first);
    const auto r2 = decode_response(*then);
    ASSERT_TRUE(r1 && r2);
    EXPECT_EQ(r1->transaction_id, id1);
    EXPECT_EQ(r2->transaction_id, id2);
    EXPECT_TRUE(r1->success() && r2->success());
    ASSERT_TRUE(r1->xor_mapped && r2->xor_mapped);
    EXPECT_EQ(*r1->xor_mapped, s->local_address());
    EXPECT_TRUE(r1->has_fingerprint);
    EXPECT_FALSE(r2->has_fingerprint);

    // Three more, together with the start of a fourth; the rest later.
    Bytes batch;
    std::vector<stun::TransactionId> ids;
    for (int i = 0; i < 4; ++i) {
        ids.push_back(stun::TransactionId::random());
        const auto req = binding_request(ids.back());
        batch.insert(batch.end(), req.begin(), req.end());
    }
    const std::size_t split = batch.size() - 7;
    ASSERT_TRUE(s->send(std::span<const std::uint8_t>(batch).first(split)));
    for (int i = 0; i < 3; ++i) {
        const auto b = s->receive(3s);
        ASSERT_TRUE(b) << "response " << i << ": " << s->last_error();
        EXPECT_EQ(decode_response(*b)->transaction_id, ids[static_cast<std::size_t>(i)]);
    }
    ASSERT_TRUE(s->send(std::span<const std::uint8_t>(batch).subspan(split)));
    const auto last = s->receive(3s);
    ASSERT_TRUE(last) << s->last_error();
    EXPECT_EQ(decode_response(*last)->transaction_id, ids[3]);
}

TEST_P(TurnStreamTest, RequestSplitByteByByteIsReassembled) {
    auto s = connect();
    ASSERT_TRUE(s);
    const auto id = stun::TransactionId::random();
    const auto req = binding_request(id);  // 28 bytes with FINGERPRINT
    ASSERT_TRUE(s->send_bytewise(req, 2ms)) << s->last_error();
    const auto bytes = s->receive(3s);
    ASSERT_TRUE(bytes) << s->last_error();
    const auto r = decode_response(*bytes);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->transaction_id, id);
    EXPECT_TRUE(r->success()) << *r;
    ASSERT_TRUE(r->xor_mapped);
    EXPECT_EQ(*r->xor_mapped, s->local_address());

    // An authenticated Allocate, byte by byte, works the same way.
    const auto creds = rest_credentials("alice");
    TurnClient probe(std::move(s), creds.username, creds.password);
    const auto alloc = probe.allocate();  // normal writes, to learn REALM/NONCE and allocate
    ASSERT_TRUE(alloc);
    EXPECT_TRUE(alloc->success()) << *alloc;
    // A Refresh written one byte at a time.
    stun::MessageBuilder b(stun::Method::refresh, stun::MessageClass::request,
                           stun::TransactionId::random());
    stun::add_username(b, probe.username());
    stun::add_realm(b, probe.realm());
    stun::add_nonce(b, probe.nonce());
    const auto key = probe.key();
    b.add_message_integrity(key);
    b.add_fingerprint();
    ASSERT_TRUE(probe.socket().send_bytewise(b.bytes(), 1ms));
    const auto refreshed = probe.socket().receive(3s);
    ASSERT_TRUE(refreshed) << probe.socket().last_error();
    const auto rr = decode_response(*refreshed);
    ASSERT_TRUE(rr);
    EXPECT_EQ(rr->transaction_id, b.transaction_id());
    EXPECT_TRUE(rr->success()) << *rr;
}

struct Garbage {
    std::string name;
    Bytes bytes;
};

std::vector<Garbage> garbage_cases() {
    // A valid Binding header with the magic cookie replaced.
    Bytes bad_cookie = binding_request(stun::TransactionId::random(), false);
    bad_cookie[4] ^= 0xFF;
    // A STUN-looking header whose Length is not a multiple of 4.
    Bytes bad_length = binding_request(stun::TransactionId::random(), false);
    bad_length[3] = 0x02;
    return {
        {"high_bits", Bytes(64, 0xFF)},
        {"sslv2_hello_like", {0x80, 0x01, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00}},
        {"bad_magic_cookie", bad_cookie},
        {"length_not_multiple_of_4", bad_length},
        {"rtp_like", {0x80, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef}},
    };
}

TEST_P(TurnStreamTest, GarbageClosesTheConnectionAndTheServerCarriesOn) {
    for (const auto& g : garbage_cases()) {
        SCOPED_TRACE(g.name);
        auto s = connect();
        ASSERT_TRUE(s);
        ASSERT_TRUE(s->send(g.bytes)) << s->last_error();
        EXPECT_TRUE(s->wait_closed(3s))
            << "the server kept a connection open after '" << g.name << "'";
        EXPECT_TRUE(still_serving());
    }
}

TEST_P(TurnStreamTest, GarbageAfterAGoodRequestClosesWithTheAllocation) {
    auto c = allocated();
    ASSERT_TRUE(c);
    // A good Binding first, then bytes that cannot start a frame.
    Bytes bytes = binding_request(stun::TransactionId::random());
    bytes.insert(bytes.end(), {0xC0, 0xFF, 0xEE, 0x00});
    ASSERT_TRUE(c->socket().send(bytes));
    const auto first = c->socket().receive(3s);
    ASSERT_TRUE(first) << "the good request before the garbage was not answered: "
                       << c->socket().last_error();
    EXPECT_TRUE(c->socket().wait_closed(3s));
    // The allocation went with its connection (RFC 8656 section 3.1): the
    // live gauge goes back to zero.
    double live = -1;
    for (int i = 0; i < 60; ++i) {
        const auto m = http_get(server_->port(), "/metrics");
        live = metric_value(m.body, "switchboard_turn_allocations").value_or(-1);
        if (live == 0) break;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(live, 0) << "the allocation outlived its TCP/TLS connection";
    EXPECT_TRUE(still_serving());
}

TEST_P(TurnStreamTest, ChannelDataBeforeAnyAllocationIsDroppedNotFatal) {
    auto s = connect();
    ASSERT_TRUE(s);
    Bytes cd;
    ASSERT_TRUE(stun::encode_channel_data(0x4000, to_bytes("hello"), cd, stun::Framing::stream));
    ASSERT_TRUE(s->send(cd));
    // Still in step: a Binding on the same connection is answered.
    const auto id = stun::TransactionId::random();
    ASSERT_TRUE(s->send(binding_request(id)));
    const auto bytes = s->receive(3s);
    ASSERT_TRUE(bytes) << s->last_error();
    EXPECT_EQ(decode_response(*bytes)->transaction_id, id);
}

TEST_P(TurnStreamTest, HalfAMessageThenCloseIsHarmless) {
    for (int i = 0; i < 5; ++i) {
        auto s = connect();
        ASSERT_TRUE(s);
        const auto req = binding_request(stun::TransactionId::random());
        ASSERT_TRUE(s->send(std::span<const std::uint8_t>(req).first(10)));
    }  // closed with half a message buffered
    EXPECT_TRUE(still_serving());
}

// Every phase of a stream connection has a deadline (10 s for the TLS
// handshake, 10 s for the first STUN/ChannelData frame, then 300 s idle): a
// connection that sends nothing is closed after about 10 s, one that sent a
// frame is not.
TEST_P(TurnStreamTest, ASilentConnectionIsClosedAtTheFirstFrameDeadline) {
    auto silent = connect();
    auto talker = connect();
    ASSERT_TRUE(silent && talker);
    // TLS: a TCP connection that never starts the handshake.
    auto no_handshake =
        GetParam() == Proto::tls ? StunSocket::connect(Proto::tcp, "127.0.0.1", port()) : nullptr;
    const auto t0 = std::chrono::steady_clock::now();
    auto id = stun::TransactionId::random();
    ASSERT_TRUE(talker->send(binding_request(id)));
    auto bytes = talker->receive(3s);
    ASSERT_TRUE(bytes) << talker->last_error();
    EXPECT_EQ(decode_response(*bytes)->transaction_id, id);

    EXPECT_TRUE(silent->wait_closed(20s)) << "a silent connection outlived its deadline";
    const auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(waited, 9s) << "closed before the 10 s deadline";
    if (no_handshake) {
        EXPECT_TRUE(no_handshake->wait_closed(5s)) << "no TLS handshake, yet not closed";
    }
    // The talker is past its first frame: still served.
    id = stun::TransactionId::random();
    ASSERT_TRUE(talker->send(binding_request(id)));
    bytes = talker->receive(3s);
    ASSERT_TRUE(bytes) << "a connection that sent a frame was closed: " << talker->last_error();
    EXPECT_EQ(decode_response(*bytes)->transaction_id, id);
}

// Relayed data for one client that queues up behind a write in flight is
// sent in one write (several TURN frames per TCP segment / TLS record): a
// stream reader that frames by length must get every message, in order.
TEST_P(TurnStreamTest, BurstFromAPeerArrivesWholeAndInOrder) {
    stun::Address relayed;
    auto c = allocated(&relayed);
    ASSERT_TRUE(c);
    UdpPeer via_channel, via_indication;
    ASSERT_TRUE(via_channel.ok() && via_indication.ok());
    const auto bound = c->channel_bind(0x4000, via_channel.local_address());
    ASSERT_TRUE(bound && bound->success()) << (bound ? bound->describe() : "no response");
    const auto permitted = c->create_permission({via_indication.local_address()});
    ASSERT_TRUE(permitted && permitted->success())
        << (permitted ? permitted->describe() : "no response");

    constexpr int kCount = 150;
    for (int i = 0; i < kCount; ++i) {
        Bytes payload(170 + static_cast<std::size_t>(i % 7), static_cast<std::uint8_t>(i));
        auto& peer = i % 2 == 0 ? via_channel : via_indication;
        ASSERT_TRUE(peer.send_to(relayed, payload));
        // A light pace: the relay socket's kernel buffer is not the subject.
        if (i % 10 == 9) std::this_thread::sleep_for(1ms);
    }
    for (int i = 0; i < kCount; ++i) {
        const auto got = c->receive_data(3s);
        ASSERT_TRUE(got) << "message " << i << " of " << kCount
                         << " missing: " << c->socket().last_error();
        const bool channel = i % 2 == 0;
        EXPECT_EQ(got->channel_data, channel) << "message " << i;
        if (channel) {
            EXPECT_EQ(got->channel, 0x4000);
        } else {
            ASSERT_TRUE(got->peer);
            EXPECT_EQ(*got->peer, via_indication.local_address());
        }
        EXPECT_EQ(got->payload,
                  Bytes(170 + static_cast<std::size_t>(i % 7), static_cast<std::uint8_t>(i)))
            << "message " << i << " out of order or damaged";
    }
}

INSTANTIATE_TEST_SUITE_P(Turn, TurnStreamTest, ::testing::Values(Proto::tcp, Proto::tls),
                         [](const ::testing::TestParamInfo<Proto>& info) {
                             return to_string(info.param);
                         });

class TurnTlsPortTest : public TurnTest {};

TEST_F(TurnTlsPortTest, PlainStunOnTheTlsPortIsClosedPromptly) {
    TurnServerSpec spec;
    spec.tls = true;
    ASSERT_TRUE(start_turn(spec));
    auto s = StunSocket::connect(Proto::tcp, "127.0.0.1", tls_port_);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->send(binding_request(stun::TransactionId::random())));
    // The TLS handshake fails on the first record; no need to wait for the
    // 10 s handshake deadline.
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(s->wait_closed(5s));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    auto ok = StunSocket::connect(Proto::tls, "127.0.0.1", tls_port_);
    ASSERT_TRUE(ok);
    const auto id = stun::TransactionId::random();
    ASSERT_TRUE(ok->send(binding_request(id)));
    const auto bytes = ok->receive(3s);
    ASSERT_TRUE(bytes) << ok->last_error();
    EXPECT_EQ(decode_response(*bytes)->transaction_id, id);
}

}  // namespace
}  // namespace sbtest::turnit
