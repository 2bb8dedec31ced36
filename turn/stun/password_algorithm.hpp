#pragma once
// PASSWORD-ALGORITHM (0x001D, RFC 8489 section 14.12) and
// PASSWORD-ALGORITHMS (0x8002, section 14.11), decode only: recognized so
// that a request carrying them is not answered 420. This server keeps the
// MD5 long-term key (long_term_key.hpp), the one browsers use, and does not
// advertise algorithms. Pure, thread-safe.

#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

namespace switchboard::turn::stun {

// RFC 8489 section 18.5 registry.
inline constexpr std::uint16_t kPasswordAlgorithmMd5 = 0x0001;
inline constexpr std::uint16_t kPasswordAlgorithmSha256 = 0x0002;

struct PasswordAlgorithm {
    std::uint16_t algorithm = 0;
    std::span<const std::uint8_t> parameters;  // points into the message
};

// One algorithm: exactly its 4-byte header and its parameters (padding to
// 4 bytes tolerated). bad_attribute_length otherwise.
std::variant<PasswordAlgorithm, ParseError> decode_password_algorithm(
    std::span<const std::uint8_t> value);

// The list, each entry's parameters padded to 4 bytes. bad_attribute_length
// if an entry overruns the value.
std::variant<std::vector<PasswordAlgorithm>, ParseError> decode_password_algorithms(
    std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
