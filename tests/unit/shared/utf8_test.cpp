#include "shared/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::shared {
namespace {

TEST(Utf8, ValidTextOfEveryLength) {
    for (const char* text :
         {"", "a", "plain ASCII that is longer than eight bytes", "\xC2\x80", "\xDF\xBF",
          "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80",
          "\xF4\x8F\xBF\xBF", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 and more ASCII after"}) {
        EXPECT_TRUE(valid_utf8(text)) << text;
    }
}

TEST(Utf8, EveryKindOfMalformedSequenceIsRefused) {
    struct Case {
        const char* why;
        std::string bytes;
    };
    const Case cases[] = {
        {"lone continuation", "\x80"},
        {"overlong 2-byte (C0)", "\xC0\xAF"},
        {"overlong 2-byte (C1)", "\xC1\xBF"},
        {"overlong 3-byte", "\xE0\x9F\xBF"},
        {"overlong 4-byte", "\xF0\x8F\xBF\xBF"},
        {"surrogate D800", "\xED\xA0\x80"},
        {"surrogate DFFF", "\xED\xBF\xBF"},
        {"past U+10FFFF", "\xF4\x90\x80\x80"},
        {"F5 lead", "\xF5\x80\x80\x80"},
        {"FF byte", "\xFF"},
        {"truncated 2-byte at the end", "ok \xC3"},
        {"truncated 3-byte", "\xE2\x82"},
        {"bad second continuation", "\xE2\x82\x41"},
        {"bad third continuation", "\xF0\x9F\x98\x41"},
        // The 8-byte ASCII fast path must not skip a bad byte past the first eight.
        {"bad byte after a long ASCII run", std::string(17, 'a') + "\xFF" + std::string(9, 'b')},
    };
    for (const auto& c : cases) EXPECT_FALSE(valid_utf8(c.bytes)) << c.why;
}

TEST(Utf8, PrefixNeverCutsASequence) {
    const std::string text = "ab\xE2\x82\xAC";  // "ab€", 5 bytes
    EXPECT_EQ(utf8_prefix(text, 10), text);
    EXPECT_EQ(utf8_prefix(text, 5), text);
    EXPECT_EQ(utf8_prefix(text, 4), "ab");
    EXPECT_EQ(utf8_prefix(text, 3), "ab");
    EXPECT_EQ(utf8_prefix(text, 2), "ab");
    EXPECT_EQ(utf8_prefix(text, 0), "");
}

}  // namespace
}  // namespace switchboard::shared
