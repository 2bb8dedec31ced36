#include "shared/token_bucket.hpp"

#include <gtest/gtest.h>

namespace switchboard::shared {
namespace {

using namespace std::chrono_literals;
using TimePoint = TokenBucket::TimePoint;

int take_all(TokenBucket& bucket, TimePoint now) {
    int n = 0;
    while (bucket.try_take(now) && n < 100'000) ++n;
    return n;
}

TEST(TokenBucket, StartsFullWithBurstTokens) {
    const TimePoint t0{};
    TokenBucket bucket(10, 5, t0);
    EXPECT_EQ(take_all(bucket, t0), 5);
    EXPECT_FALSE(bucket.try_take(t0));
}

TEST(TokenBucket, RefillsAtTheRate) {
    const TimePoint t0{};
    TokenBucket bucket(10, 5, t0);
    take_all(bucket, t0);
    EXPECT_FALSE(bucket.try_take(t0 + 99ms));
    EXPECT_TRUE(bucket.try_take(t0 + 100ms));
    EXPECT_FALSE(bucket.try_take(t0 + 100ms));
    EXPECT_EQ(take_all(bucket, t0 + 400ms), 3);
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
    const TimePoint t0{};
    TokenBucket bucket(10, 5, t0);
    EXPECT_EQ(take_all(bucket, t0 + 1h), 5);
}

// Regression: floating-point refill must not make a message that arrives
// exactly when its token is due count as rate-limited.
TEST(TokenBucket, FailedTakesDoNotLoseRefill) {
    // Tokens accrue from the time elapsed, however often the bucket is asked.
    const TimePoint t0{};
    TokenBucket bucket(1, 1, t0);
    EXPECT_TRUE(bucket.try_take(t0));
    for (int i = 1; i < 10; ++i) EXPECT_FALSE(bucket.try_take(t0 + i * 100ms)) << i;
    EXPECT_TRUE(bucket.try_take(t0 + 1000ms));
}

TEST(TokenBucket, FractionalRates) {
    const TimePoint t0{};
    TokenBucket bucket(0.5, 1, t0);
    EXPECT_TRUE(bucket.try_take(t0));
    EXPECT_FALSE(bucket.try_take(t0 + 1999ms));
    EXPECT_TRUE(bucket.try_take(t0 + 2000ms));
}

TEST(TokenBucket, TakesManyTokensAtOnceForBytes) {
    // TURN's bandwidth cap: 8000 bytes per second, a burst of one second.
    const TimePoint t0(std::chrono::seconds(5));
    TokenBucket bucket(8000, 8000, t0);
    EXPECT_TRUE(bucket.try_take(t0, 8000));
    EXPECT_FALSE(bucket.try_take(t0, 1));
    EXPECT_TRUE(bucket.try_take(t0 + std::chrono::milliseconds(500), 4000));
    EXPECT_FALSE(bucket.try_take(t0 + std::chrono::milliseconds(500), 1));
    EXPECT_FALSE(bucket.try_take(t0 + std::chrono::seconds(100), 8001)) << "capped at the burst";
    EXPECT_TRUE(bucket.try_take(t0 + std::chrono::seconds(100), 8000));
}

TEST(TokenBucket, ARateOfZeroIsNoLimit) {
    const TimePoint t0(std::chrono::seconds(5));
    TokenBucket unlimited(0, 0, t0);
    EXPECT_TRUE(unlimited.try_take(t0, 1 << 30));
}

TEST(TokenBucket, ZeroBurstRefusesEverything) {
    const TimePoint t0{};
    TokenBucket bucket(100, 0, t0);
    EXPECT_FALSE(bucket.try_take(t0));
    EXPECT_FALSE(bucket.try_take(t0 + 1h));
}

}  // namespace
}  // namespace switchboard::shared
