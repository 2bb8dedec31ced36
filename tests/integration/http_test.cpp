// HTTP endpoints on the signaling listener (PROTOCOL.md "HTTP endpoints").

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "tests/integration/http_client.hpp"
#include "tests/integration/test_support.hpp"

namespace sbtest {
namespace {

constexpr const char* kIndex =
    "<!doctype html><title>switchboard test page</title><p>integration-marker-4711</p>\n";
constexpr const char* kSecretMarker = "TOP-SECRET-OUTSIDE-STATIC-DIR";

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

class HttpTest : public ServerTest {
protected:
    // A static dir of our own, next to a file that must never be served.
    ServerConfig with_static_dir() {
        files_ = std::make_unique<TempDir>();
        files_->write("www/index.html", kIndex);
        files_->write("www/app.js", "console.log('hi');\n");
        files_->write("secret.txt", kSecretMarker);
        ServerConfig cfg;
        cfg.static_dir = (files_->path() / "www").string();
        return cfg;
    }
    std::unique_ptr<TempDir> files_;
};

TEST_F(HttpTest, HealthzIsOk) {
    ASSERT_TRUE(start(ServerConfig{}));
    auto r = http_get(server_->port(), "/healthz");
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(trim(r.body), "ok");
}

TEST_F(HttpTest, RootServesIndexHtml) {
    ASSERT_TRUE(start(with_static_dir()));
    auto r = http_get(server_->port(), "/");
    ASSERT_EQ(r.status, 200) << r.error << r.body;
    EXPECT_EQ(r.body, kIndex);
    EXPECT_EQ(r.header("content-type").rfind("text/html", 0), 0u) << r.header("content-type");
    auto js = http_get(server_->port(), "/app.js");
    ASSERT_EQ(js.status, 200) << js.error;
    EXPECT_EQ(js.body, "console.log('hi');\n");
    EXPECT_NE(js.header("content-type").find("javascript"), std::string::npos)
        << js.header("content-type");
    auto idx = http_get(server_->port(), "/index.html");
    EXPECT_EQ(idx.status, 200);
    EXPECT_EQ(idx.body, kIndex);
}

TEST_F(HttpTest, RepositoryTestPageIsServed) {
    // The default config points at <repo>/www, the real trickle-ICE page.
    ASSERT_TRUE(start(ServerConfig{}));
    auto r = http_get(server_->port(), "/");
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.header("content-type").rfind("text/html", 0), 0u) << r.header("content-type");
    std::ifstream in(std::string(SB_SOURCE_DIR) + "/www/index.html", std::ios::binary);
    std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(expected.empty()) << "www/index.html missing";
    EXPECT_EQ(r.body, expected);
}

// A file larger than one write chunk goes out a chunk at a time, whole and
// in order, and a request pipelined behind it waits for it.
TEST_F(HttpTest, ALargeFileIsStreamedAndTheNextRequestWaitsForIt) {
    auto cfg = with_static_dir();
    std::string big(1 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
    files_->write("www/big.txt", big);
    ASSERT_TRUE(start(cfg));
    const std::string out =
        raw_exchange(server_->port(),
                     "GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     std::chrono::seconds(10));
    const auto head_end = out.find("\r\n\r\n");
    ASSERT_NE(head_end, std::string::npos) << out.substr(0, 200);
    EXPECT_NE(out.substr(0, head_end).find("Content-Length: 1048576"), std::string::npos);
    ASSERT_GE(out.size(), head_end + 4 + big.size());
    EXPECT_TRUE(out.compare(head_end + 4, big.size(), big) == 0) << "the file arrived damaged";
    const std::string rest = out.substr(head_end + 4 + big.size());
    EXPECT_EQ(rest.rfind("HTTP/1.1 200", 0), 0u) << rest.substr(0, 100);
    EXPECT_NE(rest.find("console.log('hi');"), std::string::npos);
    // HEAD: the headers only.
    const std::string head = raw_exchange(
        server_->port(), "HEAD /big.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(head.find("Content-Length: 1048576"), std::string::npos);
    EXPECT_EQ(head.size(), head.find("\r\n\r\n") + 4);
}

// A symlink inside static_dir that points outside it is not followed.
TEST_F(HttpTest, ASymlinkLeavingTheStaticDirIs404) {
    auto cfg = with_static_dir();
    std::filesystem::create_symlink(files_->path() / "secret.txt",
                                    files_->path() / "www" / "leak.txt");
    std::filesystem::create_symlink(files_->path() / "www" / "app.js",
                                    files_->path() / "www" / "alias.js");
    ASSERT_TRUE(start(cfg));
    const auto leak = http_get(server_->port(), "/leak.txt");
    EXPECT_EQ(leak.status, 404);
    EXPECT_EQ(leak.body.find(kSecretMarker), std::string::npos);
    EXPECT_EQ(http_get(server_->port(), "/alias.js").status, 200);
}

TEST_F(HttpTest, UnknownFileIs404) {
    ASSERT_TRUE(start(with_static_dir()));
    auto r = http_get(server_->port(), "/no-such-file.html");
    EXPECT_EQ(r.status, 404) << r.error;
}

TEST_F(HttpTest, PathTraversalNeverLeaksFiles) {
    ASSERT_TRUE(start(with_static_dir()));
    const std::vector<std::string> targets = {
        "/../secret.txt",
        "/../../etc/passwd",
        "/../../../../../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/%2e%2e%2fsecret.txt",
        "/..%2fsecret.txt",
        "/..%2F..%2F..%2Fetc%2Fpasswd",
        "/.%2e/secret.txt",
        "/%252e%252e/secret.txt",
        "/..\\secret.txt",
        "/....//secret.txt",
        "//etc/passwd",
        "/./../secret.txt",
        "/index.html/../../secret.txt",
        "/%00../secret.txt",
        "/index.html%00.js",
    };
    for (const auto& t : targets) {
        auto r = http_get(server_->port(), t);
        EXPECT_TRUE(r.status == 404 || r.status == 400)
            << t << " -> " << r.status << " " << r.error;
        EXPECT_EQ(r.body.find(kSecretMarker), std::string::npos) << t;
        EXPECT_EQ(r.body.find("root:"), std::string::npos) << t;
    }
    // The server survived all of that.
    EXPECT_EQ(http_get(server_->port(), "/healthz").status, 200);
}

TEST_F(HttpTest, StaticDirCanBeDisabled) {
    // ServerConfig always writes a static_dir; an empty one needs raw YAML.
    auto yaml = std::string("log: {level: debug}\n") +
                "signaling: {listen: \"127.0.0.1:0\", static_dir: \"\"}\n"
                "turn: {secret: \"test-secret-0123456789abcdef0123456789\", listen_udp: [], "
                "listen_tcp: []}\n";
    auto s = ServerProcess::from_yaml(yaml);
    ASSERT_TRUE(s.started()) << s.error();
    EXPECT_EQ(http_get(s.port(), "/").status, 404);
    EXPECT_EQ(http_get(s.port(), "/healthz").status, 200);
}

TEST_F(HttpTest, MetricsArePrometheusText) {
    ASSERT_TRUE(start(ServerConfig{}));
    // Some traffic first so counters exist.
    auto c = logged_in("alice");
    ASSERT_TRUE(c);
    auto r = http_get(server_->port(), "/metrics");
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_NE(r.body.find("# TYPE"), std::string::npos) << r.body.substr(0, 500);
    EXPECT_EQ(r.header("content-type").rfind("text/plain", 0), 0u) << r.header("content-type");
}

class TurnRestTest : public ServerTest {
protected:
    void SetUp() override {
        std::uint16_t port = free_port();
        ASSERT_NE(port, 0);
        port_ = std::to_string(port);
        ServerConfig cfg;
        cfg.jwt("rest-secret-0123456789abcdef0123456789");
        cfg.public_host = "localhost";
        cfg.turn =
            R"({secret: "turn-secret-0123456789abcdef0123456789", credential_ttl: 20m, listen_udp: ["127.0.0.1:)" +
            port_ + R"("], listen_tcp: ["127.0.0.1:)" + port_ + R"("]})";
        ASSERT_TRUE(start(cfg));
    }
    HttpResponse get(const std::string& target, const std::string& token) {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
        return http_get(server_->port(), target, false, headers);
    }
    std::string port_;
};

