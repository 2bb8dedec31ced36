// Long-term credentials (RFC 8489 section 9.2.4) as the Engine applies
// them: 401 challenge, 400, 438, 401, integrity-protected answers, REST
// secret rotation, expiry, static users, the active-session bridge, 441.
#include "engine_fixture.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/unknown_attributes.hpp"

namespace switchboard::turn::test {
namespace {

class EngineAuth : public EngineFixture {};

TEST_F(EngineAuth, UnsignedRequestGetsSmall401WithRealmAndNonce) {
    TestClient client = rest_client("alice");
    const auto request = client.request(stun::Method::allocate, udp(), false);
    const auto reply = send(client, request);
    ASSERT_TRUE(reply && reply->parsed());
    EXPECT_EQ(reply->cls(), stun::MessageClass::error_response);
    EXPECT_EQ(reply->error_code(), 401);
    EXPECT_EQ(
        reply->attribute_types(),
        (std::vector<std::uint16_t>{stun::kAttrErrorCode, stun::kAttrRealm, stun::kAttrNonce}));
    EXPECT_EQ(reply->text(stun::kAttrRealm), "switchboard");
    EXPECT_FALSE(client.nonce.empty());
    // No amplification: the challenge is about as large as the request.
    EXPECT_LE(reply->bytes().size(), 100u);
    EXPECT_EQ(sink.open_calls, 0);
}

TEST_F(EngineAuth, MissingUsernameRealmOrNonceIs400WithoutRealmOrNonce) {
    TestClient client = rest_client("alice");
    fetch_nonce(client);
    for (int missing = 0; missing < 3; ++missing) {
        stun::MessageBuilder b(stun::Method::allocate, stun::MessageClass::request,
                               stun::TransactionId::random());
        stun::add_requested_transport(b, stun::kProtocolUdp);
        if (missing != 0) stun::add_username(b, client.username);
        if (missing != 1) stun::add_realm(b, client.realm);
        if (missing != 2) stun::add_nonce(b, client.nonce);
        b.add_message_integrity(client.key());
        const auto reply = send(client, std::move(b).take());
        ASSERT_TRUE(reply && reply->parsed());
        EXPECT_EQ(reply->error_code(), 400) << missing;
        EXPECT_FALSE(reply->has(stun::kAttrNonce));
        EXPECT_FALSE(reply->has(stun::kAttrRealm));
        EXPECT_FALSE(reply->has(stun::kAttrMessageIntegrity));
    }
}

TEST_F(EngineAuth, ExpiredNonceIs438WithAFreshOneThatWorks) {
    TestClient client = rest_client("alice");
    fetch_nonce(client);
    const std::string old_nonce = client.nonce;
    clock.advance(std::chrono::minutes(11));
    const auto stale = send(client, client.request(stun::Method::allocate, udp()));
    ASSERT_TRUE(stale && stale->parsed());
    EXPECT_EQ(stale->error_code(), 438);
    EXPECT_EQ(stale->text(stun::kAttrRealm), "switchboard");
    EXPECT_NE(client.nonce, old_nonce);
    EXPECT_FALSE(stale->has(stun::kAttrMessageIntegrity));
    EXPECT_TRUE(allocate(client).is_success());
}

TEST_F(EngineAuth, NonceOfAnotherFiveTupleIs438) {
    TestClient first = rest_client("alice", 40000);
    TestClient second = rest_client("alice", 40001);
    fetch_nonce(first);
    second.nonce = first.nonce;  // replayed from another source port
    EXPECT_EQ(send(second, second.request(stun::Method::allocate, udp()))->error_code(), 438);
    TestClient over_tcp = rest_client("alice", 40000, Transport::tcp);
    over_tcp.nonce = first.nonce;  // same address and port, other transport
    EXPECT_EQ(send(over_tcp, over_tcp.request(stun::Method::allocate, udp()))->error_code(), 438);
}

TEST_F(EngineAuth, ForgedNonceIs438) {
    TestClient client = rest_client("alice");
    for (const std::string& nonce :
         std::vector<std::string>{"x", "AAAAAAAAAAAAAAAAAAAAAAAAAAA", "not base64 at all!!!!!!!!!!",
                                  std::string(27, '_')}) {
        client.nonce = nonce;
        const auto reply = send(client, client.request(stun::Method::allocate, udp()));
        ASSERT_TRUE(reply && reply->parsed());
        EXPECT_EQ(reply->error_code(), 438) << nonce;
    }
}

TEST_F(EngineAuth, WrongPasswordOrUnknownUserIs401) {
    TestClient client = rest_client("alice");
    fetch_nonce(client);
    client.password = "wrong";
    EXPECT_EQ(allocate(client).error_code(), 401);
    client.username = "nobody";  // neither REST nor static
    EXPECT_EQ(allocate(client).error_code(), 401);
    client.username = "tester";  // static user, wrong password
    EXPECT_EQ(allocate(client).error_code(), 401);
    EXPECT_EQ(sink.open_calls, 0);
}

TEST_F(EngineAuth, AnswersToAuthenticatedRequestsCarryIntegrityWithTheSameKey) {
    TestClient client = rest_client("alice");
    client.fingerprint = true;
    const auto success = allocate(client);
    ASSERT_TRUE(success.is_success());
    EXPECT_TRUE(stun::verify_message_integrity(success.view(), client.key()));
    EXPECT_TRUE(stun::verify_fingerprint(success.view()));
    const auto error = allocate(client);  // 437 for a second Allocate
    EXPECT_EQ(error.error_code(), 437);
    EXPECT_TRUE(stun::verify_message_integrity(error.view(), client.key()));
    EXPECT_TRUE(stun::verify_fingerprint(error.view()));
}

TEST_F(EngineAuth, SecondSecretVerifiesForRotation) {
    TestClient client = rest_client("alice", 40000, Transport::udp, /*secret=*/1);
    EXPECT_TRUE(allocate(client).is_success());
}

TEST_F(EngineAuth, ReloadSwapsSecretsAndStaticUsers) {
    TestClient old_rest = rest_client("alice", 40000);
    TestClient old_static = static_client("tester", "tester-password", 40001);
    ASSERT_TRUE(allocate(old_rest).is_success());

    // SIGHUP: secret-one retired, a new first secret; the static user replaced.
    shared::Config next = config;
    next.turn.secrets = {"secret-three", "secret-two"};
    next.turn.static_users = {{"probe", "probe-password"}};
    engine().reload(next);
    config.turn.secrets = next.turn.secrets;  // rest_client mints with these now

    EXPECT_EQ(refresh(old_rest, 600).error_code(), 401) << "secret-one no longer verifies";
    TestClient fresh = rest_client("bob", 40002);  // secret-three
    EXPECT_TRUE(allocate(fresh).is_success());
    TestClient second = rest_client("alice", 40003, Transport::udp, /*secret=*/1);
    EXPECT_TRUE(allocate(second).is_success());
    EXPECT_EQ(allocate(old_static).error_code(), 401);
    TestClient probe = static_client("probe", "probe-password", 40004);
    EXPECT_TRUE(allocate(probe).is_success());
}

TEST_F(EngineAuth, StaticUserIsExemptFromActiveSession) {
    config.turn.require_active_session = true;
    TestClient client = static_client("tester", "tester-password");
    EXPECT_TRUE(allocate(client).is_success());
    EXPECT_EQ(shared.per_user["tester"], 1);
}

TEST_F(EngineAuth, ExpiredRestUsernameRefusedOnAllocateButRefreshStillWorks) {
    TestClient client = rest_client("alice", 40000, Transport::udp, 0, /*ttl=*/60);
    ASSERT_TRUE(allocate(client).is_success());
    clock.advance(std::chrono::seconds(120));  // credential expired, allocation alive
    EXPECT_TRUE(refresh(client, 600).is_success());
    EXPECT_TRUE(create_permission(client, {peer_a}).is_success());
    EXPECT_TRUE(channel_bind(client, 0x4000, peer_a).is_success());

    TestClient late = rest_client("alice", 40001, Transport::udp, 0, 60);
    late.username = client.username;  // the now expired credential
    late.password = client.password;
    const auto refused = allocate(late);
    EXPECT_EQ(refused.error_code(), 401);
    EXPECT_TRUE(refused.has(stun::kAttrNonce));
    EXPECT_FALSE(refused.has(stun::kAttrMessageIntegrity));
}

TEST_F(EngineAuth, AnExpiryBeyondTheTtlPlusSkewIsRefusedOnAllocate) {
    // credential_ttl 1h + 300 s skew: 3900 s ahead is the most we accept.
    TestClient edge = rest_client("alice", 40000, Transport::udp, 0, 3600 + 300);
    EXPECT_TRUE(allocate(edge).is_success());
    TestClient far = rest_client("alice", 40001, Transport::udp, 0, 3600 + 301);
    const auto refused = allocate(far);
    EXPECT_EQ(refused.error_code(), 401);
    EXPECT_EQ(refused.text(stun::kAttrErrorCode).substr(4), "Credential Expiry Too Far");
    TestClient years = rest_client("bob", 40002, Transport::udp, 0, 10LL * 365 * 86400);
    EXPECT_EQ(allocate(years).error_code(), 401);
    EXPECT_EQ(metrics
                  .counter("switchboard_turn_credential_refusals_total", "",
                           {{"reason", "expiry_too_far"}})
                  .value(),
              2u);
    EXPECT_EQ(sink.open_calls, 1);

    // A longer TTL on reload moves the bound with it.
    shared::Config next = config;
    next.turn.credential_ttl = std::chrono::hours(24);
    engine().reload(next);
    TestClient day = rest_client("alice", 40003, Transport::udp, 0, 86400);
    EXPECT_TRUE(allocate(day).is_success());
}

TEST_F(EngineAuth, InactiveSessionIs403WithIntegrity) {
    TestClient client = rest_client("carol");  // not in shared.active
    const auto reply = allocate(client);
    EXPECT_EQ(reply.error_code(), 403);
    EXPECT_TRUE(stun::verify_message_integrity(reply.view(), client.key()));
    EXPECT_EQ(sink.open_calls, 0);
    shared.active.insert("carol");
    EXPECT_TRUE(allocate(client).is_success());
}

TEST_F(EngineAuth, InactiveSessionIgnoredWhenNotRequired) {
    config.turn.require_active_session = false;
    TestClient client = rest_client("carol");
    EXPECT_TRUE(allocate(client).is_success());
}

TEST_F(EngineAuth, UnknownAttributeAfterAuthenticationIs420WithIntegrity) {
    TestClient client = rest_client("alice");
    const auto reply =
        allocate(client, [](stun::MessageBuilder& b) { b.add(0x7001, bytes_of("?")); });
    EXPECT_EQ(reply.error_code(), 420);
    const auto listed =
        stun::decode_unknown_attributes(reply.find(stun::kAttrUnknownAttributes)->value);
    EXPECT_EQ(std::get<std::vector<std::uint16_t>>(listed), std::vector<std::uint16_t>{0x7001});
    EXPECT_TRUE(stun::verify_message_integrity(reply.view(), client.key()));
    EXPECT_EQ(sink.open_calls, 0);
}

TEST_F(EngineAuth, OtherUsernameOnTheAllocationIs441) {
    TestClient alice = rest_client("alice", 40000);
    ASSERT_TRUE(allocate(alice).is_success());
    TestClient bob = rest_client("bob", 40000);  // same 5-tuple, valid other credential
    bob.nonce = alice.nonce;
    for (const auto method :
         {stun::Method::refresh, stun::Method::create_permission, stun::Method::channel_bind}) {
        const auto reply = request(bob, method, peers({peer_a}));
        EXPECT_EQ(reply.error_code(), 441) << stun::to_string(method);
        EXPECT_TRUE(stun::verify_message_integrity(reply.view(), bob.key()));
    }
}

}  // namespace
}  // namespace switchboard::turn::test
