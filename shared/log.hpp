#pragma once
// Process-wide logger: levels, text or JSON lines, to stderr. Configured once
// at start-up (before any thread starts) and read-only afterwards; writes are
// serialized so lines never interleave.

#include <string>
#include <string_view>

namespace switchboard::shared {

enum class LogLevel { trace, debug, info, warn, error, off };
enum class LogFormat { text, json };

// "trace" ... "off": the spelling the config file uses.
std::string_view level_name(LogLevel level);

namespace log {

void configure(LogLevel level, LogFormat format);
bool enabled(LogLevel level);
void write(LogLevel level, std::string_view component, std::string_view message);

}  // namespace log
}  // namespace switchboard::shared

// The message expression is evaluated only when the level is enabled, so a
// flood of bad packets costs a branch, not a string build.
#define SB_LOG(level, component, message)                                                          \
    do {                                                                                           \
        if (::switchboard::shared::log::enabled(::switchboard::shared::LogLevel::level)) {         \
            ::switchboard::shared::log::write(::switchboard::shared::LogLevel::level, (component), \
                                              (message));                                          \
        }                                                                                          \
    } while (0)