TEST_F(TurnRestTest, ReturnsCredentialsForTheTokenSubject) {
    std::int64_t before = unix_now();
    auto r = get("/api/turn-credentials?user=alice",
                 make_jwt("rest-secret-0123456789abcdef0123456789", "alice"));
    ASSERT_EQ(r.status, 200) << r.error << r.body;
    EXPECT_NE(r.header("content-type").find("application/json"), std::string::npos)
        << r.header("content-type");
    Msg m(r.body);
    ASSERT_TRUE(m.is_object()) << r.body;
    std::string username = m.str("username");
    std::smatch sm;
    ASSERT_TRUE(std::regex_match(username, sm, std::regex(R"(([0-9]+):alice)"))) << r.body;
    EXPECT_NEAR(static_cast<double>(std::stoll(sm[1])), static_cast<double>(before + 1200), 5.0)
        << r.body;
    EXPECT_EQ(m.str("password"), turn_password("turn-secret-0123456789abcdef0123456789", username))
        << r.body;
    const auto* ttl = m.get("ttl");
    ASSERT_TRUE(ttl && ttl->IsNumber()) << r.body;
    EXPECT_EQ(ttl->GetDouble(), 1200.0) << r.body;
    const auto* uris = m.get("uris");
    ASSERT_TRUE(uris && uris->IsArray()) << r.body;
    std::vector<std::string> got;
    for (const auto& u : uris->GetArray()) {
        ASSERT_TRUE(u.IsString()) << r.body;
        got.emplace_back(u.GetString());
    }
    EXPECT_NE(std::find(got.begin(), got.end(), "turn:localhost:" + port_ + "?transport=udp"),
              got.end())
        << r.body;
    EXPECT_NE(std::find(got.begin(), got.end(), "turn:localhost:" + port_ + "?transport=tcp"),
              got.end())
        << r.body;
}

