#pragma once
// The service manager's notification protocol (systemd's sd_notify(3), for
// the unit's Type=notify and WatchdogSec=). Every call is a no-op when the
// process was not started by a service manager (NOTIFY_SOCKET unset), so the
// same binary runs by hand, in tests and under systemd.
//
// Thread context: any thread (each call is one datagram).

#include <chrono>
#include <optional>
#include <string_view>

namespace switchboard::app::service_manager {

// Every listener is bound and the loops run: systemctl start returns.
// `status` is shown by systemctl status.
void ready(std::string_view status);
// SIGHUP: a reload has begun (READY follows when it has ended, applied or not).
void reloading();
// SIGTERM/SIGINT: the drain has begun.
void stopping();
// The watchdog keep-alive: send it only when every loop has shown it is alive.
void watchdog_alive();
// A free-form status line (systemctl status), e.g. why the watchdog is held back.
void status(std::string_view text);

// How often the keep-alive is due (half of WatchdogSec=, as sd_watchdog_enabled(3)
// advises), or nullopt when the service manager wants none.
std::optional<std::chrono::microseconds> watchdog_period();

}  // namespace switchboard::app::service_manager
