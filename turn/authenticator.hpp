#pragma once
// Long-term credentials (RFC 8489 section 9.2) for TURN: who sent a request
// whose MESSAGE-INTEGRITY verifies, and may they do what they ask.
//
// Two kinds of user:
// - REST usernames "<expires_at>:<user_id>" (shared/turn_credentials.hpp):
//   password = base64(HMAC-SHA1(secret, username)) for each configured
//   secret in turn (rotation: the first one mints, all of them verify);
// - static users from the config (test tools), username and password as
//   given.
// key = MD5(username ":" realm ":" password) (stun/long_term_key.hpp).
//
// Policy on top of the MAC:
// - an expired REST username is refused for Allocate only, so calls that
//   outlive their credential keep refreshing (Refresh, CreatePermission,
//   ChannelBind still work);
// - so is one that expires further ahead than turn.credential_ttl +
//   kExpirySkew: Switchboard never mints those, so it was minted with a
//   leaked secret (or by another minter with a longer TTL) and would stay
//   good for as long as its author liked;
// - turn.require_active_session: a REST user whose signaling session is
//   gone (ActiveUsers::is_active false) is refused for every request;
//   static users are exempt.
//
// Thread context: one per Engine (worker thread).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "turn/engine.hpp"
#include "turn/stun/long_term_key.hpp"
#include "turn/stun/message.hpp"

namespace switchboard::turn {

struct Credentials {
    std::string username;  // USERNAME as sent
    // The quota and drop_user key: the REST user id, or the static username.
    std::string user;
    bool rest = false;
    stun::LongTermKey key{};
    // The request was protected with MESSAGE-INTEGRITY-SHA256: answer in kind.
    bool sha256 = false;
};

enum class AuthStatus {
    ok,
    unauthenticated,  // unknown user, or no secret gives a matching MAC: 401
    expired,          // REST username past its expiry, on Allocate: 401
    too_far,          // REST username expiring beyond credential_ttl + skew, on Allocate: 401
    inactive,         // require_active_session and the user is offline: 403
};

// `credentials` is filled whenever the MAC verified (ok, expired,
// inactive), so a refusal can still be integrity-protected.
struct AuthResult {
    AuthStatus status = AuthStatus::unauthenticated;
    Credentials credentials;
};

class Authenticator {
public:
    // How far beyond now + credential_ttl a REST username may expire: clocks
    // of several nodes sharing a secret may disagree by this much.
    static constexpr std::int64_t kExpirySkewSeconds = 300;

    Authenticator(const shared::TurnConfig& config, const shared::Clock& clock,
                  const ActiveUsers& active);

    // `message` carries MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256;
    // `username` is its USERNAME. `allocating`: the request is an Allocate.
    AuthResult authenticate(const stun::MessageView& message, std::string_view username,
                            bool allocating) const;

    // SIGHUP: takes the secrets, static users and credential_ttl of `config` (the realm and
    // require_active_session are restart-only and stay). Every request from
    // then on is checked against them, those of live allocations too: a
    // retired secret stays verifiable while it is listed after the first.
    void reload(const shared::TurnConfig& config);

private:
    const shared::Clock& clock_;
    const ActiveUsers& active_;
    const std::string realm_;
    const bool require_active_session_;
    std::vector<std::string> secrets_;
    std::int64_t max_ahead_seconds_ = 0;  // credential_ttl + kExpirySkewSeconds
    // Static users' keys, computed on (re)load.
    std::vector<std::pair<std::string, stun::LongTermKey>> static_keys_;
};

}  // namespace switchboard::turn
