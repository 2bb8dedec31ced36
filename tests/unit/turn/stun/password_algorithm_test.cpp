#include "turn/stun/password_algorithm.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::from_hex;
using test::ok;

TEST(PasswordAlgorithm, Single) {
    const auto md5 = ok(decode_password_algorithm(from_hex("00 01 00 00")));
    ASSERT_TRUE(md5);
    EXPECT_EQ(md5->algorithm, kPasswordAlgorithmMd5);
    EXPECT_TRUE(md5->parameters.empty());

    // The decoded parameters point into the value: keep it alive.
    const auto value = from_hex("00 09 00 03 aa bb cc 00");
    const auto with_parameters = ok(decode_password_algorithm(value));
    ASSERT_TRUE(with_parameters);
    EXPECT_EQ(test::to_hex(with_parameters->parameters), "aa bb cc");
    EXPECT_TRUE(ok(decode_password_algorithm(from_hex("00 09 00 03 aa bb cc"))));

    EXPECT_EQ(error_of(decode_password_algorithm(from_hex("00 01 00"))),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_password_algorithm(from_hex("00 01 00 04 aa"))),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_password_algorithm(from_hex("00 01 00 00 00 00 00 00"))),
              ParseError::bad_attribute_length);
}

TEST(PasswordAlgorithms, List) {
    // RFC 8489 section 14.11: SHA-256 and MD5, neither with parameters.
    const auto list = ok(decode_password_algorithms(from_hex("00 02 00 00 00 01 00 00")));
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].algorithm, kPasswordAlgorithmSha256);
    EXPECT_EQ((*list)[1].algorithm, kPasswordAlgorithmMd5);

    const auto value = from_hex("00 07 00 01 ee 00 00 00 00 01 00 00");
    const auto padded = ok(decode_password_algorithms(value));
    ASSERT_TRUE(padded);
    ASSERT_EQ(padded->size(), 2u);
    EXPECT_EQ(test::to_hex((*padded)[0].parameters), "ee");

    EXPECT_TRUE(ok(decode_password_algorithms({}))->empty());
    EXPECT_EQ(error_of(decode_password_algorithms(from_hex("00 02 00 08 00 00"))),
              ParseError::bad_attribute_length);
    EXPECT_EQ(error_of(decode_password_algorithms(from_hex("00 02 00 00 00 01"))),
              ParseError::bad_attribute_length);
}

}  // namespace
}  // namespace switchboard::turn::stun
