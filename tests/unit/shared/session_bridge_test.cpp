#include "shared/session_bridge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace switchboard::shared {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Gone = std::pair<std::string, std::string>;

// A fake worker: its sink queues the batches it is handed, as a posted call
// would, and the test runs them on the "worker" when it chooses.
struct FakeWorker {
    explicit FakeWorker(SessionBridge& bridge) : view(bridge) {
        bridge.add_sink([this](SessionBridge::Batch b) { inbox.push_back(std::move(b)); });
    }
    void run() {
        for (const auto& batch : inbox) {
            view.apply(*batch, [this](const std::string& u, const std::string& r) {
                gone.emplace_back(u, r);
            });
        }
        inbox.clear();
    }
    SessionBridge::View view;
    std::vector<SessionBridge::Batch> inbox;
    std::vector<Gone> gone;
};

TEST(SessionBridge, AnActivationNeedsNoMessageAWorkerLearnsItWhenItAsks) {
    SessionBridge bridge;
    FakeWorker w(bridge);
    bridge.set_active("alice");
    bridge.flush();
    EXPECT_THAT(w.inbox, IsEmpty()) << "a join costs the workers nothing";
    EXPECT_EQ(w.view.size(), 0u);
    EXPECT_TRUE(w.view.is_active("alice"));
    EXPECT_EQ(w.view.size(), 1u) << "kept: later requests take no lock";
    EXPECT_FALSE(w.view.is_active("mallory"));
    EXPECT_EQ(w.view.size(), 1u) << "an inactive user is not kept";
}

TEST(SessionBridge, DeactivationsReachEveryWorkerAsOneBatchPerFlush) {
    SessionBridge bridge;
    int scheduled = 0;
    bridge.on_pending([&] { ++scheduled; });
    FakeWorker w0(bridge), w1(bridge);
    for (const char* user : {"alice", "bob", "carol"}) bridge.set_active(user);
    EXPECT_TRUE(w0.view.is_active("alice"));
    bridge.set_inactive("alice", "left");
    bridge.set_inactive("bob", "kicked");
    EXPECT_EQ(scheduled, 1) << "one flush scheduled for the turn";
    EXPECT_THAT(w0.inbox, IsEmpty()) << "nothing is sent before flush()";
    bridge.flush();
    ASSERT_EQ(w0.inbox.size(), 1u);
    ASSERT_EQ(w1.inbox.size(), 1u);
    EXPECT_EQ(w0.inbox.front(), w1.inbox.front()) << "one batch, shared";
    w0.run();
    w1.run();
    EXPECT_FALSE(w0.view.is_active("alice")) << "evicted from the worker's copy";
    EXPECT_FALSE(w1.view.is_active("bob"));
    EXPECT_TRUE(w1.view.is_active("carol"));
    EXPECT_THAT(w0.gone, ElementsAre(Gone{"alice", "left"}, Gone{"bob", "kicked"}));
    bridge.flush();
    EXPECT_THAT(w0.inbox, IsEmpty()) << "an empty flush sends nothing";
    bridge.set_inactive("dave", "left");  // never active: no relays to drop
    EXPECT_EQ(scheduled, 1);
    EXPECT_FALSE(bridge.has_pending());
}

TEST(SessionBridge, AWorkerCopyIsNeverAheadOfADeactivation) {
    SessionBridge bridge;
    FakeWorker w(bridge);
    bridge.set_active("alice");
    EXPECT_TRUE(w.view.is_active("alice"));  // copied
    bridge.set_inactive("alice", "left");
    bridge.flush();
    // Until the batch runs the copy still says yes (the batch then tears
    // down whatever was allocated meanwhile); after it, no.
    EXPECT_TRUE(w.view.is_active("alice"));
    w.run();
    EXPECT_FALSE(w.view.is_active("alice"));
    EXPECT_THAT(w.gone, ElementsAre(Gone{"alice", "left"}));
}

TEST(SessionBridge, AUserWhoComesBackIsLearnedAgain) {
    SessionBridge bridge;
    FakeWorker w(bridge);
    bridge.set_active("alice");
    EXPECT_TRUE(w.view.is_active("alice"));
    bridge.set_inactive("alice", "replaced");
    bridge.set_active("alice");  // the new session joins again
    bridge.flush();
    w.run();
    EXPECT_THAT(w.gone, ElementsAre(Gone{"alice", "replaced"}))
        << "the old session's relays still go";
    EXPECT_TRUE(w.view.is_active("alice")) << "the new one is active";
}

}  // namespace
}  // namespace switchboard::shared
