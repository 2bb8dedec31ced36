#include "turn/nonce.hpp"

#include <algorithm>
#include <array>

#include "shared/crypto.hpp"

namespace switchboard::turn {
namespace {

constexpr std::size_t kExpiryBytes = 8;
constexpr std::size_t kMacBytes = 12;
constexpr std::size_t kNonceBytes = kExpiryBytes + kMacBytes;
// base64url without padding of 20 bytes.
constexpr std::size_t kNonceTextSize = 27;

// expiry || transport || client IP (16 bytes) || client port: what the MAC
// binds the nonce to.
std::array<std::uint8_t, kExpiryBytes + 1 + 16 + 2> mac_input(std::uint64_t expiry,
                                                              const FiveTuple& client) {
    std::array<std::uint8_t, kExpiryBytes + 1 + 16 + 2> input{};
    for (std::size_t i = 0; i < kExpiryBytes; ++i) {
        input[i] = static_cast<std::uint8_t>(expiry >> (8 * (kExpiryBytes - 1 - i)));
    }
    input[kExpiryBytes] = static_cast<std::uint8_t>(client.transport);
    std::copy(client.client.bytes.begin(), client.client.bytes.end(),
              input.begin() + kExpiryBytes + 1);
    input[kExpiryBytes + 17] = static_cast<std::uint8_t>(client.client.port >> 8);
    input[kExpiryBytes + 18] = static_cast<std::uint8_t>(client.client.port);
    return input;
}

}  // namespace

NonceIssuer::NonceIssuer(std::span<const std::uint8_t> key, const shared::Clock& clock)
    : key_(key.begin(), key.end()), clock_(clock) {}

std::int64_t NonceIssuer::now_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch())
        .count();
}

std::string NonceIssuer::issue(const FiveTuple& client) const {
    const auto expiry = static_cast<std::uint64_t>(now_seconds() + kLifetime.count());
    const auto input = mac_input(expiry, client);
    const auto mac = shared::hmac_sha1(key_, input);
    std::array<std::uint8_t, kNonceBytes> nonce{};
    std::copy_n(input.begin(), kExpiryBytes, nonce.begin());
    std::copy_n(mac.begin(), kMacBytes, nonce.begin() + kExpiryBytes);
    return shared::base64url_encode(nonce);
}

bool NonceIssuer::valid(std::string_view nonce, const FiveTuple& client) const {
    // The length check first: base64url_decode allocates, and the text is
    // the client's.
    if (nonce.size() != kNonceTextSize) {
        return false;
    }
    const auto bytes = shared::base64url_decode(nonce);
    if (!bytes || bytes->size() != kNonceBytes) {
        return false;
    }
    std::uint64_t expiry = 0;
    for (std::size_t i = 0; i < kExpiryBytes; ++i) {
        expiry = (expiry << 8) | (*bytes)[i];
    }
    const auto mac = shared::hmac_sha1(key_, mac_input(expiry, client));
    const std::string_view expected(reinterpret_cast<const char*>(mac.data()), kMacBytes);
    const std::string_view got(reinterpret_cast<const char*>(bytes->data() + kExpiryBytes),
                               kMacBytes);
    if (!shared::constant_time_equal(expected, got)) {
        return false;
    }
    return static_cast<std::int64_t>(expiry) > now_seconds();
}

}  // namespace switchboard::turn
