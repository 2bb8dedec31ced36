#include "shared/reload.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace switchboard::shared {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Config base() {
    Config c;
    c.source = "/etc/switchboard.yaml";
    c.auth.mode = AuthMode::jwt;
    c.auth.jwt_secret = std::string(32, 'a');
    c.turn.secrets = {"old-turn-secret"};
    c.signaling.tls = {"/tls/cert.pem", "/tls/key.pem"};
    return c;
}

TEST(PlanReload, AnUnchangedFileChangesNothing) {
    const Config running = base();
    const ReloadPlan plan = plan_reload(running, running);
    EXPECT_THAT(plan.applied, IsEmpty());
    EXPECT_THAT(plan.restart, IsEmpty());
    EXPECT_EQ(plan.effective, running);
}

TEST(PlanReload, HotSettingsAreTakenAndNamed) {
    const Config running = base();
    Config loaded = running;
    loaded.log_level = LogLevel::debug;
    loaded.auth.jwt_secret = std::string(40, 'b');
    loaded.signaling.allowed_origins = {"https://app.example"};
    loaded.signaling.tls = {"/tls/new-cert.pem", "/tls/new-key.pem"};
    loaded.turn.secrets = {"new-turn-secret", "old-turn-secret"};
    loaded.turn.static_users = {{"probe", "pw"}};
    loaded.turn.credential_ttl = std::chrono::minutes(10);
    const ReloadPlan plan = plan_reload(running, loaded);
    EXPECT_THAT(plan.applied, ElementsAre("log_level", "signaling.tls", "signaling.allowed_origins",
                                          "auth.jwt_secret", "turn.secret", "turn.credential_ttl",
                                          "turn.static_users"));
    EXPECT_THAT(plan.restart, IsEmpty());
    EXPECT_EQ(plan.effective, loaded);
}

TEST(PlanReload, OtherSettingsKeepTheirRunningValueAndAreNamedForARestart) {
    const Config running = base();
    Config loaded = running;
    loaded.signaling.max_room_members = 3;
    loaded.signaling.listen = Endpoint{"0.0.0.0", 443};
    loaded.turn.relay_port_min = 50000;
    loaded.turn.relay_port_max = 50100;
    loaded.auth.mode = AuthMode::none;
    loaded.auth.jwt_secret = std::string(33, 'c');  // hot: taken all the same
    const ReloadPlan plan = plan_reload(running, loaded);
    EXPECT_THAT(plan.restart, ElementsAre("signaling.listen", "signaling.max_room_members",
                                          "auth.mode", "turn.relay_ports"));
    EXPECT_THAT(plan.applied, ElementsAre("auth.jwt_secret"));
    EXPECT_EQ(plan.effective.signaling.max_room_members, running.signaling.max_room_members);
    EXPECT_EQ(plan.effective.signaling.listen, running.signaling.listen);
    EXPECT_EQ(plan.effective.turn.relay_port_min, running.turn.relay_port_min);
    EXPECT_EQ(plan.effective.auth.mode, AuthMode::jwt);
    EXPECT_EQ(plan.effective.auth.jwt_secret, loaded.auth.jwt_secret);
}

TEST(PlanReload, SwitchingTlsOnOrOffNeedsARestart) {
    const Config running = base();
    Config loaded = running;
    loaded.signaling.tls = {};
    loaded.turn.tls = {"/tls/turn.pem", "/tls/turn.key"};
    const ReloadPlan plan = plan_reload(running, loaded);
    EXPECT_THAT(plan.restart, ElementsAre("signaling.tls", "turn.tls"));
    EXPECT_THAT(plan.applied, IsEmpty());
    EXPECT_EQ(plan.effective.signaling.tls, running.signaling.tls);
    EXPECT_FALSE(plan.effective.turn.tls.enabled());
}

