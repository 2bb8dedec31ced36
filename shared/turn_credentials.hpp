#pragma once
// Time-limited TURN credentials, "TURN REST API" scheme
// (draft-uberti-behave-turn-rest-00, as coturn implements it with
// use-auth-secret): username "<expires_at>:<user_id>", password
// base64(HMAC-SHA1(secret, username)). The signaling side mints them for
// room members (PROTOCOL.md "join", "ice-servers"); the TURN side recomputes
// the password from the username it receives, so no per-user state is kept,
// and a coturn sharing the secret accepts the same credentials.
// Pure and thread-safe; the caller supplies the time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::shared {

struct TurnCredential {
    std::string username;         // "<expires_at>:<user_id>"
    std::string password;         // base64(HMAC-SHA1(secret, username)), 28 characters
    std::int64_t expires_at = 0;  // unix seconds; equals iceServersExpiresAt
};

// expires_at = now_unix + ttl_seconds. user_id is expected to be a valid
// identifier already (it comes from a verified login).
TurnCredential mint_turn_credential(std::string_view secret, std::string_view user_id,
                                    std::int64_t now_unix, std::int64_t ttl_seconds);

// The password the TURN side expects for `username` (its long-term
// credential, RFC 8489 section 9.2). Compare it with constant_time_equal.
std::string turn_password(std::string_view secret, std::string_view username);

struct TurnUsername {
    std::int64_t expires_at = 0;
    std::string_view user_id;  // points into the parsed username
};

// Splits a REST username at its first ':' (user ids may themselves contain
// ':'). nullopt unless the prefix is 1 to 18 decimal digits and the rest is a
// valid identifier, so a static (non-REST) username never parses as one.
// The caller decides expiry: the credential is valid while now < expires_at.
std::optional<TurnUsername> parse_turn_username(std::string_view username);

}  // namespace switchboard::shared
