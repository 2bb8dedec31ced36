#pragma once
// Stateless NONCE values for the long-term credential mechanism (RFC 8489
// sections 9.2 and 14.10). The server keeps nothing per client: a nonce is
//
//   base64url( expiry (8 bytes, big endian, steady-clock seconds)
//            || first 12 bytes of HMAC-SHA1(key, expiry || transport
//                                           || client IP || client port) )
//
// so it can be checked against the 5-tuple it was issued to and its expiry,
// on any worker that shares the per-process key. RFC 8489 section 9.2:
// "the server MAY [use] ... a nonce ... a server can construct the nonce
// to encode the client's IP address and a timestamp". A nonce that fails
// either check is "no longer valid": the caller answers 438 with a new one.
//
// Thread context: const after construction; issue/valid may be called from
// any thread.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/clock.hpp"
#include "turn/engine.hpp"

namespace switchboard::turn {

class NonceIssuer {
public:
    // How long a nonce stays valid. Long enough that a browser's retries
    // and refreshes of one session reuse it; short enough that a captured
    // one ages out.
    static constexpr std::chrono::seconds kLifetime{600};

    NonceIssuer(std::span<const std::uint8_t> key, const shared::Clock& clock);

    std::string issue(const FiveTuple& client) const;
    // Well-formed, issued by this key for this client's transport, IP and
    // port, and not expired.
    bool valid(std::string_view nonce, const FiveTuple& client) const;

private:
    std::int64_t now_seconds() const;

    std::vector<std::uint8_t> key_;
    const shared::Clock& clock_;
};

}  // namespace switchboard::turn
