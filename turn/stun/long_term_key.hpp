#pragma once
// The long-term credential key of RFC 8489 section 9.2.2, the HMAC key of
// MESSAGE-INTEGRITY under the long-term mechanism TURN uses:
//
//   "key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password))"
//
// (the MD5 password algorithm, the default and the only one browsers
// implement). The strings are taken as given: OpaqueString/SASLprep
// preparation is the caller's. The REST credentials this server mints are
// ASCII, for which it is the identity. Pure, thread-safe; aborts if OpenSSL
// has no MD5 (like shared/crypto.hpp, a made-up key would be worse).

#include <array>
#include <cstdint>
#include <string_view>

namespace switchboard::turn::stun {

using LongTermKey = std::array<std::uint8_t, 16>;

LongTermKey long_term_key(std::string_view username, std::string_view realm,
                          std::string_view password);

}  // namespace switchboard::turn::stun
