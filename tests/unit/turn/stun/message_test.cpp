// Message header, type interleaving, and every parse_message refusal.

#include "turn/stun/message.hpp"

#include "turn/stun/attribute_type.hpp"

#include "stun_test_util.hpp"

#include <set>

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

// A header (Binding request, RFC 5769 id) with Length set to the size of
// `attributes`, followed by them.
std::vector<std::uint8_t> raw_message(const std::vector<std::uint8_t>& attributes,
                                      std::uint16_t type = 0x0001) {
    std::vector<std::uint8_t> bytes = {static_cast<std::uint8_t>(type >> 8),
                                       static_cast<std::uint8_t>(type),
                                       static_cast<std::uint8_t>(attributes.size() >> 8),
                                       static_cast<std::uint8_t>(attributes.size()),
                                       0x21,
                                       0x12,
                                       0xa4,
                                       0x42};
    const TransactionId id = test::rfc5769_transaction_id();
    bytes.insert(bytes.end(), id.bytes.begin(), id.bytes.end());
    bytes.insert(bytes.end(), attributes.begin(), attributes.end());
    return bytes;
}

// For refusals: the error, with the message kept alive for the call.
std::optional<ParseError> error_for(const std::vector<std::uint8_t>& bytes) {
    return error_of(parse_message(bytes));
}

bool parses(const std::vector<std::uint8_t>& bytes) {
    return std::holds_alternative<MessageView>(parse_message(bytes));
}

struct TypeCase {
    Method method;
    MessageClass cls;
    std::uint16_t type;
};

TEST(MessageType, InterleavesClassBits) {
    // RFC 8489 section 5 gives 0x0001, 0x0011, 0x0101, 0x0111 for Binding;
    // RFC 8656 section 17 lists the TURN methods.
    const TypeCase cases[] = {
        {Method::binding, MessageClass::request, 0x0001},
        {Method::binding, MessageClass::indication, 0x0011},
        {Method::binding, MessageClass::success_response, 0x0101},
        {Method::binding, MessageClass::error_response, 0x0111},
        {Method::allocate, MessageClass::request, 0x0003},
        {Method::allocate, MessageClass::success_response, 0x0103},
        {Method::allocate, MessageClass::error_response, 0x0113},
        {Method::refresh, MessageClass::request, 0x0004},
        {Method::refresh, MessageClass::success_response, 0x0104},
        {Method::send, MessageClass::indication, 0x0016},
        {Method::data, MessageClass::indication, 0x0017},
        {Method::create_permission, MessageClass::request, 0x0008},
        {Method::create_permission, MessageClass::error_response, 0x0118},
        {Method::channel_bind, MessageClass::request, 0x0009},
        {Method::channel_bind, MessageClass::success_response, 0x0109},
        {static_cast<Method>(0xFFF), MessageClass::error_response, 0x3FFF},
    };
    for (const TypeCase& c : cases) {
        EXPECT_EQ(make_message_type(c.method, c.cls), c.type) << std::hex << c.type;
        EXPECT_EQ(method_of(c.type), c.method) << std::hex << c.type;
        EXPECT_EQ(class_of(c.type), c.cls) << std::hex << c.type;
    }
}

TEST(MessageType, EveryMethodAndClassRoundTrips) {
    std::set<std::uint16_t> seen;
    for (std::uint16_t m = 0; m < 0x1000; ++m) {
        for (std::uint8_t c = 0; c < 4; ++c) {
            const auto method = static_cast<Method>(m);
            const auto cls = static_cast<MessageClass>(c);
            const std::uint16_t type = make_message_type(method, cls);
            ASSERT_EQ(type & 0xC000, 0);
            ASSERT_EQ(method_of(type), method);
            ASSERT_EQ(class_of(type), cls);
            seen.insert(type);
        }
    }
    EXPECT_EQ(seen.size(), 0x4000u);  // a bijection onto the 14 bits
}

TEST(MessageType, Names) {
    EXPECT_EQ(to_string(Method::create_permission), "CreatePermission");
    EXPECT_EQ(to_string(static_cast<Method>(0x0ABC)), "unknown");
    EXPECT_EQ(to_string(MessageClass::error_response), "error response");
}

TEST(TransactionId, RandomIdsDiffer) {
    EXPECT_NE(TransactionId::random(), TransactionId::random());
}

TEST(ParseMessage, EmptyMessage) {
    const auto bytes = raw_message({});
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_TRUE(message->attributes().empty());
    EXPECT_EQ(message->find(kAttrUsername), nullptr);
    EXPECT_EQ(message->bytes().data(), bytes.data());
    EXPECT_EQ(message->bytes().size(), 20u);
}

