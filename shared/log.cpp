#include "shared/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace switchboard::shared::log {
namespace {

// Read by every thread on every log call, rewritten by a SIGHUP reload:
// atomics, so a reload never races a worker's read.
struct State {
    std::atomic<LogLevel> level{LogLevel::info};
    std::atomic<LogFormat> format{LogFormat::text};
    std::mutex mutex;  // one line at a time on stderr
};

State& state() {
    static State s;
    return s;
}

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];  // room for any int the compiler cannot rule out
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

}  // namespace

void configure(LogLevel level, LogFormat format) {
    state().level.store(level, std::memory_order_relaxed);
    state().format.store(format, std::memory_order_relaxed);
}

bool enabled(LogLevel level) {
    return level != LogLevel::off && level >= state().level.load(std::memory_order_relaxed);
}

void write(LogLevel level, std::string_view component, std::string_view message) {
    std::string line;
    if (state().format.load(std::memory_order_relaxed) == LogFormat::json) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        const auto ts = timestamp();
        const auto lvl = level_name(level);
        w.StartObject();
        w.Key("ts");
        w.String(ts.data(), static_cast<rapidjson::SizeType>(ts.size()));
        w.Key("level");
        w.String(lvl.data(), static_cast<rapidjson::SizeType>(lvl.size()));
        w.Key("component");
        w.String(component.data(), static_cast<rapidjson::SizeType>(component.size()));
        w.Key("msg");
        w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
        w.EndObject();
        line.assign(buf.GetString(), buf.GetSize());
    } else {
        line = timestamp();
        line += ' ';
        line += level_name(level);
        line += " [";
        line += component;
        line += "] ";
        line += message;
    }
    line += '\n';
    std::lock_guard lock(state().mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace switchboard::shared::log

namespace switchboard::shared {

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::trace: return "trace";
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::warn: return "warn";
        case LogLevel::error: return "error";
        case LogLevel::off: return "off";
    }
    return "info";
}

}  // namespace switchboard::shared
