#pragma once
// Builds the `iceServers` handed to room members: STUN and TURN URLs from
// `public_host` and the TURN listen ports, with TURN REST credentials minted
// from the first `turn.secret` (PROTOCOL.md "join"). Pure and thread-safe:
// any thread may call make(); reload() (SIGHUP) swaps the secret and TTL.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "shared/config.hpp"
#include "signaling/protocol/encoder.hpp"

namespace switchboard::signaling {

class IceServerFactory {
public:
    // Requires config.turn.secrets to be non-empty when TURN is enabled (the
    // app generates a development secret before building this).
    explicit IceServerFactory(const shared::Config& config);

    protocol::IceServerList make(std::string_view user_id, std::int64_t now_unix) const;
    std::int64_t ttl_seconds() const;
    // Takes turn.secret and turn.credential_ttl from `config`; the URLs stay.
    void reload(const shared::Config& config);

    const std::vector<std::string>& turn_urls() const { return turn_urls_; }
    const std::vector<std::string>& stun_urls() const { return stun_urls_; }

private:
    mutable std::mutex mutex_;  // guards secret_ and ttl_seconds_
    std::string secret_;
    std::int64_t ttl_seconds_;
    std::vector<std::string> stun_urls_;
    std::vector<std::string> turn_urls_;
};

}  // namespace switchboard::signaling
