// USERNAME, REALM, NONCE, SOFTWARE.

#include "turn/stun/text_attributes.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::ok;

struct TextCase {
    std::uint16_t type;
    void (*add)(MessageBuilder&, std::string_view);
    std::variant<std::string_view, ParseError> (*decode)(std::span<const std::uint8_t>);
    std::size_t max_bytes;
};

const TextCase kCases[] = {
    {kAttrUsername, add_username, decode_username, kMaxUsernameBytes},
    {kAttrRealm, add_realm, decode_realm, kMaxTextBytes},
    {kAttrNonce, add_nonce, decode_nonce, kMaxTextBytes},
    {kAttrSoftware, add_software, decode_software, kMaxTextBytes},
};

TEST(TextAttributes, RoundTripAtEveryPadding) {
    for (const TextCase& c : kCases) {
        for (const std::string_view text : {"", "a", "ab", "abc", "abcd", "1700000000:alice"}) {
            const auto bytes = test::build([&](MessageBuilder& b) { c.add(b, text); });
            EXPECT_EQ(bytes.size(), 20 + 4 + (text.size() + 3) / 4 * 4);
            const auto parsed = ok(parse_message(bytes));
            ASSERT_TRUE(parsed);
            const Attribute* attribute = parsed->find(c.type);
            ASSERT_NE(attribute, nullptr);
            EXPECT_EQ(ok(c.decode(attribute->value)), text) << c.type;
        }
    }
}

TEST(TextAttributes, LimitsOnBothSides) {
    for (const TextCase& c : kCases) {
        const std::string longest(c.max_bytes, 'x');
        const std::string too_long(c.max_bytes + 1, 'x');
        EXPECT_EQ(ok(c.decode(test::bytes_of(longest))), longest);
        EXPECT_EQ(error_of(c.decode(test::bytes_of(too_long))), ParseError::value_too_long);

        MessageBuilder accepted(Method::allocate, MessageClass::request, TransactionId{});
        c.add(accepted, longest);
        EXPECT_TRUE(accepted.ok());
        MessageBuilder refused(Method::allocate, MessageClass::request, TransactionId{});
        c.add(refused, too_long);
        EXPECT_FALSE(refused.ok());
        EXPECT_EQ(refused.bytes().size(), 20u);
    }
}

TEST(TextAttributes, Utf8PassesThrough) {
    const std::string_view realm =
        "r\xc3\xa9"
        "alm";
    const auto bytes = test::build([&](MessageBuilder& b) { add_realm(b, realm); });
    const auto value = test::attribute_value(bytes, kAttrRealm);
    ASSERT_TRUE(value);
    EXPECT_EQ(ok(decode_realm(*value)), realm);
}

}  // namespace
}  // namespace switchboard::turn::stun
