#pragma once
// Checks of MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT on a
// parsed message (RFC 8489 sections 14.5 to 14.7). Pure and thread-safe;
// the MACs are compared in constant time. Each returns false when its
// attribute is absent, so "verified" always means "present and correct".
//
// Allocation: when attributes follow the one checked (the usual FINGERPRINT
// after MESSAGE-INTEGRITY), the covered bytes are copied to a per-thread
// scratch buffer to adjust the Length field; it grows once per thread.

#include "turn/stun/message.hpp"

#include <cstdint>
#include <span>

namespace switchboard::turn::stun {

// `key`: the short-term password, or long_term_key() for long-term
// credentials (RFC 8489 section 9.2.2).
bool verify_message_integrity(const MessageView& message, std::span<const std::uint8_t> key);

// HMAC-SHA256 with the same key, of any valid truncation (16 to 32 bytes).
bool verify_message_integrity_sha256(const MessageView& message, std::span<const std::uint8_t> key);

bool verify_fingerprint(const MessageView& message);

}  // namespace switchboard::turn::stun
