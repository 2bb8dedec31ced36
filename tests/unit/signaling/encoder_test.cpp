#include "signaling/protocol/encoder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::signaling::protocol {
namespace {

IceServerList sample_ice() {
    IceServerList ice;
    ice.stun_urls = {"stun:turn.example.com:3478"};
    ice.turn_urls = {"turn:turn.example.com:3478?transport=udp",
                     "turns:turn.example.com:5349?transport=tcp"};
    ice.username = "1764003600:alice";
    ice.credential = "c2VjcmV0";
    ice.expires_at = 1'764'003'600;
    return ice;
}

constexpr std::string_view kIceJson =
    R"("iceServers":[{"urls":["stun:turn.example.com:3478"]},)"
    R"({"urls":["turn:turn.example.com:3478?transport=udp","turns:turn.example.com:5349?transport=tcp"],)"
    R"("username":"1764003600:alice","credential":"c2VjcmV0"}],"iceServersExpiresAt":1764003600)";

std::string with_ice(std::string_view before) {
    return std::string(before) + std::string(kIceJson) + "}";
}

TEST(Encoder, Failure) {
    EXPECT_EQ(encode_failure("join", "2", Error::room_full, "the room is full", "r1"),
              R"({"type":"join","id":2,"success":false,"roomId":"r1","error":"room-full",)"
              R"("message":"the room is full"})");
    EXPECT_EQ(encode_failure("leave", "", Error::not_in_room, "no"),
              R"({"type":"leave","success":false,"error":"not-in-room","message":"no"})");
    EXPECT_EQ(encode_failure("hello", R"("a")", Error::unknown_type, "unknown message type"),
              R"({"type":"hello","id":"a","success":false,"error":"unknown-type",)"
              R"("message":"unknown message type"})");
}

TEST(Encoder, EveryErrorCodeHasItsWireName) {
    const std::pair<Error, std::string_view> codes[] = {
        {Error::invalid_json, "invalid-json"},
        {Error::bad_request, "bad-request"},
        {Error::unknown_type, "unknown-type"},
        {Error::not_logged_in, "not-logged-in"},
        {Error::already_logged_in, "already-logged-in"},
        {Error::unauthorized, "unauthorized"},
        {Error::room_full, "room-full"},
        {Error::too_many_rooms, "too-many-rooms"},
        {Error::not_in_room, "not-in-room"},
        {Error::unknown_peer, "unknown-peer"},
        {Error::rate_limited, "rate-limited"},
        {Error::session_replaced, "session-replaced"},
        {Error::internal, "internal"},
    };
    for (const auto& [error, name] : codes) {
        EXPECT_EQ(wire_name(error), name);
        EXPECT_EQ(std::error_code(error).message(), name);
        EXPECT_EQ(encode_error_event(error, "m"),
                  R"({"type":"error","error":")" + std::string(name) + R"(","message":"m"})");
    }
    EXPECT_STREQ(make_error_code(Error::internal).category().name(), "signaling");
}

TEST(Encoder, ErrorEventEchoesId) {
    EXPECT_EQ(
        encode_error_event(Error::bad_request, "type must be a string", "1.5e3"),
        R"({"type":"error","id":1.5e3,"error":"bad-request","message":"type must be a string"})");
}

TEST(Encoder, LoginOk) {
    LoginResult r;
    r.user_id = "alice";
    r.session_id = "S";
    r.heartbeat_interval_s = 25;
    r.heartbeat_timeout_s = 60;
    r.resume_token = "R";
    r.resume_window_s = 30;
    EXPECT_EQ(encode_login_ok("1", r),
              R"({"type":"login","id":1,"success":true,"userId":"alice","sessionId":"S",)"
              R"("heartbeat":{"interval":25,"timeout":60},"protocol":"switchboard.v1",)"
              R"("resumeToken":"R","resumeWindow":30,"resumed":false})");
    r.resumed = true;
    r.heartbeat_interval_s = 0.25;
    r.resume_window_s = 0;
    EXPECT_EQ(encode_login_ok("", r),
              R"({"type":"login","success":true,"userId":"alice","sessionId":"S",)"
              R"("heartbeat":{"interval":0.25,"timeout":60},"protocol":"switchboard.v1",)"
              R"("resumeToken":"R","resumeWindow":0,"resumed":true})");
}

TEST(Encoder, JoinOk) {
    EXPECT_EQ(encode_join_ok(R"("j")", "r1", false, {{"bob", "Bob"}, {"carol", std::nullopt}},
                             sample_ice()),
              with_ice(R"({"type":"join","id":"j","success":true,"roomId":"r1","created":false,)"
                       R"("users":[{"userId":"bob","name":"Bob"},{"userId":"carol"}],)"));
    EXPECT_EQ(
        encode_join_ok("", "r1", true, {}, sample_ice()),
        with_ice(R"({"type":"join","success":true,"roomId":"r1","created":true,"users":[],)"));
}

TEST(Encoder, JoinWithTurnDisabledHasNoServers) {
    IceServerList none;
    none.expires_at = 5;
    EXPECT_EQ(encode_join_ok("", "r", true, {}, none),
              R"({"type":"join","success":true,"roomId":"r","created":true,"users":[],)"
              R"("iceServers":[],"iceServersExpiresAt":5})");
}

TEST(Encoder, SimpleReplies) {
    EXPECT_EQ(encode_leave_ok("3", "r1"),
              R"({"type":"leave","id":3,"success":true,"roomId":"r1"})");
    EXPECT_EQ(encode_signal_ack("4"), R"({"type":"signal","id":4,"success":true})");
    EXPECT_EQ(encode_signal_ack(""), R"({"type":"signal","success":true})");
    EXPECT_EQ(encode_pong("5", 1'764'000'000'123),
              R"({"type":"pong","id":5,"time":1764000000123})");
    EXPECT_EQ(encode_pong("", 0), R"({"type":"pong","time":0})");
    EXPECT_EQ(encode_room_users("6", "r1", {{"alice", std::nullopt}, {"bob", "Bob"}}),
              R"({"type":"room-users","id":6,"success":true,"roomId":"r1",)"
              R"("users":[{"userId":"alice"},{"userId":"bob","name":"Bob"}]})");
}

TEST(Encoder, IceServers) {
    EXPECT_EQ(encode_ice_servers_reply("7", "r1", sample_ice()),
              with_ice(R"({"type":"ice-servers","id":7,"success":true,"roomId":"r1",)"));
    EXPECT_EQ(encode_ice_servers_push("r1", sample_ice()),
              with_ice(R"({"type":"ice-servers","roomId":"r1",)"));
}

TEST(Encoder, Events) {
    EXPECT_EQ(encode_user_joined("r1", {"alice", "Alice"}),
              R"({"type":"user-joined","roomId":"r1","userId":"alice","name":"Alice"})");
    EXPECT_EQ(encode_user_joined("r1", {"alice", std::nullopt}),
              R"({"type":"user-joined","roomId":"r1","userId":"alice"})");
    EXPECT_EQ(encode_user_left("r1", "alice", "replaced"),
              R"({"type":"user-left","roomId":"r1","userId":"alice","reason":"replaced"})");
    EXPECT_EQ(encode_goaway("shutdown", 1500),
              R"({"type":"goaway","reason":"shutdown","reconnectAfterMs":1500})");
}

TEST(Encoder, SignalInsertsDataVerbatim) {
    for (std::string_view data : {R"({ "sdp" : "v=0\r\n", "n": 1.50 })", "[1e2 ,true]", "null",
                                  R"("\u00e9")", "123456789012345678901234567890"}) {
        EXPECT_EQ(
            encode_signal("r1", "alice", data),
            R"({"type":"signal","roomId":"r1","from":"alice","data":)" + std::string(data) + "}");
    }
}

TEST(Encoder, SignalFromIdsThatAreNotIdentifiersIsStillEscaped) {
    // The hub only relays between identifiers; the fast path must not be
    // what keeps anything else well-formed.
    EXPECT_EQ(encode_signal("r\"1", "a\\b", "1"),
              R"({"type":"signal","roomId":"r\"1","from":"a\\b","data":1})");
}

TEST(Encoder, HostileStringsAreEscaped) {
    using namespace std::string_literals;
    const std::string hostile = "a\"b\\c\n\t\x01</script>\0z"s;
    const std::string escaped = R"(a\"b\\c\n\t\u0001</script>\u0000z)";
    EXPECT_EQ(encode_failure(hostile, "", Error::unknown_type, hostile),
              R"({"type":")" + escaped + R"(","success":false,"error":"unknown-type","message":")" +
                  escaped + R"("})");
    EXPECT_EQ(encode_error_event(Error::internal, hostile),
              R"({"type":"error","error":"internal","message":")" + escaped + R"("})");
    EXPECT_EQ(encode_user_joined("r", {"u", hostile}),
              R"({"type":"user-joined","roomId":"r","userId":"u","name":")" + escaped + R"("})");
    // Non-ASCII UTF-8 passes through unescaped.
    EXPECT_EQ(encode_user_joined("r", {"u", "\xC3\xA9"}),
              "{\"type\":\"user-joined\",\"roomId\":\"r\",\"userId\":\"u\",\"name\":\"\xC3\xA9\"}");
}

}  // namespace
}  // namespace switchboard::signaling::protocol
