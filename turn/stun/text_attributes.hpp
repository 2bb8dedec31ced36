#pragma once
// The text attributes: USERNAME (0x0006, RFC 8489 section 14.3), REALM
// (0x0014, section 14.9), NONCE (0x0015, section 14.10) and SOFTWARE
// (0x8022, section 14.14). Their values are opaque bytes bounded in length;
// decoding returns a view into the message. Pure, thread-safe.
//
// The bytes are not checked to be UTF-8 here: the server only compares and
// echoes them. Whoever logs them must escape them.

#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace switchboard::turn::stun {

// USERNAME: "a UTF-8-encoded sequence of fewer than 509 bytes" in RFC 8489,
// "less than 513 bytes" in RFC 5389; accepted up to the older, larger bound.
inline constexpr std::size_t kMaxUsernameBytes = 512;
// REALM, NONCE, SOFTWARE: "fewer than 128 characters (which can be as long
// as 509 bytes when encoding them and as long as 763 bytes when decoding
// them)".
inline constexpr std::size_t kMaxTextBytes = 763;

// Each add_* refuses (builder.fail()) a value over its bound.
void add_username(MessageBuilder& builder, std::string_view username);
void add_realm(MessageBuilder& builder, std::string_view realm);
void add_nonce(MessageBuilder& builder, std::string_view nonce);
void add_software(MessageBuilder& builder, std::string_view software);

// value_too_long over the bound; the view points into `value`.
std::variant<std::string_view, ParseError> decode_username(std::span<const std::uint8_t> value);
std::variant<std::string_view, ParseError> decode_realm(std::span<const std::uint8_t> value);
std::variant<std::string_view, ParseError> decode_nonce(std::span<const std::uint8_t> value);
std::variant<std::string_view, ParseError> decode_software(std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