TEST(ParseMessage, UnknownMethodStillParses) {
    const auto bytes = raw_message({}, 0x0ABC);
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->type(), 0x0ABC);
}

TEST(ParseMessage, AttributesWithPaddingAndOffsets) {
    const auto bytes = raw_message(
        from_hex("00 06 00 05  61 6c 69 63 65 00 00 00"  // USERNAME "alice", 3 bytes padding
                 "00 0d 00 04  00 00 02 58"              // LIFETIME 600
                 "80 22 00 00"));                        // SOFTWARE, empty
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    ASSERT_EQ(message->attributes().size(), 3u);
    EXPECT_EQ(message->attributes()[0].type, kAttrUsername);
    EXPECT_EQ(message->attributes()[0].offset, 20u);
    EXPECT_EQ(test::to_hex(message->attributes()[0].value), "61 6c 69 63 65");
    EXPECT_EQ(message->attributes()[1].offset, 32u);
    EXPECT_EQ(message->attributes()[2].offset, 40u);
    EXPECT_TRUE(message->attributes()[2].value.empty());
}

TEST(ParseMessage, NonZeroPaddingIsIgnored) {
    const auto bytes = raw_message(from_hex("00 06 00 01  61 ff ff ff"));
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(test::to_hex(message->find(kAttrUsername)->value), "61");
}

TEST(ParseMessage, FindReturnsTheFirstOccurrence) {
    const auto bytes =
        raw_message(from_hex("00 0d 00 04  00 00 00 01"
                             "00 0d 00 04  00 00 00 02"));
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->attributes().size(), 2u);
    EXPECT_EQ(message->find(kAttrLifetime)->offset, 20u);
}

TEST(ParseMessage, TooShort) {
    const auto bytes = raw_message({});
    for (std::size_t size = 0; size < 20; ++size) {
        EXPECT_EQ(error_of(parse_message(std::span(bytes).first(size))), ParseError::too_short)
            << size;
    }
}

TEST(ParseMessage, TopBitsSet) {
    for (const std::uint8_t bits : {0x40, 0x80, 0xC0}) {
        auto bytes = raw_message({});
        bytes[0] |= bits;
        EXPECT_EQ(error_of(parse_message(bytes)), ParseError::not_stun);
    }
}

TEST(ParseMessage, BadMagicCookie) {
    for (const std::size_t at : {4, 5, 6, 7}) {
        auto bytes = raw_message({});
        bytes[at] ^= 0x01;
        EXPECT_EQ(error_of(parse_message(bytes)), ParseError::bad_magic_cookie) << at;
    }
}

TEST(ParseMessage, LengthNotAMultipleOfFour) {
    // Length 5 over 5 bytes of body: consistent with the datagram, still refused.
    auto bytes = raw_message(from_hex("00 06 00 01 61"));
    EXPECT_EQ(error_of(parse_message(bytes)), ParseError::bad_length);
}

TEST(ParseMessage, LengthDisagreesWithDatagram) {
    auto longer = raw_message(from_hex("00 0d 00 04  00 00 00 01"));
    longer.insert(longer.end(), {0, 0, 0, 0});  // trailing bytes past Length
    EXPECT_EQ(error_of(parse_message(longer)), ParseError::length_mismatch);

    auto shorter = raw_message(from_hex("00 0d 00 04  00 00 00 01"));
    shorter[3] = 12;  // claims more than was received
    EXPECT_EQ(error_of(parse_message(shorter)), ParseError::length_mismatch);
}

TEST(ParseMessage, TruncatedAttribute) {
    // The value claims 8 bytes but the message ends after 4.
    EXPECT_EQ(error_for(raw_message(from_hex("00 06 00 08  61 62 63 64"))),
              ParseError::truncated_attribute);
    // Padding missing at the end: 5 bytes claimed, 8 needed, 4 present.
    EXPECT_EQ(error_for(raw_message(from_hex("00 06 00 05  61 62 63 64"))),
              ParseError::truncated_attribute);
    // A well-formed attribute, then one that overruns.
    EXPECT_EQ(
        error_for(raw_message(from_hex("00 0d 00 04  00 00 00 01  00 13 ff ff  00 00 00 00"))),
        ParseError::truncated_attribute);
}

