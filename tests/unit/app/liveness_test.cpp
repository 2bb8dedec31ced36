#include "app/liveness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace switchboard::app {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(LivenessMonitor, NobodyIsLateBeforeTheFirstProbe) {
    LivenessMonitor m;
    m.add("signaling");
    m.add("turn-0");
    const auto first = m.next_round();
    EXPECT_EQ(first.id, 1u);
    EXPECT_THAT(first.stuck, IsEmpty());
}

TEST(LivenessMonitor, ALoopThatDidNotAnswerIsNamedOneRoundLater) {
    LivenessMonitor m;
    const auto sig = m.add("signaling");
    const auto w0 = m.add("turn-0");
    const auto w1 = m.add("turn-1");
    auto r = m.next_round();
    m.answer(sig, r.id);
    m.answer(w1, r.id);  // turn-0 is wedged
    r = m.next_round();
    EXPECT_THAT(r.stuck, ElementsAre("turn-0"));
    m.answer(sig, r.id);
    m.answer(w0, r.id);  // it came back
    m.answer(w1, r.id);
    EXPECT_THAT(m.next_round().stuck, IsEmpty());
}

TEST(LivenessMonitor, AnAnswerToAnOldRoundDoesNotCountForANewOne) {
    LivenessMonitor m;
    const auto loop = m.add("signaling");
    const auto r1 = m.next_round();
    const auto r2 = m.next_round();  // r1's probe still queued behind a long handler
    EXPECT_THAT(r2.stuck, ElementsAre("signaling"));
    m.answer(loop, r1.id);
    EXPECT_THAT(m.next_round().stuck, ElementsAre("signaling"));
}

TEST(LivenessMonitor, ALateAnswerDoesNotUndoANewerOne) {
    LivenessMonitor m;
    const auto loop = m.add("signaling");
    const auto r1 = m.next_round();
    const auto r2 = m.next_round();
    m.answer(loop, r2.id);
    m.answer(loop, r1.id);
    EXPECT_THAT(m.next_round().stuck, IsEmpty());
}

TEST(LivenessMonitor, WithNoLoopsEveryRoundIsClean) {
    LivenessMonitor m;
    EXPECT_THAT(m.next_round().stuck, IsEmpty());
    EXPECT_THAT(m.next_round().stuck, IsEmpty());
}

}  // namespace
}  // namespace switchboard::app
