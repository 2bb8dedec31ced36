#pragma once
// Cryptographic and encoding primitives shared by signaling (JWT, session and
// resume tokens) and TURN (MESSAGE-INTEGRITY, FINGERPRINT, REST credentials).
//
// Every function is pure apart from the randomness ones, thread-safe, and
// reports bad input through its return value: all of them may be fed bytes a
// remote peer chose. Failures of OpenSSL itself (no HMAC implementation, no
// entropy) abort the process instead of returning a made-up value: a zero MAC
// or a predictable token would silently turn into an authentication bypass.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::shared {

using Sha1Digest = std::array<std::uint8_t, 20>;
using Sha256Digest = std::array<std::uint8_t, 32>;

// Views text as the bytes it is made of, without copying.
inline std::span<const std::uint8_t> as_bytes(std::string_view text) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Views bytes as text, without copying (for constant_time_equal and friends).
inline std::string_view as_text(std::span<const std::uint8_t> bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// A plain SHA-1 digest (for RFC 6455's Sec-WebSocket-Accept, not for security).
Sha1Digest sha1(std::span<const std::uint8_t> data);

// HMAC (RFC 2104). Keys of any length, including empty, are accepted.
Sha1Digest hmac_sha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);
Sha1Digest hmac_sha1(std::string_view key, std::string_view data);
Sha256Digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);

// RFC 4648 section 4, with padding.
std::string base64_encode(std::span<const std::uint8_t> bytes);

// Strict RFC 4648 section 4: only the standard alphabet, length a multiple of
// four, at most two '=' and only at the end, and zero unused bits in the last
// symbol (section 3.5), so every byte string has exactly one accepted
// spelling. No whitespace. nullopt on any violation.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// RFC 4648 section 5 without padding, as JWTs (RFC 7515 section 2) use it.
std::string base64url_encode(std::span<const std::uint8_t> bytes);

// RFC 4648 section 5. Padding may be left out (the usual spelling) or be
// present and correct; '+', '/', a misplaced '=', an impossible length and
// non-zero unused bits are rejected.
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

// Compares secrets without leaking through timing how many leading bytes
// match. The length is not secret: different lengths return false at once.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// Fills `out` from the OpenSSL CSPRNG.
void random_bytes(std::span<std::uint8_t> out);

// Bytes from the OpenSSL CSPRNG, drawn 4 KiB at a time and each handed out
// once: the same randomness as random_bytes at a fraction of its cost per
// call (a lock and a DRBG step each), for hot paths such as the transaction
// id of every relayed Data indication. One per thread; not thread-safe.
class RandomPool {
public:
    void fill(std::span<std::uint8_t> out);

private:
    std::array<std::uint8_t, 4096> block_{};
    std::size_t used_ = block_.size();  // empty until the first fill
};

// `bytes` random bytes, base64url-encoded (no padding): session ids, resume
// tokens, dev-mode secrets. 16 bytes or more for anything that must not be
// guessed.
std::string random_token(std::size_t bytes);

// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320): the CRC
// that STUN FINGERPRINT (RFC 8489 section 14.7) applies before its XOR with
// 0x5354554e. crc32("123456789") == 0xCBF43926.
std::uint32_t crc32(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace switchboard::shared
