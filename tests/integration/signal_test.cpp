// signal relay: directed and broadcast, sender stamping, byte-exact data,
// errors, ack:false and per-recipient order (PROTOCOL.md "signal").

#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

// The text of the "data" member exactly as it appears in `raw`: everything
// after `"data":` up to the matching close of the value.
std::string data_text(const std::string& raw) {
    auto pos = raw.find("\"data\":");
    if (pos == std::string::npos) return {};
    pos += 7;
    std::size_t i = pos;
    int depth = 0;
    bool in_string = false;
    for (; i < raw.size(); ++i) {
        char ch = raw[i];
        if (in_string) {
            if (ch == '\\') {
                ++i;
            } else if (ch == '"') {
                in_string = false;
                if (depth == 0) return raw.substr(pos, i + 1 - pos);
            }
            continue;
        }
        if (ch == '"') {
            in_string = true;
        } else if (ch == '{' || ch == '[') {
            ++depth;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0)
                return raw.substr(pos, i - pos);  // end of enclosing object (scalar data)
            if (--depth == 0) return raw.substr(pos, i + 1 - pos);
        } else if (ch == ',' && depth == 0) {
            return raw.substr(pos, i - pos);
        }
    }
    return raw.substr(pos);
}

class SignalTransportTest : public TransportTest {
protected:
    void SetUp() override {
        ASSERT_TRUE(start(base_config()));
        alice_ = logged_in("alice");
        bob_ = logged_in("bob");
        ASSERT_TRUE(alice_ && bob_);
        ASSERT_TRUE(joined(*alice_, "r1"));
        ASSERT_TRUE(joined(*bob_, "r1"));
        ASSERT_TRUE(next_of_type(*alice_, "user-joined"));
    }
    std::unique_ptr<WsClient> alice_, bob_;
};

TEST_P(SignalTransportTest, DirectedSignalIsStampedAndForwardedByteForByte) {
    const std::string data = R"({"b" : 1.50,  "a":[ 1e2 ]})";
    ASSERT_TRUE(alice_->send_text(
        R"({"type":"signal","id":4,"roomId":"r1","to":"bob","from":"mallory","data":)" + data +
        "}"));
    auto reply = reply_to(*alice_, 4);
    ASSERT_TRUE(reply) << alice_->last_error();
    EXPECT_EQ(reply->type(), "signal") << *reply;
    EXPECT_TRUE(reply->is_success()) << *reply;

    // bob has nothing else pending, so the next frame is the signal (even
    // if it were not valid JSON).
    auto m = next_msg(*bob_);
    ASSERT_TRUE(m) << dump(*bob_);
    EXPECT_EQ(m->type(), "signal") << *m;
    EXPECT_EQ(m->str("roomId"), "r1") << *m;
    EXPECT_EQ(m->str("from"), "alice") << "the server stamps the sender: " << *m;
    EXPECT_FALSE(m->has("id")) << *m;
    EXPECT_FALSE(m->has("success")) << *m;
    EXPECT_FALSE(m->has("to")) << *m;
    EXPECT_EQ(data_text(m->raw), data) << *m;
    // Only one "from" member.
    EXPECT_EQ(m->raw.find("\"from\""), m->raw.rfind("\"from\"")) << *m;
}

TEST_P(SignalTransportTest, ScalarAndStringDataAreForwardedVerbatim) {
    const std::vector<std::string> values = {"0.10",
                                             "-0",
                                             "true",
                                             "null",
                                             R"("a \"quoted\" \u00e9 string")",
                                             "12345678901234567890123",
                                             "\"donn\xc3\xa9"
                                             "es \xf0\x9f\x8e\x89\"",
                                             R"([ ])",
                                             R"([1,{"x":[]}])"};
    std::int64_t id = 10;
    for (const auto& v : values) {
        ASSERT_TRUE(alice_->send_text(R"({"type":"signal","id":)" + std::to_string(id) +
                                      R"(,"roomId":"r1","to":"bob","data":)" + v + "}"));
        auto reply = reply_to(*alice_, id);
        ASSERT_TRUE(reply && reply->is_success()) << v;
        auto m = next_msg(*bob_);
        ASSERT_TRUE(m) << v << dump(*bob_);
        EXPECT_TRUE(m->is_object()) << "not valid JSON: " << *m;
        EXPECT_EQ(data_text(m->raw), v) << *m;
        ++id;
    }
}

INSTANTIATE_TEST_SUITE_P(Transports, SignalTransportTest, ::testing::Values(false, true),
                         transport_name);

class SignalTest : public ServerTest {};

