#include "signaling/protocol/parser.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace switchboard::signaling::protocol {
namespace {

Request parsed_ok(std::string_view frame) {
    auto result = parse_request(frame);
    if (auto* req = std::get_if<Request>(&result)) return *req;
    const auto& f = std::get<ParseFailure>(result);
    ADD_FAILURE() << "refused (" << wire_name(f.error) << ": " << f.message << "): " << frame;
    return {};
}

ParseFailure parsed_failure(std::string_view frame) {
    auto result = parse_request(frame);
    if (auto* f = std::get_if<ParseFailure>(&result)) return *f;
    ADD_FAILURE() << "accepted: " << frame;
    return {};
}

// The `data` span of a signal whose data value is `value`, as forwarded.
std::string data_of(std::string_view value) {
    return parsed_ok(R"({"type":"signal","to":"bob","data":)" + std::string(value) + "}").data_json;
}

// ---------------------------------------------------------------- valid requests

TEST(Parser, EveryRequestTypeWithItsFields) {
    auto login = parsed_ok(R"({"type":"login","token":"t.k.n","userId":"alice","resume":"r"})");
    EXPECT_EQ(login.type, RequestType::login);
    EXPECT_EQ(login.token, "t.k.n");
    EXPECT_EQ(login.user_id, "alice");
    EXPECT_EQ(login.resume, "r");

    auto join = parsed_ok(R"({"type":"join","roomId":"r1"})");
    EXPECT_EQ(join.type, RequestType::join);
    EXPECT_EQ(join.room_id, "r1");

    auto leave = parsed_ok(R"({"type":"leave"})");
    EXPECT_EQ(leave.type, RequestType::leave);
    EXPECT_FALSE(leave.room_id.has_value());
    EXPECT_EQ(parsed_ok(R"({"type":"leave","roomId":"r1"})").room_id, "r1");

    auto signal = parsed_ok(R"({"type":"signal","roomId":"r1","to":"bob","data":"x","ack":false})");
    EXPECT_EQ(signal.type, RequestType::signal);
    EXPECT_EQ(signal.room_id, "r1");
    EXPECT_EQ(signal.to, "bob");
    EXPECT_EQ(signal.data_json, R"("x")");
    EXPECT_FALSE(signal.ack);

    EXPECT_EQ(parsed_ok(R"({"type":"ping"})").type, RequestType::ping);
    auto users = parsed_ok(R"({"type":"room-users","roomId":"r1"})");
    EXPECT_EQ(users.type, RequestType::room_users);
    EXPECT_EQ(users.room_id, "r1");
    auto ice = parsed_ok(R"({"type":"ice-servers"})");
    EXPECT_EQ(ice.type, RequestType::ice_servers);
    EXPECT_FALSE(ice.room_id.has_value());
}

TEST(Parser, TypeNamesRoundTrip) {
    for (auto t : {RequestType::login, RequestType::join, RequestType::leave, RequestType::signal,
                   RequestType::ping, RequestType::room_users, RequestType::ice_servers}) {
        const std::string frame =
            R"({"type":")" + std::string(type_name(t)) + R"(","roomId":"r","userId":"u","data":1})";
        EXPECT_EQ(parsed_ok(frame).type, t) << frame;
    }
}

TEST(Parser, WhitespaceAroundTheRootIsAllowed) {
    EXPECT_EQ(parsed_ok(" \t\r\n{ \"type\" : \"ping\" , \"id\" : 3 }\n ").id_json, "3");
}

TEST(Parser, OnlyTopLevelMembersCount) {
    auto req =
        parsed_ok(R"({"type":"signal","x":{"data":"inner","type":"join","id":9},"data":"outer"})");
    EXPECT_EQ(req.type, RequestType::signal);
    EXPECT_EQ(req.data_json, R"("outer")");
    EXPECT_EQ(req.id_json, "");
    EXPECT_EQ(parsed_failure(R"({"x":{"type":"ping"}})").error, Error::bad_request);
}

TEST(Parser, UnknownFieldsAndNullOptionalsAreIgnored) {
    auto req = parsed_ok(R"({"x":{"type":"join"},"type":"leave","roomId":null,"future":[1,2]})");
    EXPECT_EQ(req.type, RequestType::leave);
    EXPECT_FALSE(req.room_id.has_value());
}

// ---------------------------------------------------------------- id

TEST(Parser, IdIsEchoedRaw) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"("id":1)", "1"},
        {R"("id":"x")", R"("x")"},
        {R"("id":"a\"b\u0041")", R"("a\"b\u0041")"},
        {R"("id":1.5e3)", "1.5e3"},
        {R"("id":-0)", "-0"},
        {R"("id":123456789012345678901234567890)", "123456789012345678901234567890"},
        {R"("id" :	 7 )", "7"},
        {"", ""},
        {R"("id":null)", ""},
    };
    for (const auto& [member, echoed] : cases) {
        const std::string frame = R"({"type":"ping")" + (member.empty() ? "" : "," + member) + "}";
        EXPECT_EQ(parsed_ok(frame).id_json, echoed) << frame;
    }
}

