#pragma once
// Protocol-level helpers shared by the integration tests: parsed messages,
// expectations on replies, JWT and TURN-credential oracles computed
// independently of the server's own code (OpenSSL directly), and a fixture
// that starts one server per test. No Beast here (ws_client.cpp and
// http_client.cpp are the only translation units that include it).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/ws_client.hpp"

namespace sbtest {

// How long to wait for a message the protocol says must come.
constexpr std::chrono::milliseconds kWait{3000};

// One received frame, kept both raw (for byte-exact checks) and parsed.
struct Msg {
    std::string raw;
    rapidjson::Document doc;

    explicit Msg(std::string text);
    bool is_object() const { return doc.IsObject(); }
    std::string type() const { return str("type"); }
    bool has(const char* key) const;
    const rapidjson::Value* get(const char* key) const;
    // "" when absent or not a string.
    std::string str(const char* key) const;
    // nullopt when absent or not an integer.
    std::optional<std::int64_t> integer(const char* key) const;
    // nullopt when absent or not a bool.
    std::optional<bool> boolean(const char* key) const;
    bool is_success() const { return boolean("success") == true; }
    bool is_error(const std::string& code) const {
        return boolean("success") == false && str("error") == code;
    }
};

std::ostream& operator<<(std::ostream& os, const Msg& m);

// The next frame, parsed; nullopt on timeout/close.
std::optional<Msg> next_msg(WsClient& c, std::chrono::milliseconds timeout = kWait);
// The first frame whose "type" is `type` (others stay buffered, in order).
std::optional<Msg> next_of_type(WsClient& c, const std::string& type,
                                std::chrono::milliseconds timeout = kWait);
// The reply to request `id` (numeric ids; matches "id":<id> in the parsed frame).
std::optional<Msg> reply_to(WsClient& c, std::int64_t id,
                            std::chrono::milliseconds timeout = kWait);

// For failure messages: the client's last error and what it has buffered.
std::string dump(const WsClient& c);

// Sends a ping with a fresh id and returns every frame received before its
// pong (the pong itself is consumed). Because the server handles one
// connection's frames in order, anything it queued for this client before the
// ping is in the result: a barrier that replaces "sleep and check nothing
// arrived". nullopt if no pong came.
std::optional<std::vector<Msg>> sync(WsClient& c, std::chrono::milliseconds timeout = kWait);
// sync() then: no buffered or newly arrived frame of `type`.
::testing::AssertionResult no_message_of_type(WsClient& c, const std::string& type);

// Checks an error reply: `type`, success false, `error` code, string message,
// and (if given) the echoed numeric id.
::testing::AssertionResult is_error_reply(const std::optional<Msg>& m, const std::string& type,
                                          const std::string& code,
                                          std::optional<std::int64_t> id = {});

// --- credentials oracles -------------------------------------------------
std::string base64(const std::string& bytes);
std::string base64url(const std::string& bytes);
std::string base64url_decode(const std::string& text);
std::string hmac_sha1(const std::string& key, const std::string& data);
std::string hmac_sha256(const std::string& key, const std::string& data);
// base64(HMAC-SHA1(secret, username)): the TURN REST API password.
std::string turn_password(const std::string& secret, const std::string& username);
// header.payload.signature with HS256 over the given JSON texts.
std::string make_jwt_raw(const std::string& secret, const std::string& header_json,
                         const std::string& payload_json);
// A valid HS256 token for `sub`, expiring in `ttl_seconds`; `extra_claims` is
// raw JSON members appended to the payload, e.g. R"("name":"Alice")".
std::string make_jwt(const std::string& secret, const std::string& sub,
                     std::int64_t ttl_seconds = 3600, const std::string& extra_claims = "");
std::int64_t unix_now();
// The resident set of process `pid` in KiB (VmRSS), -1 if unknown.
std::int64_t rss_kib(int pid);
std::int64_t unix_now_ms();
// JSON string literal for `s` (quotes and escapes).
std::string json_string(const std::string& s);

// --- fixture -------------------------------------------------------------
class ServerTest : public ::testing::Test {
protected:
    // Starts the server; returns false (with a test failure) if it did not
    // come up. Use as ASSERT_TRUE(start(config)).
    bool start(const ServerConfig& config);
    // A connected client over the server's scheme (or a failure).
    std::unique_ptr<WsClient> client(const WsConnectOptions& options = {});
    // Connects, logs in (auth mode none) and returns the client; the login
    // reply is stored in *reply if given. nullptr with a test failure otherwise.
    std::unique_ptr<WsClient> logged_in(const std::string& user,
                                        std::optional<Msg>* reply = nullptr);
    // Same with a JWT.
    std::unique_ptr<WsClient> logged_in_jwt(const std::string& token,
                                            std::optional<Msg>* reply = nullptr);
    // Sends join and returns the join reply (user-joined events for this
    // client that arrive meanwhile stay buffered).
    std::optional<Msg> join(WsClient& c, const std::string& room);
    // join + expect success.
    ::testing::AssertionResult joined(WsClient& c, const std::string& room);

    // A fresh request id, unique within the test.
    std::int64_t next_id() { return ++last_id_; }

    void TearDown() override;

    std::unique_ptr<ServerProcess> server_;
    bool tls_ = false;
    std::int64_t last_id_ = 100;
};

// For suites parameterized over ws and wss.
class TransportTest : public ServerTest, public ::testing::WithParamInterface<bool> {
protected:
    bool use_tls() const { return GetParam(); }
    ServerConfig base_config() const {
        ServerConfig c;
        c.tls = use_tls();
        return c;
    }
};

std::string transport_name(const ::testing::TestParamInfo<bool>& info);

}  // namespace sbtest
