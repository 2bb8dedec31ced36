#include "turn/allocation.hpp"

#include <gtest/gtest.h>

#include "engine_test_util.hpp"

namespace switchboard::turn::test {
namespace {

class AllocationTest : public ::testing::Test {
protected:
    TimePoint t0 = TimePoint(std::chrono::seconds(1000));
    FiveTuple tuple{Transport::udp, addr("93.184.216.34:1"), addr("192.0.2.1:3478")};
    Allocation allocation{1,      tuple, addr("203.0.113.5:50000"),       "u",
                          "user", true,  t0 + kDefaultAllocationLifetime, 0,
                          t0};
    stun::Address peer = addr("8.8.8.8:5000");
};

TEST_F(AllocationTest, ChannelRulesOfSection12) {
    using R = Allocation::BindResult;
    EXPECT_EQ(allocation.bind_channel(0x4000, peer, t0), R::ok);
    EXPECT_EQ(allocation.bind_channel(0x4000, peer, t0), R::ok);
    EXPECT_EQ(allocation.bind_channel(0x4000, addr("8.8.8.8:5001"), t0), R::number_taken);
    EXPECT_EQ(allocation.bind_channel(0x4001, peer, t0), R::peer_taken);
    EXPECT_EQ(allocation.channel_for(peer, t0), 0x4000);
    EXPECT_EQ(*allocation.channel_peer(0x4000, t0), peer);
    // Expired bindings are gone even before expire() sweeps them.
    const TimePoint later = t0 + kChannelLifetime;
    EXPECT_EQ(allocation.channel_peer(0x4000, later), nullptr);
    EXPECT_EQ(allocation.bind_channel(0x4001, peer, later), R::ok);
    EXPECT_EQ(allocation.bind_channel(0x4000, addr("8.8.8.8:5001"), later), R::ok);
    allocation.expire(later + kChannelLifetime);
    EXPECT_EQ(allocation.channel_count(), 0u);
}

TEST_F(AllocationTest, PermissionsArePerIpWithExpiry) {
    allocation.install_permission(peer.bytes, t0);
    EXPECT_TRUE(allocation.has_permission(addr("8.8.8.8:1").bytes, t0));
    EXPECT_FALSE(allocation.has_permission(addr("8.8.4.4:1").bytes, t0));
    EXPECT_FALSE(allocation.has_permission(peer.bytes, t0 + kPermissionLifetime));
    allocation.expire(t0 + kPermissionLifetime);
    EXPECT_EQ(allocation.permission_count(), 0u);
}

TEST_F(AllocationTest, ResponseCacheKeepsEightForFortySeconds) {
    std::vector<stun::TransactionId> ids(9);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        ids[i].bytes[0] = static_cast<std::uint8_t>(i + 1);
        allocation.cache_response(ids[i], std::vector<std::uint8_t>{static_cast<std::uint8_t>(i)},
                                  t0);
    }
    EXPECT_EQ(allocation.cached_response(ids[0], t0), nullptr);  // evicted by the ninth
    ASSERT_NE(allocation.cached_response(ids[8], t0), nullptr);
    EXPECT_EQ(allocation.cached_response(ids[8], t0)->at(0), 8);
    EXPECT_EQ(allocation.cached_response(ids[8], t0 + kResponseCacheLifetime), nullptr);
}

TEST(BandwidthBucket, RefillsAtTheRateUpToOneSecondAndZeroIsUnlimited) {
    const TimePoint t0(std::chrono::seconds(5));
    auto bucket = bandwidth_bucket(8000 * 8, t0);  // 8000 bytes per second
    EXPECT_TRUE(bucket.try_take(t0, 8000));
    EXPECT_FALSE(bucket.try_take(t0, 1));
    EXPECT_TRUE(bucket.try_take(t0 + std::chrono::milliseconds(500), 4000));
    auto slow = bandwidth_bucket(8, t0);  // 1 byte/s: the burst is still one full packet
    EXPECT_TRUE(slow.try_take(t0, 1500));
    EXPECT_FALSE(slow.try_take(t0, 1));
    auto unlimited = bandwidth_bucket(0, t0);
    EXPECT_TRUE(unlimited.try_take(t0, 1 << 30));
}

}  // namespace
}  // namespace switchboard::turn::test