TEST(Parser, IdOfAnotherKindIsBadRequestWithoutId) {
    for (std::string_view id : {R"({"a":1})", "[1]", "true", "false"}) {
        const auto f = parsed_failure(R"({"type":"ping","id":)" + std::string(id) + "}");
        EXPECT_EQ(f.error, Error::bad_request) << id;
        EXPECT_EQ(f.id_json, "") << id;
    }
}

TEST(Parser, IdsUpTo256BytesAreEchoedLongerOnesAreBadRequestWithoutId) {
    const std::string at_cap(256, 'i');
    EXPECT_EQ(parsed_ok(R"({"type":"ping","id":")" + at_cap + R"("})").id_json,
              "\"" + at_cap + "\"");
    // The cap counts the string's bytes, not its escapes: 128 x "\u00e9" is
    // 256 bytes of UTF-8.
    std::string escaped;
    for (int i = 0; i < 128; ++i) escaped += "\\u00e9";
    EXPECT_FALSE(parsed_ok(R"({"type":"ping","id":")" + escaped + R"("})").id_json.empty());
    const std::string digits(256, '7');
    EXPECT_EQ(parsed_ok(R"({"type":"ping","id":)" + digits + "}").id_json, digits);

    for (const std::string& id : {"\"" + at_cap + "x\"", digits + "7", "\"" + escaped + "a\""}) {
        const auto f = parsed_failure(R"({"type":"join","id":)" + id + R"(,"roomId":"r"})");
        EXPECT_EQ(f.error, Error::bad_request) << id;
        EXPECT_EQ(f.type, "join");
        EXPECT_EQ(f.id_json, "") << "a long id must not be echoed";
        EXPECT_EQ(f.message, "id longer than 256 bytes");
    }
}

// ---------------------------------------------------------------- envelope errors

TEST(Parser, NotJsonOrNotAnObjectIsInvalidJson) {
    for (std::string_view frame :
         {"", " ", "{", "{\"type\":\"ping\"", "nope", "[]", R"([{"type":"ping"}])", R"("ping")",
          "42", "true", "null", R"({"type":"ping",})", R"({'type':'ping'})", R"({"type":"ping"} x)",
          R"({"type":"ping"}{})"}) {
        const auto f = parsed_failure(frame);
        EXPECT_EQ(f.error, Error::invalid_json) << frame;
        EXPECT_EQ(f.type, "") << frame;
        EXPECT_EQ(f.id_json, "") << frame;
        EXPECT_FALSE(f.message.empty());
    }
}

TEST(Parser, MissingOrNonStringTypeIsBadRequestEchoingId) {
    for (std::string_view frame : {R"({"id":9})", R"({"id":9,"type":1})", R"({"id":9,"type":null})",
                                   R"({"id":9,"type":["join"]})", R"({"id":9,"type":{}})"}) {
        const auto f = parsed_failure(frame);
        EXPECT_EQ(f.error, Error::bad_request) << frame;
        EXPECT_EQ(f.type, "") << frame;
        EXPECT_EQ(f.id_json, "9") << frame;
    }
}

TEST(Parser, UnknownTypeKeepsTypeAndId) {
    for (std::string_view type : {"hello", "Login", "", "room_users", "login "}) {
        const auto f = parsed_failure(R"({"type":")" + std::string(type) + R"(","id":"q"})");
        EXPECT_EQ(f.error, Error::unknown_type) << type;
        EXPECT_EQ(f.type, type);
        EXPECT_EQ(f.id_json, R"("q")");
    }
}

