#include "shared/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

namespace switchboard::shared {
namespace {

struct Unit {
    std::string_view suffix;
    std::int64_t millis;
};

// The whole text after the digits must equal one suffix, so "5ms" can never be
// read as minutes and "5sec" is rejected rather than guessed at.
constexpr std::array<Unit, 5> kUnits{{
    {"", 1'000},  // a bare integer is seconds
    {"ms", 1},
    {"s", 1'000},
    {"m", 60'000},
    {"h", 3'600'000},
}};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && is_digit(text[digits])) ++digits;
    if (digits == 0) return std::nullopt;  // also rejects "-5s", "+5s", " 5s"

    const std::string_view suffix = text.substr(digits);
    for (const Unit& unit : kUnits) {
        if (suffix != unit.suffix) continue;
        std::uint64_t count = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, count);
        if (ec != std::errc{} || end != text.data() + digits) return std::nullopt;
        const auto limit =
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / unit.millis);
        if (count > limit) return std::nullopt;
        return std::chrono::milliseconds(static_cast<std::int64_t>(count) * unit.millis);
    }
    return std::nullopt;
}

std::string format_duration(std::chrono::milliseconds value) {
    const std::int64_t ms = value.count();
    if (ms == 0) return "0s";
    if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1'000 == 0) return std::to_string(ms / 1'000) + "s";
    return std::to_string(ms) + "ms";
}

}  // namespace switchboard::shared
