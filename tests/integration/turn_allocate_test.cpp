// Allocation life cycle against the real binary (RFC 8656 sections 5, 7, 8):
// lifetimes granted and clamped, deletion by Refresh 0, retransmissions
// answered without a second allocation, 437 on a used 5-tuple, 441 for
// another user's credentials on an allocation, 486 per-user quota, 442/400
// on the transport, and REST credential expiry (refused for Allocate only).

#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/even_port.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/message.hpp"
#include "turn/stun/requested_transport.hpp"
#include "turn/stun/reservation_token.hpp"
#include "turn/stun/text_attributes.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;

class TurnAllocateTest : public TurnTest {
protected:
    std::unique_ptr<TurnClient> client(const RestCredentials& creds, Proto proto = Proto::udp) {
        std::string error;
        const std::uint16_t port = proto == Proto::udp ? udp_port_ : tcp_port_;
        auto c =
            TurnClient::connect(proto, "127.0.0.1", port, creds.username, creds.password, &error);
        if (!c) ADD_FAILURE() << error;
        return c;
    }
    double live() {
        const auto m = http_get(server_->port(), "/metrics");
        return metric_value(m.body, "switchboard_turn_allocations").value_or(-1);
    }
};

std::string text(const std::optional<StunResponse>& r) {
    return r ? r->describe() : "no response";
}

TEST_F(TurnAllocateTest, LifetimesAreGrantedClampedAndRefreshZeroDeletes) {
    ASSERT_TRUE(start_turn({}));  // max_allocation_lifetime: 1h (default)
    const auto creds = rest_credentials("alice");
    auto a = client(creds);
    ASSERT_TRUE(a);
    auto r = a->allocate(7200);
    ASSERT_TRUE(r && r->success()) << text(r);
    EXPECT_EQ(r->lifetime, 3600u) << "a request above the maximum gets the maximum";
    auto b = client(creds);
    ASSERT_TRUE(b);
    r = b->allocate(30);
    ASSERT_TRUE(r && r->success()) << text(r);
    EXPECT_EQ(r->lifetime, 600u) << "a request below the default gets the default";
    r = b->refresh(100000);
    ASSERT_TRUE(r && r->success()) << text(r);
    EXPECT_EQ(r->lifetime, 3600u);
    r = b->refresh(1000);
    ASSERT_TRUE(r && r->success()) << text(r);
    EXPECT_EQ(r->lifetime, 1000u);
    EXPECT_EQ(live(), 2);
    r = b->refresh(0);
    ASSERT_TRUE(r && r->success()) << text(r);
    EXPECT_EQ(r->lifetime, 0u);
    EXPECT_EQ(live(), 1);
    r = b->refresh();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, stun::kErrorAllocationMismatch) << text(r);
    // The 5-tuple is free again.
    r = b->allocate();
    ASSERT_TRUE(r && r->success()) << text(r);
    EXPECT_TRUE(a->integrity_ok() && b->integrity_ok());
}

TEST_F(TurnAllocateTest, RetransmittedAllocateIsAnsweredFromTheCache) {
    ASSERT_TRUE(start_turn({}));
    const auto creds = rest_credentials("alice");
    auto c = client(creds);
    ASSERT_TRUE(c);
    // Learn REALM and NONCE (the Refresh finds no allocation: 437).
    auto first = c->refresh();
    ASSERT_TRUE(first);
    ASSERT_EQ(first->error_code, stun::kErrorAllocationMismatch) << text(first);

    stun::MessageBuilder b(stun::Method::allocate, stun::MessageClass::request,
                           stun::TransactionId::random());
    stun::add_requested_transport(b, stun::kProtocolUdp);
    stun::add_username(b, creds.username);
    stun::add_realm(b, c->realm());
    stun::add_nonce(b, c->nonce());
    const auto key = c->key();
    b.add_message_integrity(key);
    b.add_fingerprint();
    ASSERT_TRUE(c->socket().send(b.bytes()));
    const auto one = c->socket().receive(3s);
    ASSERT_TRUE(one) << c->socket().last_error();
    ASSERT_TRUE(c->socket().send(b.bytes()));  // the same transaction again
    const auto two = c->socket().receive(3s);
    ASSERT_TRUE(two) << c->socket().last_error();
    const auto r1 = decode_response(*one);
    ASSERT_TRUE(r1 && r1->success()) << (r1 ? r1->describe() : "garbage");
    EXPECT_EQ(*one, *two) << "a retransmission must get the same response";
    EXPECT_EQ(live(), 1) << "a retransmission made a second allocation";
    // A new transaction on the same 5-tuple: 437.
    const auto again = c->allocate();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->error_code, stun::kErrorAllocationMismatch) << text(again);
}