TEST(Parser, FieldOfTheWrongTypeIsBadRequest) {
    const std::vector<std::string> frames = {
        R"({"type":"login","id":1,"token":5})",
        R"({"type":"login","id":1,"userId":true})",
        R"({"type":"login","id":1,"resume":{}})",
        R"({"type":"join","id":1})",
        R"({"type":"join","id":1,"roomId":null})",
        R"({"type":"join","id":1,"roomId":7})",
        R"({"type":"leave","id":1,"roomId":["r1"]})",
        R"({"type":"room-users","id":1,"roomId":false})",
        R"({"type":"ice-servers","id":1,"roomId":1.0})",
        R"({"type":"signal","id":1,"roomId":"r1","to":"bob"})",
        R"({"type":"signal","id":1,"to":3,"data":{}})",
        R"({"type":"signal","id":1,"roomId":{},"data":{}})",
        R"({"type":"signal","id":1,"data":{},"ack":"false"})",
        R"({"type":"signal","id":1,"data":{},"ack":0})",
    };
    for (const auto& frame : frames) {
        const auto f = parsed_failure(frame);
        EXPECT_EQ(f.error, Error::bad_request) << frame;
        EXPECT_FALSE(f.type.empty()) << frame;
        EXPECT_EQ(f.id_json, "1") << frame;
        EXPECT_FALSE(f.message.empty()) << frame;
    }
}

TEST(Parser, BadIdentifiersAreBadRequest) {
    const std::vector<std::string> bad = {
        "", std::string(129, 'a'), "a b", "caf\xC3\xA9", "a/b", "a\\\\b", "a\\u0000"};
    for (const auto& id : bad) {
        for (std::string_view field : {"roomId", "to"}) {
            const std::string frame =
                R"({"type":"signal","data":1,")" + std::string(field) + R"(":")" + id + R"("})";
            EXPECT_EQ(parsed_failure(frame).error, Error::bad_request) << frame;
        }
        EXPECT_EQ(parsed_failure(R"({"type":"join","roomId":")" + id + R"("})").error,
                  Error::bad_request);
    }
    const std::string longest(128, 'a');
    EXPECT_EQ(parsed_ok(R"({"type":"join","roomId":")" + longest + R"("})").room_id, longest);
    EXPECT_EQ(parsed_ok(R"({"type":"join","roomId":"A-z_0.9:@"})").room_id, "A-z_0.9:@");
}

TEST(Parser, AckDefaultsToTrue) {
    EXPECT_TRUE(parsed_ok(R"({"type":"signal","data":1})").ack);
    EXPECT_TRUE(parsed_ok(R"({"type":"signal","data":1,"ack":true})").ack);
    EXPECT_TRUE(parsed_ok(R"({"type":"signal","data":1,"ack":null})").ack);
    EXPECT_FALSE(parsed_ok(R"({"type":"signal","data":1,"ack":false})").ack);
}

// ---------------------------------------------------------------- data span

TEST(Parser, ScalarDataIsForwardedByteForByte) {
    for (std::string_view value :
         {R"("a\"b\\c\u00e9\n")", R"("")", "1.50", "1e2", "-0.0E+05", "true", "false", "null",
          R"("caf)"
          "\xC3\xA9\"",
          "123456789012345678901234567890"}) {
        EXPECT_EQ(data_of(value), value);
    }
}

TEST(Parser, WhitespaceAroundTheColonIsNotPartOfData) {
    EXPECT_EQ(parsed_ok("{\"type\":\"signal\",\"data\" \t\r\n: \n\"x\" ,\"to\":\"b\"}").data_json,
              R"("x")");
    EXPECT_EQ(parsed_ok("{\"type\":\"signal\",\"data\"\n:\n1.50\n}").data_json, "1.50");
}

// Regression: RapidJSON's iterative parser reports the end of a container
// before consuming its bracket; `data` objects once lost their closing brace.
TEST(Parser, ObjectAndArrayDataAreForwardedByteForByte) {
    for (std::string_view value : {R"({"sdp":"v=0\r\n","type":"offer"})", "{}", "[]", "[ 1 , 2 ]",
                                   R"({ "b" : 1.50 , "a" : [ 1e2, {"c":null} ] })",
                                   R"([{"candidate":"a:1 1 udp","sdpMid":"0"}])"}) {
        EXPECT_EQ(data_of(value), value);
    }
    EXPECT_EQ(parsed_ok(R"({"type":"signal","data": {"x":1} ,"to":"b"})").data_json, R"({"x":1})");
}

// ---------------------------------------------------------------- hostile input