TEST_F(SignalTest, BroadcastReachesEveryOtherMemberButNotTheSender) {
    ASSERT_TRUE(start(ServerConfig{}));
    std::vector<std::unique_ptr<WsClient>> peers;
    const std::vector<std::string> names = {"p0", "p1", "p2", "p3"};
    for (const auto& n : names) {
        peers.push_back(logged_in(n));
        ASSERT_TRUE(peers.back());
        ASSERT_TRUE(joined(*peers.back(), "room"));
    }
    auto outsider = logged_in("outsider");
    ASSERT_TRUE(outsider);
    ASSERT_TRUE(joined(*outsider, "elsewhere"));

    ASSERT_TRUE(
        peers[1]->send_text(R"({"type":"signal","id":1,"roomId":"room","data":"hello all"})"));
    auto reply = reply_to(*peers[1], 1);
    ASSERT_TRUE(reply && reply->is_success()) << (reply ? reply->raw : "");
    for (std::size_t i = 0; i < peers.size(); ++i) {
        if (i == 1) continue;
        auto m = next_of_type(*peers[i], "signal");
        ASSERT_TRUE(m) << names[i] << dump(*peers[i]);
        EXPECT_EQ(m->str("from"), "p1") << *m;
        EXPECT_EQ(m->str("roomId"), "room") << *m;
        EXPECT_EQ(data_text(m->raw), R"("hello all")") << *m;
        EXPECT_TRUE(no_message_of_type(*peers[i], "signal")) << "exactly one copy for " << names[i];
    }
    EXPECT_TRUE(no_message_of_type(*peers[1], "signal"));
    EXPECT_TRUE(no_message_of_type(*outsider, "signal"));
}

TEST_F(SignalTest, DirectedSignalGoesOnlyToTheTarget) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("a");
    auto b = logged_in("b");
    auto c = logged_in("c");
    ASSERT_TRUE(a && b && c);
    for (auto* x : {a.get(), b.get(), c.get()}) ASSERT_TRUE(joined(*x, "r"));
    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":1,"roomId":"r","to":"c","data":1})"));
    ASSERT_TRUE(reply_to(*a, 1));
    EXPECT_TRUE(next_of_type(*c, "signal"));
    EXPECT_TRUE(no_message_of_type(*b, "signal"));
}

TEST_F(SignalTest, Errors) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    auto b = logged_in("bob");
    auto c = logged_in("carol");
    ASSERT_TRUE(a && b && c);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    ASSERT_TRUE(joined(*c, "r2"));

    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":1,"roomId":"r1","to":"alice","data":{}})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 1), "signal", "bad-request", 1));
    // carol exists, but not in r1; zed does not exist at all.
    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":2,"roomId":"r1","to":"carol","data":{}})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 2), "signal", "unknown-peer", 2));
    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":3,"roomId":"r1","to":"zed","data":{}})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 3), "signal", "unknown-peer", 3));
    // carol is not a member of r1.
    ASSERT_TRUE(c->send_text(R"({"type":"signal","id":4,"roomId":"r1","to":"alice","data":{}})"));
    EXPECT_TRUE(is_error_reply(reply_to(*c, 4), "signal", "not-in-room", 4));
    ASSERT_TRUE(c->send_text(R"({"type":"signal","id":5,"roomId":"r1","data":{}})"));
    EXPECT_TRUE(is_error_reply(reply_to(*c, 5), "signal", "not-in-room", 5));
    // data is required.
    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":6,"roomId":"r1","to":"bob"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 6), "signal", "bad-request", 6));
    // to must be a string.
    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":7,"roomId":"r1","to":5,"data":{}})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 7), "signal", "bad-request", 7));
    // None of that reached bob or carol.
    EXPECT_TRUE(no_message_of_type(*b, "signal"));
    EXPECT_TRUE(no_message_of_type(*c, "signal"));
}

TEST_F(SignalTest, RoomIdOptionalOnlyInExactlyOneRoom) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    auto b = logged_in("bob");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":1,"to":"bob","data":{}})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 1), "signal", "not-in-room", 1));
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":2,"to":"bob","data":"x"})"));
    auto m = reply_to(*a, 2);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success()) << *m;
    auto got = next_of_type(*b, "signal");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->str("roomId"), "r1") << *got;
    ASSERT_TRUE(joined(*a, "r2"));
    ASSERT_TRUE(a->send_text(R"({"type":"signal","id":3,"to":"bob","data":"x"})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 3), "signal", "bad-request", 3));
}

TEST_F(SignalTest, AckFalseSuppressesSuccessButNotErrors) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto a = logged_in("alice");
    auto b = logged_in("bob");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    ASSERT_TRUE(a->send_text(
        R"({"type":"signal","id":1,"roomId":"r1","to":"bob","ack":false,"data":"c1"})"));
    auto m = next_of_type(*b, "signal");
    ASSERT_TRUE(m) << dump(*b);
    EXPECT_EQ(data_text(m->raw), R"("c1")") << *m;
    auto before_pong = sync(*a);
    ASSERT_TRUE(before_pong);
    for (const auto& x : *before_pong) {
        EXPECT_NE(x.type(), "signal") << "ack:false must suppress the success reply: " << x;
    }
    ASSERT_TRUE(a->send_text(
        R"({"type":"signal","id":2,"roomId":"r1","to":"nobody","ack":false,"data":{}})"));
    EXPECT_TRUE(is_error_reply(reply_to(*a, 2), "signal", "unknown-peer", 2));
    // ack:true is the default behaviour.
    ASSERT_TRUE(
        a->send_text(R"({"type":"signal","id":3,"roomId":"r1","to":"bob","ack":true,"data":{}})"));
    auto r = reply_to(*a, 3);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->is_success()) << *r;
}

