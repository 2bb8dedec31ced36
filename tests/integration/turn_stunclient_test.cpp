// STUN Binding (RFC 8489 section 6.3.1) on every TURN transport: coturn's
// turnutils_stunclient over UDP, and our own requests built with the
// turn/stun codec over UDP, TCP and TLS. The reflexive address must be the
// client's own local address (loopback: no NAT in between).

#include <regex>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/integrity.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;

class TurnStunclientTest : public TurnTest {};

TEST_F(TurnStunclientTest, CoturnStunclientGetsItsReflexiveAddressOverUdp) {
    SB_REQUIRE_COTURN_TOOL(stunclient, "turnutils_stunclient");
    ASSERT_TRUE(start_turn({}));
    // -L pins the local address, so the expected one is known exactly.
    Subprocess client({stunclient, "-L", "127.0.0.1", "-p", std::to_string(udp_port_), "127.0.0.1"},
                      server_->dir() / "stunclient.log");
    ASSERT_TRUE(client.started());
    const auto code = client.wait_exit(15s);
    ASSERT_TRUE(code) << "turnutils_stunclient did not finish in 15 s: " << client.output();
    const std::string out = client.output();
    EXPECT_EQ(*code, 0) << out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(UDP reflexive addr: ([0-9.]+):([0-9]+))")))
        << out;
    EXPECT_EQ(m[1].str(), "127.0.0.1") << out;
    const int port = std::stoi(m[2]);
    EXPECT_GT(port, 0) << out;
    EXPECT_NE(port, udp_port_) << "the server reported its own port as the client's: " << out;
    // The server counted the requests it answered.
    const auto metrics = http_get(server_->port(), "/metrics");
    ASSERT_EQ(metrics.status, 200);
    const auto bindings =
        metric_value(metrics.body, "switchboard_turn_requests_total", R"(method="Binding")");
    ASSERT_TRUE(bindings) << metrics.body;
    EXPECT_GE(*bindings, 1) << metrics.body;
}

class TurnBindingTest : public TurnTest, public ::testing::WithParamInterface<Proto> {};

TEST_P(TurnBindingTest, ReflexiveAddressIsTheClientsLocalAddress) {
    TurnServerSpec spec;
    spec.tls = GetParam() == Proto::tls;
    ASSERT_TRUE(start_turn(spec));
    const std::uint16_t port = GetParam() == Proto::udp   ? udp_port_
                               : GetParam() == Proto::tcp ? tcp_port_
                                                          : tls_port_;
    std::string error;
    auto socket = StunSocket::connect(GetParam(), "127.0.0.1", port, &error);
    ASSERT_TRUE(socket) << error;
    const auto local = socket->local_address();

    for (const bool fingerprint : {false, true}) {
        const auto id = stun::TransactionId::random();
        ASSERT_TRUE(socket->send(binding_request(id, fingerprint))) << socket->last_error();
        const auto bytes = socket->receive(3s);
        ASSERT_TRUE(bytes) << "no Binding response: " << socket->last_error();
        const auto parsed = stun::parse_message(std::span<const std::uint8_t>(*bytes));
        const auto* view = std::get_if<stun::MessageView>(&parsed);
        ASSERT_NE(view, nullptr) << "the response does not parse";
        EXPECT_EQ(view->method(), stun::Method::binding);
        EXPECT_EQ(view->message_class(), stun::MessageClass::success_response);
        EXPECT_EQ(view->transaction_id(), id);
        const auto r = decode_response(*bytes);
        ASSERT_TRUE(r);
        ASSERT_TRUE(r->xor_mapped) << "no XOR-MAPPED-ADDRESS: " << *r;
        EXPECT_EQ(*r->xor_mapped, local)
            << "reflexive " << r->xor_mapped->to_string() << ", local " << local.to_string();
        // RFC 8489 section 7.3.1: FINGERPRINT in the response when the
        // request had one (and only then, for a plain STUN server is free
        // to omit it otherwise; this one does).
        EXPECT_EQ(r->has_fingerprint, fingerprint);
        if (fingerprint) {
            EXPECT_TRUE(stun::verify_fingerprint(*view)) << "bad FINGERPRINT on the response";
        }
        EXPECT_FALSE(r->has_integrity) << "an unauthenticated Binding got MESSAGE-INTEGRITY";
    }
}

TEST_P(TurnBindingTest, UnknownComprehensionRequiredAttributeGets420) {
    TurnServerSpec spec;
    spec.tls = GetParam() == Proto::tls;
    ASSERT_TRUE(start_turn(spec));
    const std::uint16_t port = GetParam() == Proto::udp   ? udp_port_
                               : GetParam() == Proto::tcp ? tcp_port_
                                                          : tls_port_;
    auto socket = StunSocket::connect(GetParam(), "127.0.0.1", port);
    ASSERT_TRUE(socket);
    stun::MessageBuilder b(stun::Method::binding, stun::MessageClass::request,
                           stun::TransactionId::random());
    const std::uint8_t value[4] = {1, 2, 3, 4};
    b.add(0x7F01, value);  // comprehension-required, unknown
    ASSERT_TRUE(socket->send(b.bytes()));
    const auto bytes = socket->receive(3s);
    ASSERT_TRUE(bytes) << socket->last_error();
    const auto r = decode_response(*bytes);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, stun::kErrorUnknownAttribute) << *r;
    // And the connection (TCP/TLS) still works.
    ASSERT_TRUE(socket->send(binding_request(stun::TransactionId::random())));
    const auto again = socket->receive(3s);
    ASSERT_TRUE(again) << socket->last_error();
    const auto r2 = decode_response(*again);
    ASSERT_TRUE(r2);
    EXPECT_TRUE(r2->success()) << *r2;
}

INSTANTIATE_TEST_SUITE_P(Turn, TurnBindingTest,
                         ::testing::Values(Proto::udp, Proto::tcp, Proto::tls),
                         [](const ::testing::TestParamInfo<Proto>& info) {
                             return to_string(info.param);
                         });

TEST_F(TurnStunclientTest, BindingOverIpv6ReportsTheIpv6Address) {
    {
        // Skip where the machine has no IPv6 loopback.
        std::string error;
        if (!StunSocket::connect(Proto::udp, "::1", 9, &error))
            GTEST_SKIP() << "no IPv6 loopback: " << error;
    }
    TurnServerSpec spec;
    spec.udp6 = true;
    ASSERT_TRUE(start_turn(spec));
    auto socket = StunSocket::connect(Proto::udp, "::1", udp6_port_);
    ASSERT_TRUE(socket);
    ASSERT_TRUE(socket->send(binding_request(stun::TransactionId::random())));
    const auto bytes = socket->receive(3s);
    ASSERT_TRUE(bytes) << socket->last_error();
    const auto r = decode_response(*bytes);
    ASSERT_TRUE(r && r->xor_mapped);
    EXPECT_EQ(r->xor_mapped->family, stun::Address::Family::v6);
    EXPECT_EQ(*r->xor_mapped, socket->local_address()) << r->xor_mapped->to_string();
}

}  // namespace
}  // namespace sbtest::turnit
