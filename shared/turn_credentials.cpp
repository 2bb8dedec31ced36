#include "shared/turn_credentials.hpp"

#include "shared/crypto.hpp"
#include "shared/identifier.hpp"

#include <charconv>

namespace switchboard::shared {

TurnCredential mint_turn_credential(std::string_view secret, std::string_view user_id,
                                    std::int64_t now_unix, std::int64_t ttl_seconds) {
    TurnCredential credential;
    credential.expires_at = now_unix + ttl_seconds;
    credential.username = std::to_string(credential.expires_at);
    credential.username += ':';
    credential.username += user_id;
    credential.password = turn_password(secret, credential.username);
    return credential;
}

std::string turn_password(std::string_view secret, std::string_view username) {
    return base64_encode(hmac_sha1(secret, username));
}

std::optional<TurnUsername> parse_turn_username(std::string_view username) {
    // 18 digits keep the value inside int64 without overflow checks and still
    // reach the year 31 billion.
    constexpr std::size_t kMaxDigits = 18;
    const std::size_t colon = username.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > kMaxDigits) {
        return std::nullopt;
    }
    const std::string_view digits = username.substr(0, colon);
    if (digits.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    TurnUsername parsed;
    const auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), parsed.expires_at);
    if (ec != std::errc{} || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    parsed.user_id = username.substr(colon + 1);
    if (!valid_identifier(parsed.user_id)) {
        return std::nullopt;
    }
    return parsed;
}

}  // namespace switchboard::shared