TEST_F(TurnAllocateTest, AnotherUsersCredentialsOnAnAllocationGet441) {
    ASSERT_TRUE(start_turn({}));
    const auto alice = rest_credentials("alice");
    const auto bob = rest_credentials("bob");
    auto c = client(alice);
    ASSERT_TRUE(c);
    const auto r = c->allocate();
    ASSERT_TRUE(r && r->success()) << text(r);
    // bob's genuine credentials, on alice's 5-tuple (so the nonce is valid).
    stun::MessageBuilder b(stun::Method::refresh, stun::MessageClass::request,
                           stun::TransactionId::random());
    stun::add_username(b, bob.username);
    stun::add_realm(b, c->realm());
    stun::add_nonce(b, c->nonce());
    const auto bob_key = stun::long_term_key(bob.username, c->realm(), bob.password);
    b.add_message_integrity(bob_key);
    ASSERT_TRUE(c->socket().send(b.bytes()));
    const auto bytes = c->socket().receive(3s);
    ASSERT_TRUE(bytes);
    const auto refused = decode_response(*bytes);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->error_code, stun::kErrorWrongCredentials) << refused->describe();
    // alice's allocation is untouched.
    const auto ok = c->refresh();
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->success()) << ok->describe();
}

TEST_F(TurnAllocateTest, PerUserQuotaGives486UntilOneIsReleased) {
    TurnServerSpec spec;
    spec.max_allocations_per_user = "2";
    ASSERT_TRUE(start_turn(spec));
    const auto creds = rest_credentials("alice");
    auto a = client(creds);
    auto b = client(creds, Proto::tcp);
    auto c = client(creds);
    ASSERT_TRUE(a && b && c);
    ASSERT_TRUE(a->allocate().value_or(StunResponse{}).success());
    ASSERT_TRUE(b->allocate().value_or(StunResponse{}).success());
    auto r = c->allocate();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, stun::kErrorAllocationQuotaReached) << r->describe();
    // Another user is not affected.
    auto other = client(rest_credentials("bob"));
    ASSERT_TRUE(other);
    EXPECT_TRUE(other->allocate().value_or(StunResponse{}).success());
    // Closing the TCP connection releases its allocation and the quota.
    b.reset();
    bool freed = false;
    for (int i = 0; i < 60 && !freed; ++i) {
        r = c->allocate();
        freed = r && r->success();
        if (!freed) std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(freed) << "the quota was not released when the TCP allocation's connection closed: "
                       << text(r);
}

TEST_F(TurnAllocateTest, TransportChecks) {
    ASSERT_TRUE(start_turn({}));
    const auto creds = rest_credentials("alice");
    auto c = client(creds);
    ASSERT_TRUE(c);
    auto r = c->request(stun::Method::allocate, [](stun::MessageBuilder& b) {
        stun::add_requested_transport(b, stun::kProtocolTcp);
    });
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, stun::kErrorUnsupportedTransportProtocol) << r->describe();
    r = c->request(stun::Method::allocate, [](stun::MessageBuilder&) {});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, stun::kErrorBadRequest) << r->describe();
    EXPECT_EQ(live(), 0);
}

