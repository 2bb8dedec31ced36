#include "tests/integration/test_support.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <fstream>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <sstream>

namespace sbtest {

Msg::Msg(std::string text) : raw(std::move(text)) {
    doc.Parse(raw.c_str(), raw.size());
    if (doc.HasParseError()) doc.SetNull();
}

bool Msg::has(const char* key) const {
    return doc.IsObject() && doc.HasMember(key);
}

const rapidjson::Value* Msg::get(const char* key) const {
    if (!doc.IsObject()) return nullptr;
    auto it = doc.FindMember(key);
    return it == doc.MemberEnd() ? nullptr : &it->value;
}

std::string Msg::str(const char* key) const {
    const auto* v = get(key);
    return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

std::optional<std::int64_t> Msg::integer(const char* key) const {
    const auto* v = get(key);
    if (!v || !v->IsInt64()) return std::nullopt;
    return v->GetInt64();
}

std::optional<bool> Msg::boolean(const char* key) const {
    const auto* v = get(key);
    if (!v || !v->IsBool()) return std::nullopt;
    return v->GetBool();
}

std::ostream& operator<<(std::ostream& os, const Msg& m) {
    return os << m.raw;
}

std::optional<Msg> next_msg(WsClient& c, std::chrono::milliseconds timeout) {
    auto text = c.recv(timeout);
    if (!text) return std::nullopt;
    return Msg(std::move(*text));
}

std::optional<Msg> next_of_type(WsClient& c, const std::string& type,
                                std::chrono::milliseconds timeout) {
    auto text =
        c.recv_matching([&](const std::string& raw) { return Msg(raw).type() == type; }, timeout);
    if (!text) return std::nullopt;
    return Msg(std::move(*text));
}

std::optional<Msg> reply_to(WsClient& c, std::int64_t id, std::chrono::milliseconds timeout) {
    auto text = c.recv_matching(
        [&](const std::string& raw) { return Msg(raw).integer("id") == id; }, timeout);
    if (!text) return std::nullopt;
    return Msg(std::move(*text));
}

std::string dump(const WsClient& c) {
    std::string out = "[client: " + (c.closed() ? std::string("closed") : std::string("open"));
    if (c.close_code()) out += " code " + std::to_string(*c.close_code());
    if (!c.last_error().empty()) out += ", last error: " + c.last_error();
    auto pending = c.pending();
    out += ", " + std::to_string(pending.size()) + " buffered";
    for (const auto& p : pending) out += "\n  " + (p.size() > 300 ? p.substr(0, 300) + "..." : p);
    return out + "]";
}

std::optional<std::vector<Msg>> sync(WsClient& c, std::chrono::milliseconds timeout) {
    static std::int64_t counter = 900000;
    std::int64_t id = ++counter;
    if (!c.send_text(R"({"type":"ping","id":)" + std::to_string(id) + "}")) return std::nullopt;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<Msg> before;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto m = next_msg(c, left);
        if (!m) return std::nullopt;
        if (m->type() == "pong" && m->integer("id") == id) return before;
        before.push_back(std::move(*m));
    }
}

::testing::AssertionResult no_message_of_type(WsClient& c, const std::string& type) {
    auto seen = sync(c);
    if (!seen)
        return ::testing::AssertionFailure() << "no pong to a barrier ping: " << c.last_error();
    for (auto& m : *seen) {
        if (m.type() == type)
            return ::testing::AssertionFailure() << "unexpected " << type << ": " << m.raw;
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_error_reply(const std::optional<Msg>& m, const std::string& type,
                                          const std::string& code, std::optional<std::int64_t> id) {
    if (!m)
        return ::testing::AssertionFailure() << "no reply (expected " << type << "/" << code << ")";
    if (!m->is_object())
        return ::testing::AssertionFailure() << "reply is not a JSON object: " << m->raw;
    if (m->type() != type)
        return ::testing::AssertionFailure() << "expected type " << type << ": " << m->raw;
    if (m->boolean("success") != false)
        return ::testing::AssertionFailure() << "expected \"success\":false: " << m->raw;
    if (m->str("error") != code)
        return ::testing::AssertionFailure() << "expected error " << code << ": " << m->raw;
    const auto* msg = m->get("message");
    if (!msg || !msg->IsString())
        return ::testing::AssertionFailure() << "no string \"message\": " << m->raw;
    if (id && m->integer("id") != *id)
        return ::testing::AssertionFailure() << "expected \"id\":" << *id << ": " << m->raw;
    return ::testing::AssertionSuccess();
}

std::string base64(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64url(const std::string& bytes) {
    std::string s = base64(bytes);
    for (auto& ch : s) {
        if (ch == '+') ch = '-';
        if (ch == '/') ch = '_';
    }
    while (!s.empty() && s.back() == '=') s.pop_back();
    return s;
}

std::string base64url_decode(const std::string& text) {
    std::string s = text;
    for (auto& ch : s) {
        if (ch == '-') ch = '+';
        if (ch == '_') ch = '/';
    }
    while (s.size() % 4 != 0) s.push_back('=');
    std::string out(s.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
    if (n < 0) return {};
    std::size_t pad = 0;
    if (!s.empty() && s.back() == '=') ++pad;
    if (s.size() > 1 && s[s.size() - 2] == '=') ++pad;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

namespace {
std::string hmac(const EVP_MD* md, const std::string& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
}
}  // namespace

std::string hmac_sha1(const std::string& key, const std::string& data) {
    return hmac(EVP_sha1(), key, data);
}
std::string hmac_sha256(const std::string& key, const std::string& data) {
    return hmac(EVP_sha256(), key, data);
}

std::string turn_password(const std::string& secret, const std::string& username) {
    return base64(hmac_sha1(secret, username));
}

std::string make_jwt_raw(const std::string& secret, const std::string& header_json,
                         const std::string& payload_json) {
    std::string signing_input = base64url(header_json) + "." + base64url(payload_json);
    return signing_input + "." + base64url(hmac_sha256(secret, signing_input));
}

std::string make_jwt(const std::string& secret, const std::string& sub, std::int64_t ttl_seconds,
                     const std::string& extra_claims) {
    std::int64_t now = unix_now();
    std::string payload = R"({"sub":)" + json_string(sub) + R"(,"iat":)" + std::to_string(now) +
                          R"(,"exp":)" + std::to_string(now + ttl_seconds);
    if (!extra_claims.empty()) payload += "," + extra_claims;
    payload += "}";
    return make_jwt_raw(secret, R"({"alg":"HS256","typ":"JWT"})", payload);
}

std::int64_t rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    }
    return -1;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t unix_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            default:
                if (static_cast<unsigned char>(ch) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", ch);
                    out += buf;
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

bool ServerTest::start(const ServerConfig& config) {
    tls_ = config.tls;
    server_ = std::make_unique<ServerProcess>(config);
    if (!server_->started()) {
        ADD_FAILURE() << "server did not start: " << server_->error();
        return false;
    }
    if (server_->tls() != config.tls) {
        ADD_FAILURE() << "server announced " << server_->scheme() << ":// but tls=" << config.tls
                      << "\n"
                      << server_->log();
        return false;
    }
    return true;
}

std::unique_ptr<WsClient> ServerTest::client(const WsConnectOptions& options) {
    if (!server_ || !server_->started()) {
        ADD_FAILURE() << "no server";
        return nullptr;
    }
    auto c = std::make_unique<WsClient>();
    WsConnectOptions o = options;
    o.tls = tls_;
    auto r = c->connect(server_->port(), o);
    if (!r) {
        ADD_FAILURE() << "connect failed: " << r.error << " (HTTP " << r.status << ")";
        return nullptr;
    }
    return c;
}

namespace {
std::unique_ptr<WsClient> finish_login(std::unique_ptr<WsClient> c, std::int64_t id,
                                       const std::string& request, std::optional<Msg>* reply) {
    if (!c) return nullptr;
    if (!c->send_text(request)) {
        ADD_FAILURE() << "send failed: " << c->last_error();
        return nullptr;
    }
    auto m = reply_to(*c, id);
    if (!m || m->type() != "login" || !m->is_success()) {
        ADD_FAILURE() << "login failed: " << (m ? m->raw : "no reply: " + c->last_error());
        return nullptr;
    }
    if (reply) *reply = std::move(m);
    return c;
}
}  // namespace

std::unique_ptr<WsClient> ServerTest::logged_in(const std::string& user,
                                                std::optional<Msg>* reply) {
    auto id = next_id();
    return finish_login(
        client(), id,
        R"({"type":"login","id":)" + std::to_string(id) + R"(,"userId":)" + json_string(user) + "}",
        reply);
}

std::unique_ptr<WsClient> ServerTest::logged_in_jwt(const std::string& token,
                                                    std::optional<Msg>* reply) {
    auto id = next_id();
    return finish_login(
        client(), id,
        R"({"type":"login","id":)" + std::to_string(id) + R"(,"token":)" + json_string(token) + "}",
        reply);
}

std::optional<Msg> ServerTest::join(WsClient& c, const std::string& room) {
    auto id = next_id();
    if (!c.send_text(R"({"type":"join","id":)" + std::to_string(id) + R"(,"roomId":)" +
                     json_string(room) + "}"))
        return std::nullopt;
    return reply_to(c, id);
}

::testing::AssertionResult ServerTest::joined(WsClient& c, const std::string& room) {
    auto m = join(c, room);
    if (!m) return ::testing::AssertionFailure() << "no join reply: " << c.last_error();
    if (m->type() != "join" || !m->is_success() || m->str("roomId") != room)
        return ::testing::AssertionFailure() << "join failed: " << m->raw;
    return ::testing::AssertionSuccess();
}

void ServerTest::TearDown() {
    if (HasFailure() && server_) {
        std::string log = server_->log();
        constexpr std::size_t kTail = 6000;
        if (log.size() > kTail) log = "...\n" + log.substr(log.size() - kTail);
        std::cerr << "---- server log (" << server_->config_path() << ") ----\n"
                  << log << "---- end ----\n";
    }
    server_.reset();
}

std::string transport_name(const ::testing::TestParamInfo<bool>& info) {
    return info.param ? "wss" : "ws";
}

}  // namespace sbtest
