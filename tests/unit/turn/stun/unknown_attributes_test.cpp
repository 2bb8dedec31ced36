// UNKNOWN-ATTRIBUTES and the 420 check.

#include "turn/stun/unknown_attributes.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(UnknownAttributes, RoundTripWithPadding) {
    const std::vector<std::uint16_t> types = {0x0031, 0x7FFF, 0x0002};
    const auto bytes = test::build([&](MessageBuilder& b) { add_unknown_attributes(b, types); },
                                   Method::allocate, MessageClass::error_response);
    EXPECT_EQ(test::to_hex(std::span(bytes).subspan(20)), "00 0a 00 06 00 31 7f ff 00 02 00 00");
    const auto value = test::attribute_value(bytes, kAttrUnknownAttributes);
    ASSERT_TRUE(value);
    EXPECT_EQ(ok(decode_unknown_attributes(*value)), types);
    EXPECT_EQ(ok(decode_unknown_attributes({})), std::vector<std::uint16_t>{});
}

TEST(UnknownAttributes, OddLengthRefused) {
    EXPECT_EQ(error_of(decode_unknown_attributes(from_hex("00 31 7f"))),
              ParseError::bad_attribute_length);
}

TEST(UnknownAttributes, ListsUnknownComprehensionRequiredOnce) {
    const auto bytes = test::build([](MessageBuilder& b) {
        b.add(0x0031, {});  // unknown, required
        b.add(kAttrLifetime, from_hex("00 00 00 01"));
        b.add(0x8FFF, {});                       // unknown, optional: ignored
        b.add(0x0031, {});                       // listed once
        b.add(0x0003, from_hex("00 00 00 00"));  // RFC 3489 CHANGE-REQUEST: unknown here
    });
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(unknown_comprehension_required(*message),
              (std::vector<std::uint16_t>{0x0031, 0x0003}));
}

TEST(UnknownAttributes, NoneInAnOrdinaryAllocate) {
    const auto bytes = test::build([](MessageBuilder& b) {
        b.add(kAttrRequestedTransport, from_hex("11 00 00 00"));
        b.add(kAttrDontFragment, {});
        b.add(kAttrUsername, test::bytes_of("u"));
        b.add(kAttrRealm, test::bytes_of("r"));
        b.add(kAttrNonce, test::bytes_of("n"));
        b.add_message_integrity(test::bytes_of("k"));
        b.add_fingerprint();
    });
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_TRUE(unknown_comprehension_required(*message).empty());
}

}  // namespace
}  // namespace switchboard::turn::stun
