// SIGHUP (DESIGN.md "Command line", shared/reload.hpp): the running binary
// takes new secrets, TURN credential settings and TLS certificates from its
// re-read config file without dropping a WebSocket or a relay, names the
// settings that need a restart, and changes nothing at all when the file or
// a certificate is bad.

#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/integration/http_client.hpp"
#include "tests/integration/test_support.hpp"
#include "tests/integration/turn_support.hpp"
#include "turn/stun/error_code.hpp"

namespace sbtest {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

const std::string kSecretA(32, 'a');
const std::string kSecretB(32, 'b');

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Sends SIGHUP and waits (bounded) for the n-th log line containing
// `marker` ("configuration reloaded" or "reload failed").
::testing::AssertionResult hup_and_wait(ServerProcess& server, const std::string& marker) {
    const auto count = [&] {
        const std::string log = server.log();
        std::size_t n = 0;
        for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1))
            ++n;
        return n;
    };
    const std::size_t before = count();
    server.send_signal(SIGHUP);
    const auto deadline = Steady::now() + 5s;
    while (Steady::now() < deadline) {
        if (count() > before) return ::testing::AssertionSuccess();
        std::this_thread::sleep_for(20ms);
    }
    return ::testing::AssertionFailure() << "no '" << marker << "' line within 5 s:\n"
                                         << server.log();
}

class ReloadTest : public ServerTest {
protected:
    // Logs in with `token` on a fresh connection: the login reply.
    std::optional<Msg> login(const std::string& token) {
        auto c = client();
        if (!c) return std::nullopt;
        const std::int64_t id = next_id();
        if (!c->send_text(R"({"type":"login","id":)" + std::to_string(id) + R"(,"token":)" +
                          json_string(token) + "}")) {
            return std::nullopt;
        }
        return reply_to(*c, id);
    }
};

TEST_F(ReloadTest, SecretsTtlAndCertificateChangeWithoutDroppingSessions) {
    const std::uint16_t turn_port = free_port();
    ASSERT_NE(turn_port, 0);
    ServerConfig cfg;
    cfg.tls = true;
    cfg.jwt(kSecretA);
    const auto turn_section = [&](const std::string& secret, const std::string& ttl) {
        return R"({secret: ")" + secret + R"(", credential_ttl: )" + ttl +
               R"(, listen_udp: ["127.0.0.1:)" + std::to_string(turn_port) +
               R"("], listen_tcp: []})";
    };
    cfg.turn = turn_section("turn-1-0123456789abcdef0123456789", "10m");
    ASSERT_TRUE(start(cfg));
    auto alice = logged_in_jwt(make_jwt(kSecretA, "alice"));
    ASSERT_TRUE(alice);
    ASSERT_TRUE(joined(*alice, "r1"));
    EXPECT_EQ(http_get(server_->port(), "/healthz", true).peer_subject, "/CN=localhost");

    // A renewed certificate written in place, new secrets, a longer TTL, and
    // a setting that needs a restart.
    std::filesystem::path cert, key;
    ASSERT_TRUE(make_self_signed_cert(server_->dir(), cert, key, "renewed"));
    ServerConfig next = cfg;
    next.jwt(kSecretB);
    next.turn = turn_section("turn-2-0123456789abcdef0123456789", "20m");
    next.set("max_room_members", "3");
    write_file(server_->config_path(), next.yaml(cert, key));
    ASSERT_TRUE(hup_and_wait(*server_, "configuration reloaded"));
    const std::string log = server_->log();
    EXPECT_NE(log.find("changed auth.jwt_secret, turn.secret, turn.credential_ttl; TLS "
                       "certificates read again"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("kept until a restart: signaling.max_room_members"), std::string::npos)
        << log;

    // The live session was not touched.
    EXPECT_TRUE(sync(*alice)) << dump(*alice);
    // New handshakes get the new certificate; new logins the new secret.
    EXPECT_EQ(http_get(server_->port(), "/healthz", true).peer_subject, "/CN=renewed");
    EXPECT_TRUE(is_error_reply(login(make_jwt(kSecretA, "bob")), "login", "unauthorized"));
    auto bob = logged_in_jwt(make_jwt(kSecretB, "bob"));
    ASSERT_TRUE(bob);
    const std::int64_t before = unix_now();
    const auto m = join(*bob, "r1");
    ASSERT_TRUE(m && m->is_success()) << (m ? m->raw : "no reply");
    const auto* ice = m->get("iceServers");
    ASSERT_TRUE(ice && ice->IsArray() && ice->Size() == 2u) << *m;
    const auto& turn = (*ice)[1];
    ASSERT_TRUE(turn.HasMember("username") && turn.HasMember("credential")) << *m;
    const std::string username = turn["username"].GetString();
    EXPECT_EQ(std::string(turn["credential"].GetString()),
              turn_password("turn-2-0123456789abcdef0123456789", username))
        << *m;
    std::smatch sm;
    ASSERT_TRUE(std::regex_match(username, sm, std::regex(R"(([0-9]+):bob)"))) << username;
    EXPECT_GE(std::stoll(sm[1]), before + 1200 - 2) << "the 20m TTL applies";
    // The REST endpoint checks the new secret too.
    const auto rest = http_get(server_->port(), "/api/turn-credentials?user=bob", true,
                               {{"Authorization", "Bearer " + make_jwt(kSecretB, "bob")}});
    EXPECT_EQ(rest.status, 200) << rest.body;
    EXPECT_NE(rest.body.find(R"("ttl":1200)"), std::string::npos) << rest.body;
}