TEST(Parser, VeryDeepNestingIsInvalidJsonAndCheap) {
    const std::string deep_array(10'000, '[');
    const std::string deep_data =
        R"({"type":"signal","data":)" + std::string(10'000, '[') + std::string(10'000, ']') + "}";
    const std::string deep_object = [] {
        std::string s = R"({"type":"signal","data":)";
        for (int i = 0; i < 10'000; ++i) s += R"({"a":)";
        s += "1";
        s += std::string(10'000, '}');
        return s + "}";
    }();
    const auto start = std::chrono::steady_clock::now();
    for (const auto* frame : {&deep_array, &deep_data, &deep_object}) {
        EXPECT_EQ(parsed_failure(*frame).error, Error::invalid_json);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(Parser, NestingUpToTheLimitInsideDataIsAccepted) {
    // The root object is level 1, so data may open kMaxDepth - 1 more levels.
    const int inner = kMaxDepth - 1;
    const std::string ok_data = std::string(inner, '[') + std::string(inner, ']');
    const auto req = parse_request(R"({"type":"signal","data":)" + ok_data + "}");
    ASSERT_TRUE(std::holds_alternative<Request>(req));

    const std::string too_deep = std::string(inner + 1, '[') + std::string(inner + 1, ']');
    EXPECT_EQ(parsed_failure(R"({"type":"signal","data":)" + too_deep + "}").error,
              Error::invalid_json);
}

// Regression: RapidJSON range-checks numbers even when keeping them as
// strings; out-of-range numbers are valid JSON and must pass through raw.
TEST(Parser, HugeNumbersAreValidJsonAndForwardedRaw) {
    for (const std::string& value : {std::string("1e999999"), std::string("-1E+400"),
                                     std::string(400, '9'), "0." + std::string(400, '1')}) {
        EXPECT_EQ(data_of(value), value);
        // As an id, the 256-byte cap applies (IdsUpTo256Bytes...).
        if (value.size() <= 256) {
            EXPECT_EQ(parsed_ok(R"({"type":"ping","id":)" + value + "}").id_json, value);
        }
    }
}

TEST(Parser, InvalidUtf8IsInvalidJson) {
    const std::vector<std::string> bad = {
        "\xC3",              // lone lead byte
        "\xFF",              // never valid
        "\xC0\xAF",          // overlong '/'
        "\xED\xA0\x80",      // UTF-16 surrogate D800 encoded as UTF-8
        "\xF4\x90\x80\x80",  // above U+10FFFF
        "\x80",              // lone continuation byte
    };
    for (const auto& bytes : bad) {
        for (const std::string& frame : {R"({"type":"signal","data":")" + bytes + R"("})",
                                         R"({"type":"ping",")" + bytes + R"(":1})",
                                         R"({"type":"login","userId":")" + bytes + R"("})",
                                         R"({"type":"ping","x":[")" + bytes + R"("]})"}) {
            EXPECT_EQ(parsed_failure(frame).error, Error::invalid_json) << frame;
        }
    }
    // Valid multi-byte text still passes.
    EXPECT_EQ(data_of("\"\xF0\x9F\x98\x80\xE2\x82\xAC\""), "\"\xF0\x9F\x98\x80\xE2\x82\xAC\"");
}

TEST(Parser, EmbeddedNulIsInvalidJson) {
    using namespace std::string_literals;
    for (const std::string& frame : {"{\"type\":\"ping\"}\0"s, "{\"type\":\"ping\"\0}"s,
                                     "{\"type\":\"signal\",\"data\":\"a\0b\"}"s, "\0"s}) {
        EXPECT_EQ(parsed_failure(frame).error, Error::invalid_json);
    }
}

TEST(Parser, DuplicateKeysLastOneWins) {
    auto req = parsed_ok(R"({"type":"join","roomId":"a","roomId":"b","type":"leave"})");
    EXPECT_EQ(req.type, RequestType::leave);
    EXPECT_EQ(req.room_id, "b");
    EXPECT_EQ(parsed_ok(R"({"type":"signal","data":1,"data":"two"})").data_json, R"("two")");
    EXPECT_EQ(parsed_ok(R"({"type":"ping","id":1,"id":"2"})").id_json, R"("2")");
}

TEST(Parser, EscapedTypeAndKeysAreDecoded) {
    auto req = parsed_ok(R"({"\u0074ype":"jo\u0069n","room\u0049d":"r1"})");
    EXPECT_EQ(req.type, RequestType::join);
    EXPECT_EQ(req.room_id, "r1");
}

}  // namespace
}  // namespace switchboard::signaling::protocol
