// Binding (RFC 8489 section 6.3.1): no authentication, any transport.
#include "engine_fixture.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/unknown_attributes.hpp"

namespace switchboard::turn::test {
namespace {

class EngineBinding : public EngineFixture {};

TEST_F(EngineBinding, AnswersXorMappedAddressOnly) {
    TestClient client;
    client.tuple = tuple("93.184.216.34:40000");
    const auto request = client.request(stun::Method::binding, {}, false);
    const auto reply = send(client, request);
    ASSERT_TRUE(reply && reply->is_success());
    EXPECT_EQ(reply->method(), stun::Method::binding);
    EXPECT_EQ(reply->view().transaction_id(),
              std::get<stun::MessageView>(stun::parse_message(request)).transaction_id());
    EXPECT_EQ(reply->xor_address(stun::kAttrXorMappedAddress), client.tuple.client);
    // No SOFTWARE, no MESSAGE-INTEGRITY, no FINGERPRINT (not requested).
    EXPECT_EQ(reply->attribute_types(), std::vector<std::uint16_t>{stun::kAttrXorMappedAddress});
}

TEST_F(EngineBinding, FingerprintOnlyWhenTheRequestHadOne) {
    TestClient client;
    client.tuple = tuple("93.184.216.34:40000");
    client.fingerprint = true;
    const auto reply = send(client, client.request(stun::Method::binding, {}, false));
    ASSERT_TRUE(reply && reply->is_success());
    EXPECT_TRUE(reply->has(stun::kAttrFingerprint));
    EXPECT_TRUE(stun::verify_fingerprint(reply->view()));
}

TEST_F(EngineBinding, WorksOverTcpTlsAndIpv6) {
    for (const auto& t : {tuple("93.184.216.34:40000", Transport::tcp),
                          tuple("93.184.216.34:40001", Transport::tls),
                          tuple("[2001:db8::7]:40000", Transport::udp, "[2001:db8::1]:3478")}) {
        TestClient client;
        client.tuple = t;
        const auto reply = send(client, client.request(stun::Method::binding, {}, false));
        ASSERT_TRUE(reply && reply->is_success());
        EXPECT_EQ(reply->xor_address(stun::kAttrXorMappedAddress), t.client);
    }
}

TEST_F(EngineBinding, UnknownComprehensionRequiredAttributeIs420) {
    TestClient client;
    client.tuple = tuple("93.184.216.34:40000");
    const auto reply = send(client, client.request(
                                        stun::Method::binding,
                                        [](stun::MessageBuilder& b) {
                                            b.add(0x7777, bytes_of("x"));
                                            b.add(0xC001, bytes_of("y"));  // optional
                                        },
                                        false));
    ASSERT_TRUE(reply && reply->parsed());
    EXPECT_EQ(reply->error_code(), 420);
    const auto listed =
        stun::decode_unknown_attributes(reply->find(stun::kAttrUnknownAttributes)->value);
    EXPECT_EQ(std::get<std::vector<std::uint16_t>>(listed), std::vector<std::uint16_t>{0x7777});
}

TEST_F(EngineBinding, UnknownMethodIs400) {
    TestClient client;
    client.tuple = tuple("93.184.216.34:40000");
    const auto reply = send(client, client.request(static_cast<stun::Method>(0x0AB), {}, false));
    ASSERT_TRUE(reply && reply->parsed());
    EXPECT_EQ(reply->error_code(), 400);
}

}  // namespace
}  // namespace switchboard::turn::test