TEST_F(SignalTest, TrickledCandidatesArriveInOrder) {
    ServerConfig cfg;
    cfg.set("rate_limit", "{messages_per_second: 10000, burst: 10000}");
    ASSERT_TRUE(start(cfg));
    auto a = logged_in("alice");
    auto b = logged_in("bob");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(joined(*a, "r1"));
    ASSERT_TRUE(joined(*b, "r1"));
    constexpr int kCount = 200;
    for (int i = 0; i < kCount; ++i) {
        ASSERT_TRUE(a->send_text(
            R"({"type":"signal","roomId":"r1","to":"bob","ack":false,"data":"candidate:c)" +
            std::to_string(i) + R"( 1 udp 2122260223 127.0.0.1 5000 typ host"})"));
    }
    for (int i = 0; i < kCount; ++i) {
        auto m = next_of_type(*b, "signal");
        ASSERT_TRUE(m) << "candidate " << i << " missing: " << dump(*b);
        EXPECT_EQ(data_text(m->raw), R"("candidate:c)" + std::to_string(i) +
                                         R"( 1 udp 2122260223 127.0.0.1 5000 typ host")")
            << *m;
    }
    EXPECT_TRUE(no_message_of_type(*b, "signal"));
}

TEST_F(SignalTest, ManyClientsInManyRooms) {
    ServerConfig cfg;
    cfg.set("max_room_members", "10");
    ASSERT_TRUE(start(cfg));
    constexpr int kRooms = 5, kPerRoom = 10;
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int r = 0; r < kRooms; ++r) {
        for (int i = 0; i < kPerRoom; ++i) {
            auto c = logged_in("u" + std::to_string(r) + "-" + std::to_string(i));
            ASSERT_TRUE(c);
            ASSERT_TRUE(joined(*c, "room" + std::to_string(r)));
            clients.push_back(std::move(c));
        }
    }
    // Everyone broadcasts once in their room.
    for (auto& c : clients) {
        ASSERT_TRUE(c->send_text(R"({"type":"signal","ack":false,"data":"hi"})"));
    }
    // Each client receives exactly kPerRoom - 1 signals, all from its room.
    for (int k = 0; k < static_cast<int>(clients.size()); ++k) {
        const std::string room = "room" + std::to_string(k / kPerRoom);
        std::set<std::string> from;
        for (int n = 0; n < kPerRoom - 1; ++n) {
            auto m = next_of_type(*clients[k], "signal");
            ASSERT_TRUE(m) << "client " << k << " got " << n << " signals " << dump(*clients[k]);
            EXPECT_EQ(m->str("roomId"), room) << *m;
            from.insert(m->str("from"));
        }
        EXPECT_EQ(from.size(), static_cast<std::size_t>(kPerRoom - 1));
        EXPECT_TRUE(no_message_of_type(*clients[k], "signal"));
    }
}

TEST_F(SignalTest, InterleavedSendersKeepPerSenderOrder) {
    ServerConfig cfg;
    cfg.set("rate_limit", "{messages_per_second: 10000, burst: 10000}");
    ASSERT_TRUE(start(cfg));
    auto a = logged_in("a");
    auto b = logged_in("b");
    auto c = logged_in("c");
    ASSERT_TRUE(a && b && c);
    for (auto* x : {a.get(), b.get(), c.get()}) ASSERT_TRUE(joined(*x, "r"));
    constexpr int kCount = 50;
    for (int i = 0; i < kCount; ++i) {
        ASSERT_TRUE(a->send_text(R"({"type":"signal","roomId":"r","to":"c","ack":false,"data":)" +
                                 std::to_string(i) + "}"));
        ASSERT_TRUE(b->send_text(R"({"type":"signal","roomId":"r","to":"c","ack":false,"data":)" +
                                 std::to_string(i) + "}"));
    }
    int next_a = 0, next_b = 0;
    for (int i = 0; i < 2 * kCount; ++i) {
        auto m = next_of_type(*c, "signal");
        ASSERT_TRUE(m) << i;
        int v = std::stoi(data_text(m->raw));
        if (m->str("from") == "a") {
            EXPECT_EQ(v, next_a++) << *m;
        } else {
            EXPECT_EQ(m->str("from"), "b") << *m;
            EXPECT_EQ(v, next_b++) << *m;
        }
    }
    EXPECT_EQ(next_a, kCount);
    EXPECT_EQ(next_b, kCount);
}

}  // namespace
}  // namespace sbtest