TEST_F(ReloadTest, AnInvalidFileChangesNothing) {
    ServerConfig cfg;
    cfg.jwt(kSecretA);
    ASSERT_TRUE(start(cfg));
    auto alice = logged_in_jwt(make_jwt(kSecretA, "alice"));
    ASSERT_TRUE(alice);
    write_file(server_->config_path(), "auth: {mode: jwt, jwt_secret: \"" + kSecretB +
                                           "\"}\nsignaling: {max_room_members: abc}\n");
    ASSERT_TRUE(hup_and_wait(*server_, "reload failed"));
    EXPECT_NE(server_->log().find("signaling.max_room_members"), std::string::npos)
        << server_->log();
    EXPECT_TRUE(server_->running());
    EXPECT_TRUE(sync(*alice)) << dump(*alice);
    const auto still_a = login(make_jwt(kSecretA, "bob"));
    EXPECT_TRUE(still_a && still_a->is_success()) << (still_a ? still_a->raw : "no reply");
}

TEST_F(ReloadTest, AnUnreadableCertificateChangesNothing) {
    ServerConfig cfg;
    cfg.tls = true;
    cfg.jwt(kSecretA);
    ASSERT_TRUE(start(cfg));
    ServerConfig next = cfg;
    next.jwt(kSecretB);
    const auto cert = server_->dir() / "cert.pem";
    const auto key = server_->dir() / "key.pem";
    write_file(server_->config_path(), next.yaml(cert, key));
    const std::string good_cert = read_file(cert);
    write_file(cert, "not a certificate\n");
    ASSERT_TRUE(hup_and_wait(*server_, "reload failed"));
    // The secret in the same file was not taken either: all or nothing.
    const auto with_a = login(make_jwt(kSecretA, "bob"));
    EXPECT_TRUE(with_a && with_a->is_success()) << (with_a ? with_a->raw : "no reply");
    EXPECT_EQ(http_get(server_->port(), "/healthz", true).peer_subject, "/CN=localhost");
    // Fixed, it is taken.
    write_file(cert, good_cert);
    ASSERT_TRUE(hup_and_wait(*server_, "configuration reloaded"));
    EXPECT_TRUE(is_error_reply(login(make_jwt(kSecretA, "carol")), "login", "unauthorized"));
}

}  // namespace

