#pragma once
// The one identifier syntax of the protocol (PROTOCOL.md "Identifiers"):
// userId, roomId and the JWT `sub` claim are 1 to 128 bytes of
// [A-Za-z0-9._:@-]. Kept in one place so that the signaling parser, the JWT
// verifier and the TURN username parser can never disagree.
// Pure, constexpr, thread-safe.

#include <cstddef>
#include <string_view>

namespace switchboard::shared {

inline constexpr std::size_t kMaxIdentifierLength = 128;

constexpr bool is_identifier_char(char c) noexcept {
    // Spelled out rather than <cctype>: isalnum() depends on the C locale.
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '@' || c == '-';
}

constexpr bool valid_identifier(std::string_view id) noexcept {
    if (id.empty() || id.size() > kMaxIdentifierLength) {
        return false;
    }
    for (const char c : id) {
        if (!is_identifier_char(c)) {
            return false;
        }
    }
    return true;
}

}  // namespace switchboard::shared
