#pragma once
// Durations as operators write them in the configuration: a bare integer is
// seconds (what most people type for a timeout), or an integer with exactly one
// unit suffix: "250ms", "30s", "10m", "1h". Compound forms ("1h30m") and
// fractions are deliberately not accepted: one spelling per value keeps the
// file greppable and the error messages simple.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::shared {

// nullopt for anything else: empty, negative, fractional, unknown unit,
// whitespace, or a value that does not fit in milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest spelling parse_duration reads back exactly ("1h", "90s",
// "250ms", "0s"), used when printing the effective configuration. Negative
// durations (never produced by the loader) print as e.g. "-5s".
std::string format_duration(std::chrono::milliseconds value);

}  // namespace switchboard::shared