TEST(PlanReload, AGeneratedDevelopmentTurnSecretSurvivesAFileWithoutOne) {
    Config running = base();
    running.turn.secrets = {"generated-at-start"};
    Config loaded = running;
    loaded.turn.secrets.clear();
    loaded.log_level = LogLevel::warn;
    const ReloadPlan plan = plan_reload(running, loaded);
    EXPECT_EQ(plan.effective.turn.secrets, running.turn.secrets);
    EXPECT_THAT(plan.applied, ElementsAre("log_level"));
}

TEST(PlanReload, EveryFieldIsClassified) {
    // A field that plan_reload's table does not list would be reported as
    // "(a setting this version cannot name)": change every field and check
    // that each one is named, so a new Config field cannot slip through.
    const Config running = base();
    Config loaded;
    loaded.source = "other.yaml";
    loaded.log_level = LogLevel::error;
    loaded.log_format = LogFormat::json;
    loaded.threads = 7;
    loaded.public_host = "turn.example";
    loaded.signaling.listen = Endpoint{"0.0.0.0", 1};
    loaded.signaling.tls = {"/c", "/k"};
    loaded.signaling.allowed_origins = {"x"};
    loaded.signaling.static_dir = "";
    loaded.signaling.max_message_bytes = 1;
    loaded.signaling.max_room_members = 2;
    loaded.signaling.max_rooms_per_session = 3;
    loaded.signaling.max_connections = 4;
    loaded.signaling.max_connections_per_ip = 41;
    loaded.signaling.login_timeout = std::chrono::milliseconds(42);
    loaded.signaling.write_timeout = std::chrono::milliseconds(43);
    loaded.signaling.send_queue_bytes = 44;
    loaded.signaling.resume_buffer_bytes = 45;
    loaded.signaling.rate_limit = {1, 2};
    loaded.signaling.error_budget = 5;
    loaded.signaling.send_queue_limit = 6;
    loaded.signaling.heartbeat_interval = std::chrono::milliseconds(7);
    loaded.signaling.heartbeat_timeout = std::chrono::milliseconds(8);
    loaded.signaling.resume_window = std::chrono::milliseconds(9);
    loaded.signaling.resume_buffer = 10;
    loaded.auth.mode = AuthMode::none;
    loaded.auth.jwt_secret = "s";
    loaded.turn.enabled = false;
    loaded.turn.realm = "r";
    loaded.turn.secrets = {"t"};
    loaded.turn.credential_ttl = std::chrono::milliseconds(11);
    loaded.turn.listen_udp = {};
    loaded.turn.listen_tcp = {};
    loaded.turn.listen_tls = {Endpoint{"::", 5349}};
    loaded.turn.tls = {"/tc", "/tk"};
    loaded.turn.relay_address = "192.0.2.1";
    loaded.turn.external_address = "192.0.2.2";
    loaded.turn.relay_port_min = 1000;
    loaded.turn.relay_port_max = 2000;
    loaded.turn.max_allocation_lifetime = std::chrono::milliseconds(12);
    loaded.turn.max_allocations = 13;
    loaded.turn.max_allocations_per_user = 14;
    loaded.turn.max_stream_connections = 15;
    loaded.turn.max_bps_per_allocation = 16;
    loaded.turn.allow_peers = {*parse_cidr("10.0.0.0/8")};
    loaded.turn.deny_peers_default = false;
    loaded.turn.deny_peers = {*parse_cidr("192.0.2.0/24")};
    loaded.turn.require_active_session = false;
    loaded.turn.static_users = {{"u", "p"}};
    loaded.metrics.listen = Endpoint{"127.0.0.1", 9100};
    loaded.shutdown.drain = std::chrono::milliseconds(17);
    const ReloadPlan plan = plan_reload(running, loaded);
    EXPECT_THAT(plan.applied, ::testing::Contains("shutdown.drain"));
    EXPECT_EQ(plan.applied.size() + plan.restart.size(), 48u)
        << ::testing::PrintToString(plan.applied) << ::testing::PrintToString(plan.restart);
    EXPECT_THAT(plan.restart,
                ::testing::Not(::testing::Contains("(a setting this version cannot name)")));
}

}  // namespace
}  // namespace switchboard::shared