TEST(ParseMessage, TooManyAttributes) {
    std::vector<std::uint8_t> body;
    for (std::size_t i = 0; i < kMaxAttributes; ++i) {
        body.insert(body.end(), {0x80, 0x22, 0x00, 0x00});  // empty SOFTWARE
    }
    EXPECT_TRUE(parses(raw_message(body)));
    body.insert(body.end(), {0x80, 0x22, 0x00, 0x00});
    EXPECT_EQ(error_for(raw_message(body)), ParseError::too_many_attributes);
}

TEST(ParseMessage, IntegrityAttributesNeedTheirSizes) {
    EXPECT_EQ(error_for(raw_message(from_hex("00 08 00 10" + std::string(32, '0')))),
              ParseError::bad_attribute_length);  // MESSAGE-INTEGRITY of 16 bytes
    EXPECT_EQ(error_for(raw_message(from_hex("80 28 00 08" + std::string(16, '0')))),
              ParseError::bad_attribute_length);  // FINGERPRINT of 8 bytes
    EXPECT_EQ(error_for(raw_message(from_hex("00 1c 00 0c" + std::string(24, '0')))),
              ParseError::bad_attribute_length);  // MESSAGE-INTEGRITY-SHA256 of 12 bytes
    EXPECT_EQ(error_for(raw_message(from_hex("00 1c 00 24" + std::string(72, '0')))),
              ParseError::bad_attribute_length);  // ... and of 36
    EXPECT_TRUE(parses(raw_message(from_hex("00 1c 00 10" + std::string(32, '0')))));
}

TEST(ParseMessage, AttributesAfterIntegrityAreIgnored) {
    const std::string integrity = "00 08 00 14" + std::string(40, '0');
    const std::string sha256 = "00 1c 00 20" + std::string(64, '0');
    const std::string fingerprint = "80 28 00 04  00 00 00 00";
    const std::string lifetime = "00 0d 00 04  00 00 00 01";
    const auto bytes =
        raw_message(from_hex(lifetime + integrity + lifetime + integrity + sha256 + lifetime +
                             fingerprint + lifetime + "00 08 00 14" + std::string(40, '1')));
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    std::vector<std::uint16_t> types;
    for (const Attribute& attribute : message->attributes()) {
        types.push_back(attribute.type);
    }
    EXPECT_EQ(types, (std::vector<std::uint16_t>{kAttrLifetime, kAttrMessageIntegrity,
                                                 kAttrMessageIntegritySha256, kAttrFingerprint}));
    EXPECT_EQ(message->message_integrity_offset(), 28u);
    EXPECT_EQ(message->message_integrity_sha256_offset(), 84u);
    EXPECT_EQ(message->fingerprint_offset(), 128u);
}

TEST(ParseMessage, IgnoredAttributesAreStillWalked) {
    // A malformed attribute after FINGERPRINT is still a malformed message.
    EXPECT_EQ(
        error_for(raw_message(from_hex("80 28 00 04  00 00 00 00  00 13 00 08  00 00 00 00"))),
        ParseError::truncated_attribute);
}

TEST(ParseMessage, IntegrityAfterSha256IsIgnored) {
    const auto bytes = raw_message(
        from_hex("00 1c 00 10" + std::string(32, '0') + "00 08 00 14" + std::string(40, '0')));
    const auto message = ok(parse_message(bytes));
    ASSERT_TRUE(message);
    EXPECT_TRUE(message->message_integrity_sha256_offset());
    EXPECT_FALSE(message->message_integrity_offset());
}

TEST(LooksLikeStun, Demultiplexes) {
    const auto stun = raw_message({});
    EXPECT_TRUE(looks_like_stun(stun));
    EXPECT_FALSE(looks_like_stun(std::span(stun).first(19)));
    auto channel = stun;
    channel[0] = 0x40;
    EXPECT_FALSE(looks_like_stun(channel));
    auto dtls = stun;
    dtls[0] = 0x16;  // 0b00 top bits but no cookie
    dtls[4] = 0xfe;
    EXPECT_FALSE(looks_like_stun(dtls));
}

TEST(ParseErrorCategory, NamesEveryError) {
    EXPECT_STREQ(stun_category().name(), "stun");
    const std::error_code code = ParseError::bad_magic_cookie;
    EXPECT_EQ(code.category(), stun_category());
    EXPECT_EQ(code.message(), "bad magic cookie");
    for (int value = static_cast<int>(ParseError::too_short);
         value <= static_cast<int>(ParseError::frame_too_large); ++value) {
        EXPECT_NE(stun_category().message(value), "unknown stun error") << value;
    }
    EXPECT_EQ(stun_category().message(0), "unknown stun error");
}

}  // namespace
}  // namespace switchboard::turn::stun
