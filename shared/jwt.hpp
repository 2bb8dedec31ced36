#pragma once
// HS256 JSON Web Tokens (RFC 7519 over RFC 7515 compact serialization), the
// login credential of PROTOCOL.md "login". Pure and thread-safe: no clock
// (the caller passes `now`), no I/O, no exceptions; the token is untrusted
// input and every failure is a JwtError.
//
// Why std::variant and not boost::system::result: this header is used by the
// pure shared library, and the result is either the claims or one reason;
// callers branch with std::get_if<JwtError>, and a JwtError converts to a
// std::error_code (category "jwt") for logging and metrics.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <variant>
#include <vector>

namespace switchboard::shared {

// Longer tokens are refused before any decoding or parsing.
inline constexpr std::size_t kMaxJwtBytes = 8 * 1024;
inline constexpr std::int64_t kDefaultJwtLeewaySeconds = 30;

struct JwtClaims {
    std::string sub;                  // the userId; always valid_identifier() after verify
    std::int64_t exp = 0;             // unix seconds
    std::optional<std::int64_t> nbf;  // unix seconds
    std::optional<std::int64_t> iat;  // unix seconds
    // `rooms` claim: absent or "*" => any_room with no rooms; an array => the
    // listed ids in `rooms`, and any_room if it also contained "*"; [] => none.
    bool any_room = true;
    std::vector<std::string> rooms;
    std::optional<std::string> name;  // display name, passed through in presence
    // Switchboard extension: `"admin": true` allows the admin HTTP API
    // (POST /api/kick). Absent means false.
    bool admin = false;

    bool allows_room(std::string_view room) const;
};

enum class JwtError {
    malformed = 1,    // not three base64url parts of JSON objects, too long, bad UTF-8, crit
    bad_algorithm,    // header `alg` missing or anything but "HS256" (including "none")
    bad_signature,    // HMAC mismatch, wrong length, or an empty secret
    expired,          // now >= exp + leeway
    not_yet_valid,    // nbf or iat later than now + leeway
    missing_subject,  // no `sub`
    bad_subject,      // `sub` not a string of userId syntax
    missing_expiry,   // no `exp`
    bad_claim,        // exp/nbf/iat not integers, rooms/name of the wrong type, bad room id
};

const std::error_category& jwt_category() noexcept;
std::error_code make_error_code(JwtError error) noexcept;

// Checks, in this order: size and shape, header JSON, `alg` (so an
// unsupported algorithm is reported as such and no key is ever used with it),
// the signature in constant time, and only then the payload JSON and claims;
// time checks come last. Numeric claims must be JSON integers: 1.7e9 is
// bad_claim. `iat` in the future (beyond leeway) is not_yet_valid. Duplicate
// top-level keys (RFC 7515 section 4, RFC 7519 section 4) and a `crit`
// header (RFC 7515 section 4.1.11: we support no extension) are malformed.
// An empty secret verifies nothing (bad_signature), so a
// misconfigured server fails closed. A negative leeway counts as 0.
std::variant<JwtClaims, JwtError> verify_jwt(
    std::string_view token, std::string_view secret, std::int64_t now_unix,
    std::int64_t leeway_seconds = kDefaultJwtLeewaySeconds);

// Signs `claims` with header {"alg":"HS256","typ":"JWT"}. Payload key order:
// sub, exp, nbf, iat, rooms, name, admin (absent or false ones are left out). `rooms` is
// left out when any_room and rooms is empty; it is the array of rooms when
// restricted, and the rooms followed by "*" when any_room with rooms listed,
// so that verify_jwt(mint_jwt(c)) gives back c. Does not validate the claims
// (verify_jwt does): meant for trusted callers (the `token` command, tests).
std::string mint_jwt(std::string_view secret, const JwtClaims& claims);

}  // namespace switchboard::shared

namespace std {
template <>
struct is_error_code_enum<switchboard::shared::JwtError> : true_type {};
}  // namespace std
