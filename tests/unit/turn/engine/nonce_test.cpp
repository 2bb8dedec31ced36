#include "turn/nonce.hpp"

#include <gtest/gtest.h>

#include <array>

#include "engine_test_util.hpp"

namespace switchboard::turn::test {
namespace {

class NonceIssuerTest : public ::testing::Test {
protected:
    shared::FakeClock clock;
    std::array<std::uint8_t, 32> key{9, 9, 9};
    NonceIssuer issuer{key, clock};
    FiveTuple client{Transport::udp, addr("93.184.216.34:40000"), addr("192.0.2.1:3478")};
};

TEST_F(NonceIssuerTest, ValidForItsFiveTupleUntilItExpires) {
    const std::string nonce = issuer.issue(client);
    EXPECT_EQ(nonce.size(), 27u);
    EXPECT_TRUE(issuer.valid(nonce, client));
    clock.advance(NonceIssuer::kLifetime - std::chrono::seconds(1));
    EXPECT_TRUE(issuer.valid(nonce, client));
    clock.advance(std::chrono::seconds(1));
    EXPECT_FALSE(issuer.valid(nonce, client));
}

TEST_F(NonceIssuerTest, BoundToTransportAddressAndPort) {
    const std::string nonce = issuer.issue(client);
    FiveTuple other = client;
    other.transport = Transport::tcp;
    EXPECT_FALSE(issuer.valid(nonce, other));
    other = client;
    other.client.port = 40001;
    EXPECT_FALSE(issuer.valid(nonce, other));
    other = client;
    other.client = addr("93.184.216.35:40000");
    EXPECT_FALSE(issuer.valid(nonce, other));
    // The server side of the tuple does not matter (any worker, any listener).
    other = client;
    other.server = addr("192.0.2.2:3478");
    EXPECT_TRUE(issuer.valid(nonce, other));
}

TEST_F(NonceIssuerTest, AnotherKeyOrTamperingIsInvalid) {
    const std::string nonce = issuer.issue(client);
    std::array<std::uint8_t, 32> other_key{8};
    EXPECT_FALSE(NonceIssuer(other_key, clock).valid(nonce, client));
    for (std::size_t i = 0; i < nonce.size(); ++i) {
        std::string tampered = nonce;
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(issuer.valid(tampered, client)) << i;
    }
    EXPECT_FALSE(issuer.valid("", client));
    EXPECT_FALSE(issuer.valid(nonce + "A", client));
}

}  // namespace
}  // namespace switchboard::turn::test