TEST_F(TurnRestTest, RequiresAMatchingBearerToken) {
    auto none = get("/api/turn-credentials?user=alice", "");
    EXPECT_TRUE(none.status == 401 || none.status == 403) << none.status << " " << none.body;
    EXPECT_EQ(none.body.find("password"), std::string::npos);
    auto other = get("/api/turn-credentials?user=alice",
                     make_jwt("rest-secret-0123456789abcdef0123456789", "bob"));
    EXPECT_TRUE(other.status == 401 || other.status == 403) << other.status << " " << other.body;
    EXPECT_EQ(other.body.find("password"), std::string::npos);
    auto forged = get("/api/turn-credentials?user=alice", make_jwt("wrong-secret", "alice"));
    EXPECT_TRUE(forged.status == 401 || forged.status == 403)
        << forged.status << " " << forged.body;
    auto expired = get("/api/turn-credentials?user=alice",
                       make_jwt("rest-secret-0123456789abcdef0123456789", "alice", -600));
    EXPECT_TRUE(expired.status == 401 || expired.status == 403)
        << expired.status << " " << expired.body;
    auto basic = http_get(server_->port(), "/api/turn-credentials?user=alice", false,
                          {{"Authorization", "Basic YWxpY2U6YWxpY2U="}});
    EXPECT_TRUE(basic.status == 401 || basic.status == 403) << basic.status << " " << basic.body;
}

TEST_F(TurnRestTest, MissingUserIsRejected) {
    auto r =
        get("/api/turn-credentials", make_jwt("rest-secret-0123456789abcdef0123456789", "alice"));
    EXPECT_GE(r.status, 400) << r.body;
    EXPECT_LT(r.status, 500) << r.body;
    EXPECT_EQ(r.body.find("password"), std::string::npos);
}

}  // namespace
}  // namespace sbtest