TEST_F(TurnAllocateTest, ExpiredRestCredentialsAreRefusedForAllocateOnly) {
    ASSERT_TRUE(start_turn({}));
    // Expired ten seconds ago: the MAC is right, the time is not.
    const auto stale = rest_credentials("alice", -10);
    auto c = client(stale);
    ASSERT_TRUE(c);
    const auto refused = c->allocate();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->error_code, stun::kErrorUnauthenticated) << refused->describe();
    EXPECT_EQ(refused->reason, "Credential Expired") << refused->describe();

    // Credentials that expire in 2 s keep an existing allocation alive
    // afterwards (a call outlives its credential; Refresh is allowed).
    const auto short_lived = rest_credentials("alice", 2);
    auto d = client(short_lived);
    ASSERT_TRUE(d);
    const auto ok = d->allocate();
    ASSERT_TRUE(ok && ok->success()) << text(ok);
    std::this_thread::sleep_for(3s);
    const auto refreshed = d->refresh();
    ASSERT_TRUE(refreshed);
    EXPECT_TRUE(refreshed->success()) << refreshed->describe();
    // But a new Allocate with them is refused.
    auto e = client(short_lived);
    ASSERT_TRUE(e);
    const auto late = e->allocate();
    ASSERT_TRUE(late);
    EXPECT_EQ(late->error_code, stun::kErrorUnauthenticated) << late->describe();
}

TEST_F(TurnAllocateTest, WrongSecretAndTamperedMessagesGet401) {
    ASSERT_TRUE(start_turn({}));
    auto c = client(rest_credentials("alice", 3600, "not-the-secret"));
    ASSERT_TRUE(c);
    auto r = c->allocate();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, stun::kErrorUnauthenticated) << r->describe();
    EXPECT_FALSE(r->has_integrity) << "a 401 must not carry MESSAGE-INTEGRITY";
    EXPECT_FALSE(r->realm.empty());
    EXPECT_FALSE(r->nonce.empty());
    // A username that is not REST-shaped and not a static user.
    auto d = client(RestCredentials{"alice", "whatever"});
    ASSERT_TRUE(d);
    r = d->allocate();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, stun::kErrorUnauthenticated) << r->describe();
    EXPECT_EQ(live(), 0);
}

// Can this process bind UDP 127.0.0.1:port? (Closes the socket again.)
bool can_bind_udp(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0;
    ::close(fd);
    return bound;
}

TEST_F(TurnAllocateTest, AReservedPortIsBoundUntilItsTokenTakesIt) {
    // RFC 8656 section 7.2: EVEN-PORT with the R bit reserves the next port
    // for a RESERVATION-TOKEN. The server holds it bound, so no other
    // process can take it before the token's Allocate comes.
    ASSERT_TRUE(start_turn({}));
    const auto creds = rest_credentials("alice");
    auto rtp = client(creds);
    ASSERT_TRUE(rtp);
    const auto r = rtp->request(stun::Method::allocate, [](stun::MessageBuilder& b) {
        stun::add_requested_transport(b, stun::kProtocolUdp);
        stun::add_even_port(b, {true});
    });
    ASSERT_TRUE(r && r->success() && r->xor_relayed) << text(r);
    EXPECT_EQ(r->xor_relayed->port % 2, 0);
    const auto view = stun::parse_message(r->bytes);
    ASSERT_TRUE(std::holds_alternative<stun::MessageView>(view));
    const auto* token_attribute =
        std::get<stun::MessageView>(view).find(stun::kAttrReservationToken);
    ASSERT_NE(token_attribute, nullptr) << text(r);
    const auto token =
        std::get<stun::ReservationToken>(stun::decode_reservation_token(token_attribute->value));
    const std::uint16_t next = r->xor_relayed->port + 1;
    EXPECT_FALSE(can_bind_udp(next)) << "the reserved port " << next << " is free for anyone";
    EXPECT_EQ(metric_value(http_get(server_->port(), "/metrics").body,
                           "switchboard_turn_port_reservations"),
              1);

    auto rtcp = client(creds);
    ASSERT_TRUE(rtcp);
    const auto second = rtcp->request(stun::Method::allocate, [&](stun::MessageBuilder& b) {
        stun::add_requested_transport(b, stun::kProtocolUdp);
        stun::add_reservation_token(b, token);
    });
    ASSERT_TRUE(second && second->success() && second->xor_relayed) << text(second);
    EXPECT_EQ(second->xor_relayed->port, next);
    EXPECT_EQ(metric_value(http_get(server_->port(), "/metrics").body,
                           "switchboard_turn_port_reservations"),
              0);
    // Now a relay: deleting the allocation frees the port.
    ASSERT_TRUE(rtcp->refresh(0));
    EXPECT_TRUE(can_bind_udp(next));
}

}  // namespace
}  // namespace sbtest::turnit