namespace turnit {
namespace {

class TurnReloadTest : public TurnTest {
protected:
    // Rewrites the running config file with `from` replaced by `to`.
    void edit_config(const std::string& from, const std::string& to) {
        std::string text = read_file(server_->config_path());
        const auto at = text.find(from);
        ASSERT_NE(at, std::string::npos) << text;
        text.replace(at, from.size(), to);
        write_file(server_->config_path(), text);
    }
    // Workers take a reload through their own queue: poll an Allocate with
    // `creds` (fresh 5-tuple each time) until it gets `code` (0: success).
    ::testing::AssertionResult allocate_gets(const RestCredentials& creds, std::uint16_t code,
                                             Proto proto = Proto::udp) {
        std::optional<StunResponse> r;
        for (int i = 0; i < 50; ++i) {
            auto c =
                TurnClient::connect(proto, "127.0.0.1", proto == Proto::udp ? udp_port_ : tls_port_,
                                    creds.username, creds.password);
            if (!c) return ::testing::AssertionFailure() << "cannot connect";
            r = c->allocate();
            if (r && r->error_code == code) return ::testing::AssertionSuccess();
            std::this_thread::sleep_for(20ms);
        }
        return ::testing::AssertionFailure() << "last answer: " << (r ? r->describe() : "none");
    }
};

TEST_F(TurnReloadTest, SecretRotationStaticUsersAndCertificateKeepRelaysUp) {
    TurnServerSpec spec;
    spec.tls = true;
    spec.extra_turn = "static_users: []";
    ASSERT_TRUE(start_turn(spec));
    const auto old_creds = rest_credentials("alice");
    auto existing = TurnClient::connect(Proto::tls, "127.0.0.1", tls_port_, old_creds.username,
                                        old_creds.password);
    ASSERT_TRUE(existing);
    EXPECT_EQ(existing->socket().peer_subject(), "/CN=localhost");
    auto r = existing->allocate();
    ASSERT_TRUE(r && r->success()) << (r ? r->describe() : "no response");

    // Step 1 of a rotation: the new secret first, the old one still listed;
    // a static user added; the certificate renewed in place.
    std::filesystem::path cert, key;
    ASSERT_TRUE(make_self_signed_cert(cert_dir(), cert, key, "renewed"));
    edit_config("secret: \"" + kTurnSecret + "\"",
                "secret: [\"turn-secret-2-0123456789abcdef0123456789\", \"" + kTurnSecret + "\"]");
    edit_config("static_users: []", "static_users: [{username: probe, password: pw}]");
    ASSERT_TRUE(hup_and_wait(*server_, "configuration reloaded"));
    EXPECT_TRUE(allocate_gets(
        rest_credentials("bob", 3600, "turn-secret-2-0123456789abcdef0123456789"), 0));
    EXPECT_TRUE(allocate_gets(rest_credentials("carol"), 0)) << "the old secret still verifies";
    EXPECT_TRUE(allocate_gets(RestCredentials{"probe", "pw"}, 0));
    auto renewed = TurnClient::connect(Proto::tls, "127.0.0.1", tls_port_, old_creds.username,
                                       old_creds.password);
    ASSERT_TRUE(renewed);
    EXPECT_EQ(renewed->socket().peer_subject(), "/CN=renewed");

    // Step 2: the old secret retired. Its credentials stop working, for new
    // allocations and for the live one's requests alike; the relay itself was
    // never interrupted up to here.
    r = existing->refresh(600);
    ASSERT_TRUE(r && r->success()) << (r ? r->describe() : "no response");
    edit_config("secret: [\"turn-secret-2-0123456789abcdef0123456789\", \"" + kTurnSecret + "\"]",
                "secret: [\"turn-secret-2-0123456789abcdef0123456789\"]");
    ASSERT_TRUE(hup_and_wait(*server_, "configuration reloaded"));
    EXPECT_TRUE(allocate_gets(rest_credentials("dave"), stun::kErrorUnauthenticated));
    EXPECT_TRUE(allocate_gets(
        rest_credentials("erin", 3600, "turn-secret-2-0123456789abcdef0123456789"), 0));
}

}  // namespace
}  // namespace turnit
}  // namespace sbtest
