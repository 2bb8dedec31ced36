#include "shared/session_bridge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace switchboard::shared {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Gone = std::pair<std::string, std::string>;

// Two fake workers: each sink queues the batches it is handed, as a posted
// call would, and the test runs them on the "worker" when it chooses.
struct FakeWorker {
    explicit FakeWorker(SessionBridge& bridge) : view(bridge) {
        bridge.add_sink([this](SessionBridge::Batch b) { inbox.push_back(std::move(b)); });
    }
    void run() {
        for (const auto& batch : inbox) {
            view.apply(*batch, [this](const std::string& u, const std::string& r) { gone.emplace_back(u, r); });
        }
        inbox.clear();
    }
    SessionBridge::View view;
    std::vector<SessionBridge::Batch> inbox;
    std::vector<Gone> gone;
};

TEST(SessionBridge, ChangesReachEveryWorkerAsOneBatchPerFlush) {
    SessionBridge bridge;
    FakeWorker w0(bridge), w1(bridge);
    bridge.set_active("alice");
    bridge.set_active("bob");
    bridge.set_inactive("bob", "left");
    EXPECT_THAT(w0.inbox, IsEmpty()) << "nothing is sent before flush()";
    bridge.flush();
    ASSERT_EQ(w0.inbox.size(), 1u);
    ASSERT_EQ(w1.inbox.size(), 1u);
    EXPECT_EQ(w0.inbox.front(), w1.inbox.front()) << "one batch, shared";
    EXPECT_EQ(w0.inbox.front()->size(), 3u);
    w0.run();
    w1.run();
    EXPECT_TRUE(w0.view.is_active("alice"));
    EXPECT_FALSE(w1.view.is_active("bob"));
    EXPECT_THAT(w0.gone, ElementsAre(Gone{"bob", "left"}));
    bridge.flush();
    EXPECT_THAT(w0.inbox, IsEmpty()) << "an empty flush sends nothing";
}

TEST(SessionBridge, RepeatedChangesAreNotResent) {
    SessionBridge bridge;
    FakeWorker w(bridge);
    bridge.set_active("alice");
    bridge.set_active("alice");  // a second room
    bridge.set_inactive("carol", "left");  // never active: no relays to drop
    bridge.flush();
    ASSERT_EQ(w.inbox.size(), 1u);
    EXPECT_EQ(w.inbox.front()->size(), 1u);
}

TEST(SessionBridge, ASnapshotMissAsksTheBridgeSoAFreshJoinIsNotRefused) {
    SessionBridge bridge;
    FakeWorker w(bridge);
    bridge.set_active("alice");
    bridge.flush();  // the batch is on its way, not applied yet
    EXPECT_TRUE(w.view.is_active("alice"));
    EXPECT_FALSE(w.view.is_active("mallory"));
    w.run();
    EXPECT_EQ(w.view.size(), 1u);
}

TEST(SessionBridge, AUserWhoLeftStaysGoneOnEveryWorker) {
    SessionBridge bridge;
    FakeWorker w0(bridge), w1(bridge);
    bridge.set_active("alice");
    bridge.flush();
    w0.run();
    w1.run();
    bridge.set_inactive("alice", "kicked");
    EXPECT_FALSE(bridge.is_active_now("alice"));
    bridge.flush();
    w0.run();
    w1.run();
    EXPECT_FALSE(w0.view.is_active("alice"));
    EXPECT_FALSE(w1.view.is_active("alice"));
    EXPECT_THAT(w1.gone, ElementsAre(Gone{"alice", "kicked"}));
}

TEST(SessionBridge, OrderWithinABatchIsKept) {
    SessionBridge bridge;
    FakeWorker w(bridge);
    bridge.set_active("alice");
    bridge.flush();
    w.run();
    bridge.set_inactive("alice", "replaced");
    bridge.set_active("alice");  // the new session joins again
    bridge.flush();
    w.run();
    EXPECT_TRUE(w.view.is_active("alice"));
    EXPECT_THAT(w.gone, ElementsAre(Gone{"alice", "replaced"})) << "the old session's relays still go";
}

}  // namespace
}  // namespace switchboard::shared
