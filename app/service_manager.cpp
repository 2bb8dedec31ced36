#include "app/service_manager.hpp"

#include <systemd/sd-daemon.h>

#include <ctime>
#include <string>

namespace switchboard::app::service_manager {
namespace {

void send(const std::string& state) {
    ::sd_notify(0, state.c_str());
}

std::string monotonic_usec() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::to_string(static_cast<long long>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000);
}

}  // namespace

void ready(std::string_view status) {
    send("READY=1\nSTATUS=" + std::string(status));
}

// MONOTONIC_USEC is what Type=notify-reload (systemd 253+) requires with
// RELOADING=1; Type=notify ignores it.
void reloading() {
    send("RELOADING=1\nMONOTONIC_USEC=" + monotonic_usec() + "\nSTATUS=reloading");
}

void stopping() {
    send("STOPPING=1\nSTATUS=draining");
}

void watchdog_alive() {
    send("WATCHDOG=1");
}

void status(std::string_view text) {
    send("STATUS=" + std::string(text));
}

std::optional<std::chrono::microseconds> watchdog_period() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec / 2);
}

}  // namespace switchboard::app::service_manager
