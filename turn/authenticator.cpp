#include "turn/authenticator.hpp"

#include <chrono>

#include "shared/turn_credentials.hpp"
#include "turn/stun/integrity.hpp"

namespace switchboard::turn {
namespace {

bool verifies(const stun::MessageView& message, const stun::LongTermKey& key, bool sha256) {
    return sha256 ? stun::verify_message_integrity_sha256(message, key)
                  : stun::verify_message_integrity(message, key);
}

}  // namespace

Authenticator::Authenticator(const shared::TurnConfig& config, const shared::Clock& clock,
                             const ActiveUsers& active)
    : clock_(clock),
      active_(active),
      realm_(config.realm),
      require_active_session_(config.require_active_session) {
    reload(config);
}

void Authenticator::reload(const shared::TurnConfig& config) {
    secrets_ = config.secrets;
    max_ahead_seconds_ =
        std::chrono::duration_cast<std::chrono::seconds>(config.credential_ttl).count() +
        kExpirySkewSeconds;
    static_keys_.clear();
    static_keys_.reserve(config.static_users.size());
    for (const auto& user : config.static_users) {
        static_keys_.emplace_back(user.username,
                                  stun::long_term_key(user.username, realm_, user.password));
    }
}

AuthResult Authenticator::authenticate(const stun::MessageView& message, std::string_view username,
                                       bool allocating) const {
    AuthResult result;
    Credentials& credentials = result.credentials;
    // RFC 8489 section 9.2.4: "If the MESSAGE-INTEGRITY-SHA256 attribute is
    // present, compute the value for the message integrity as described in
    // Section 14.6 ... If the MESSAGE-INTEGRITY-SHA256 attribute is not
    // present, then use the same password to compute the value for the
    // message integrity as described in Section 14.5."
    credentials.sha256 = message.message_integrity_sha256_offset().has_value();

    for (const auto& [name, key] : static_keys_) {
        if (name == username) {
            if (!verifies(message, key, credentials.sha256)) {
                return result;
            }
            credentials.username = name;
            credentials.user = name;
            credentials.key = key;
            result.status = AuthStatus::ok;
            return result;
        }
    }

    const auto rest = shared::parse_turn_username(username);
    if (!rest) {
        return result;
    }
    bool matched = false;
    for (const auto& secret : secrets_) {
        const auto key =
            stun::long_term_key(username, realm_, shared::turn_password(secret, username));
        if (verifies(message, key, credentials.sha256)) {
            credentials.key = key;
            matched = true;
            break;
        }
    }
    if (!matched) {
        return result;
    }
    credentials.username = std::string(username);
    credentials.user = std::string(rest->user_id);
    credentials.rest = true;
    // Checked only once the MAC is right, so nobody learns about a user
    // without its password.
    const std::int64_t now = clock_.unix_seconds();
    if (allocating && now >= rest->expires_at) {
        result.status = AuthStatus::expired;
    } else if (allocating && rest->expires_at - now > max_ahead_seconds_) {
        result.status = AuthStatus::too_far;
    } else if (require_active_session_ && !active_.is_active(rest->user_id)) {
        result.status = AuthStatus::inactive;
    } else {
        result.status = AuthStatus::ok;
    }
    return result;
}

}  // namespace switchboard::turn
