#pragma once
// SIGHUP (DESIGN.md "Command line"): which settings a running process takes
// from a re-read config file, and which need a restart. Pure: the app loads
// the file, asks plan_reload, and hands the effective config to the parts
// that hold the hot settings.
//
// Hot (taken at once, without dropping a connection or a relay):
// - log_level, log_format
// - auth.jwt_secret (new logins and REST requests are checked with it;
//   live sessions stay)
// - signaling.allowed_origins (new upgrades)
// - signaling.tls and turn.tls: the certificate and key are read again, also
//   when their paths did not change (a renewed certificate); new handshakes
//   use them. Turning TLS on or off needs a restart.
// - turn.secret (rotation: the first one mints, all verify), static_users,
//   credential_ttl
// - shutdown.drain (read when SIGTERM comes)
// Everything else (listeners, threads, limits, quotas, peer policy,
// relay ports, static_dir, auth.mode, ...) keeps its running value; each
// such key whose value changed is named in `restart`.

#include <string>
#include <vector>

#include "shared/config.hpp"

namespace switchboard::shared {

struct ReloadPlan {
    Config effective;                  // `running` with the hot settings of `loaded`
    std::vector<std::string> applied;  // dotted keys of hot settings that changed
    std::vector<std::string> restart;  // dotted keys that changed but need a restart
};

// `running` is what the process runs with (including a development TURN
// secret it generated: kept when `loaded` has no secret either).
ReloadPlan plan_reload(const Config& running, const Config& loaded);

}  // namespace switchboard::shared
