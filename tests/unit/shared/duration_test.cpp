#include "shared/duration.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace switchboard::shared {
namespace {

using std::chrono::milliseconds;

struct DurationCase {
    const char* text;
    std::optional<milliseconds> expected;
};

TEST(ParseDuration, Table) {
    const DurationCase cases[] = {
        {"0", milliseconds(0)},
        {"30", milliseconds(30'000)},  // a bare integer is seconds
        {"250ms", milliseconds(250)},
        {"0ms", milliseconds(0)},
        {"30s", milliseconds(30'000)},
        {"10m", milliseconds(600'000)},
        {"1h", milliseconds(3'600'000)},
        {"24h", milliseconds(86'400'000)},
        {"007s", milliseconds(7'000)},
        {"", std::nullopt},
        {"s", std::nullopt},
        {"ms", std::nullopt},
        {"-5s", std::nullopt},
        {"+5s", std::nullopt},
        {" 5s", std::nullopt},
        {"5s ", std::nullopt},
        {"5 s", std::nullopt},
        {"1.5s", std::nullopt},
        {"1h30m", std::nullopt},  // compound forms are deliberately not supported
        {"5sec", std::nullopt},
        {"5S", std::nullopt},
        {"5d", std::nullopt},
        {"5us", std::nullopt},
        {"abc", std::nullopt},
        {"99999999999999999999s", std::nullopt},  // does not fit in 64 bits
        {"9223372036854776h", std::nullopt},      // fits in 64 bits, overflows as milliseconds
    };
    for (const DurationCase& c : cases) {
        SCOPED_TRACE(c.text);
        EXPECT_EQ(parse_duration(c.text), c.expected);
    }
}

TEST(ParseDuration, LargestMillisecondValue) {
    const auto max = std::numeric_limits<milliseconds::rep>::max();
    EXPECT_EQ(parse_duration(std::to_string(max) + "ms"), milliseconds(max));
    EXPECT_EQ(parse_duration(std::to_string(max / 1000) + "s"), milliseconds(max / 1000 * 1000));
    EXPECT_EQ(parse_duration(std::to_string(max / 1000 + 1) + "s"), std::nullopt);
}

TEST(FormatDuration, PicksTheLargestExactUnit) {
    EXPECT_EQ(format_duration(milliseconds(0)), "0s");
    EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
    EXPECT_EQ(format_duration(milliseconds(1'500)), "1500ms");
    EXPECT_EQ(format_duration(milliseconds(30'000)), "30s");
    EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
    EXPECT_EQ(format_duration(milliseconds(600'000)), "10m");
    EXPECT_EQ(format_duration(milliseconds(5'400'000)), "90m");
    EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
    EXPECT_EQ(format_duration(milliseconds(-5'000)), "-5s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
    for (const long long ms :
         {0LL, 1LL, 999LL, 1'000LL, 61'000LL, 60'000LL, 7'200'000LL, 86'400'001LL}) {
        SCOPED_TRACE(ms);
        EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms));
    }
}

}  // namespace
}  // namespace switchboard::shared
