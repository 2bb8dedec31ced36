// turn.unauthenticated_replies: a token bucket per source IP for replies to
// unauthenticated UDP requests (turn/reply_limiter.hpp).
#include "engine_fixture.hpp"
#include "turn/reply_limiter.hpp"

namespace switchboard::turn::test {
namespace {

class EngineReplyLimit : public EngineFixture {
protected:
    EngineReplyLimit() { config.turn.unauthenticated_replies = {10, 20}; }

    // How many of `n` Binding requests from `client` were answered.
    int bindings(TestClient& client, int n) {
        int answered = 0;
        for (int i = 0; i < n; ++i)
            if (send(client, client.request(stun::Method::binding, {}, false))) ++answered;
        return answered;
    }
};

TEST_F(EngineReplyLimit, ABurstThenTheRateThenNothingPerSourceIp) {
    TestClient flood;
    flood.tuple = tuple("93.184.216.34:40000");
    EXPECT_EQ(bindings(flood, 50), 20);  // the burst
    EXPECT_EQ(dropped("rate_limited"), 30u);
    // Another port of the same IP shares the bucket; another IP has its own.
    TestClient same_ip;
    same_ip.tuple = tuple("93.184.216.34:40001");
    EXPECT_EQ(bindings(same_ip, 5), 0);
    TestClient other;
    other.tuple = tuple("198.51.100.7:40000");
    EXPECT_EQ(bindings(other, 5), 5);
    // One second refills 10.
    clock.advance(std::chrono::seconds(1));
    EXPECT_EQ(bindings(flood, 50), 10);
}

TEST_F(EngineReplyLimit, UnsignedAllocatesCountTooButAuthenticatedRequestsDoNot) {
    TestClient client = rest_client("alice");
    for (int i = 0; i < 20; ++i) send(client, client.request(stun::Method::allocate, udp(), false));
    EXPECT_EQ(dropped("rate_limited"), 0u);
    // The bucket is empty now (20 401s, the last one's NONCE kept), and still
    // the signed Allocate and everything after it is answered.
    ASSERT_TRUE(allocate(client).is_success());
    for (int i = 0; i < 30; ++i) EXPECT_TRUE(refresh(client, 600).is_success()) << i;
    EXPECT_EQ(bindings(client, 1), 0);
}

TEST_F(EngineReplyLimit, StreamTransportsAreNotLimited) {
    TestClient tcp;
    tcp.tuple = tuple("93.184.216.34:40000", Transport::tcp);
    EXPECT_EQ(bindings(tcp, 50), 50);
}

TEST_F(EngineReplyLimit, ZeroPerSecondIsNoLimit) {
    config.turn.unauthenticated_replies = {0, 20};
    TestClient client;
    client.tuple = tuple("93.184.216.34:40000");
    EXPECT_EQ(bindings(client, 100), 100);
}

TEST(ReplyLimiter, AFullTableForgetsRefilledSourcesAndElseRefusesNewOnes) {
    ReplyLimiter limiter(10, 20);
    shared::TokenBucket::TimePoint now{};
    const auto ip = [](std::size_t i) {
        shared::IpBytes b{};
        b[12] = static_cast<std::uint8_t>(i >> 16);
        b[13] = static_cast<std::uint8_t>(i >> 8);
        b[14] = static_cast<std::uint8_t>(i);
        return b;
    };
    for (std::size_t i = 0; i < ReplyLimiter::kMaxSources; ++i)
        ASSERT_TRUE(limiter.admit(ip(i), now));
    EXPECT_EQ(limiter.tracked(), ReplyLimiter::kMaxSources);
    // Full, nothing refilled yet: a new source is refused, known ones are not.
    EXPECT_FALSE(limiter.admit(ip(1u << 20), now));
    EXPECT_TRUE(limiter.admit(ip(5), now));
    // burst / rate = 2 s later every bucket is full again: forgotten.
    now += std::chrono::seconds(2);
    EXPECT_TRUE(limiter.admit(ip(1u << 20), now));
    EXPECT_EQ(limiter.tracked(), 1u);
}

}  // namespace
}  // namespace switchboard::turn::test
