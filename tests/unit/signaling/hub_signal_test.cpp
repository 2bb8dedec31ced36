// Hub: signal relay (PROTOCOL.md "signal").
#include "tests/unit/signaling/hub_fixture.hpp"

namespace switchboard::signaling::testing {
namespace {

class HubSignal : public HubTest {
protected:
    // alice, bob and carol in r1; frames drained.
    void SetUp() override {
        alice_ = login("alice");
        bob_ = login("bob");
        carol_ = login("carol");
        for (auto c : {alice_, bob_, carol_}) join(c, "r1");
        outbox_.clear_frames();
    }
    ConnectionId alice_ = 0, bob_ = 0, carol_ = 0;
};

TEST_F(HubSignal, DirectedSignalIsStampedWithTheSender) {
    EXPECT_EQ(
        request(alice_, R"({"type":"signal","id":4,"roomId":"r1","to":"bob","from":"mallory",)"
                        R"("data":"offer"})"),
        R"({"type":"signal","id":4,"success":true})");
    EXPECT_EQ(take(bob_), std::vector<std::string>{
                              R"({"type":"signal","roomId":"r1","from":"alice","data":"offer"})"});
    EXPECT_TRUE(take(carol_).empty());
    EXPECT_TRUE(metrics_contain("switchboard_signaling_signals_relayed_total 1"));
}

TEST_F(HubSignal, DataIsForwardedByteForByte) {
    for (std::string_view data : {R"("a\"b\u00e9")", "1.50", "1e2", "-0", "true", "null",
                                  "123456789012345678901234567890"}) {
        request(alice_, R"({"type":"signal","to":"bob","data" :  )" + std::string(data) + " }");
        EXPECT_EQ(take(bob_), std::vector<std::string>{
                                  R"({"type":"signal","roomId":"r1","from":"alice","data":)" +
                                  std::string(data) + "}"});
    }
}

// Regression: see Parser.ObjectAndArrayDataAreForwardedByteForByte.
TEST_F(HubSignal, ObjectDataIsRelayedAsValidJson) {
    const std::string data = R"({"type":"offer","sdp":"v=0\r\n"})";
    request(alice_, R"({"type":"signal","to":"bob","data":)" + data + "}");
    const auto frames = take(bob_);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], R"({"type":"signal","roomId":"r1","from":"alice","data":)" + data + "}");
    EXPECT_EQ(field(frames[0], "data"), data);
}

TEST_F(HubSignal, BroadcastGoesToEveryoneElse) {
    EXPECT_EQ(request(alice_, R"({"type":"signal","id":"b","data":"hi"})"),
              R"({"type":"signal","id":"b","success":true})");
    const std::string relayed = R"({"type":"signal","roomId":"r1","from":"alice","data":"hi"})";
    EXPECT_EQ(take(bob_), std::vector<std::string>{relayed});
    EXPECT_EQ(take(carol_), std::vector<std::string>{relayed});
    EXPECT_TRUE(metrics_contain("switchboard_signaling_signals_relayed_total 2"));
}

TEST_F(HubSignal, SignallingYourselfIsBadRequest) {
    const auto reply = request(alice_, R"({"type":"signal","id":1,"to":"alice","data":1})");
    EXPECT_EQ(field(reply, "error"), "bad-request");
    EXPECT_EQ(field(reply, "id"), "1");
    EXPECT_TRUE(take(bob_).empty());
}

TEST_F(HubSignal, UnknownPeer) {
    const auto dave = login("dave");
    join(dave, "r2");  // exists, but not in r1
    for (std::string_view to : {"zed", "dave"}) {
        const auto reply = request(alice_, R"({"type":"signal","id":1,"roomId":"r1","to":")" +
                                               std::string(to) + R"(","data":1})");
        EXPECT_EQ(field(reply, "error"), "unknown-peer") << to;
        EXPECT_EQ(field(reply, "roomId"), "r1") << to;
    }
    EXPECT_TRUE(take(dave).empty());
}

TEST_F(HubSignal, TheSenderMustBeAMember) {
    const auto dave = login("dave");
    const auto none = request(dave, R"({"type":"signal","id":1,"to":"bob","data":1})");
    EXPECT_EQ(field(none, "error"), "not-in-room");
    const auto other = request(dave, R"({"type":"signal","roomId":"r1","to":"bob","data":1})");
    EXPECT_EQ(field(other, "error"), "not-in-room");
    EXPECT_EQ(field(other, "roomId"), "r1");
    EXPECT_TRUE(take(bob_).empty());
}

TEST_F(HubSignal, SeveralRoomsNeedARoomId) {
    join(alice_, "r2");
    join(bob_, "r2");
    outbox_.clear_frames();
    EXPECT_EQ(field(request(alice_, R"({"type":"signal","to":"bob","data":1})"), "error"),
              "bad-request");
    request(alice_, R"({"type":"signal","roomId":"r2","to":"bob","data":1})");
    EXPECT_EQ(field(take(bob_).at(0), "roomId"), "r2");
}

TEST_F(HubSignal, AckFalseSuppressesOnlyTheSuccessReply) {
    send(alice_, R"({"type":"signal","id":1,"to":"bob","data":1,"ack":false})");
    EXPECT_TRUE(take(alice_).empty());
    EXPECT_EQ(take(bob_).size(), 1u);

    const auto error =
        request(alice_, R"({"type":"signal","id":2,"to":"zed","data":1,"ack":false})");
    EXPECT_EQ(field(error, "error"), "unknown-peer");
    EXPECT_EQ(field(error, "id"), "2");
}

TEST_F(HubSignal, TwoHundredSignalsArriveInOrder) {
    for (int i = 0; i < 200; ++i) {
        send(alice_,
             R"({"type":"signal","to":"bob","ack":false,"data":)" + std::to_string(i) + "}");
    }
    const auto frames = take(bob_);
    ASSERT_EQ(frames.size(), 200u);
    for (int i = 0; i < 200; ++i) EXPECT_EQ(field(frames[i], "data"), std::to_string(i));
}

TEST_F(HubSignal, SignalsToALeaverStop) {
    request(bob_, R"({"type":"leave"})");
    outbox_.clear_frames();
    EXPECT_EQ(field(request(alice_, R"({"type":"signal","to":"bob","data":1})"), "error"),
              "unknown-peer");
    request(alice_, R"({"type":"signal","data":1})");
    EXPECT_TRUE(take(bob_).empty());
    EXPECT_EQ(take(carol_).size(), 1u);
}

}  // namespace
}  // namespace switchboard::signaling::testing
