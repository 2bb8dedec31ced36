#include "turn/stun/requested_transport.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(RequestedTransport, UdpExactBytesAndRoundTrip) {
    const auto bytes =
        test::build([](MessageBuilder& b) { add_requested_transport(b, kProtocolUdp); });
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "00 19 00 04 11 00 00 00");
    EXPECT_EQ(
        ok(decode_requested_transport(*test::attribute_value(bytes, kAttrRequestedTransport))),
        kProtocolUdp);
}

TEST(RequestedTransport, OtherProtocolsDecodeForThe442) {
    EXPECT_EQ(ok(decode_requested_transport(from_hex("06 00 00 00"))), kProtocolTcp);
    // RFFU ignored on reception.
    EXPECT_EQ(ok(decode_requested_transport(from_hex("11 ff ff ff"))), kProtocolUdp);
}

TEST(RequestedTransport, WrongSizeRefused) {
    EXPECT_EQ(error_of(decode_requested_transport(from_hex("11"))),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_requested_transport(from_hex("11 00 00 00 00"))),
              ParseError::bad_attribute_length);
}

}  // namespace
}  // namespace switchboard::turn::stun
