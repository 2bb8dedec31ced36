#pragma once
// `switchboard [--config FILE]`: runs the server until SIGTERM/SIGINT has
// drained it. The composition root proper: it builds the TURN side, the
// signaling side and the bridge between them, and speaks to the service
// manager (READY after every listener is bound, RELOADING/READY around
// SIGHUP, STOPPING on drain, the watchdog keep-alive).

#include <optional>
#include <string>

#include "shared/config.hpp"

namespace switchboard::app {

// Returns the process exit code: 0 after a drain, 1 on a start-up failure
// (a port in use, an unreadable certificate, ...).
int run_server(shared::Config config, const std::optional<std::string>& config_path);

}  // namespace switchboard::app
