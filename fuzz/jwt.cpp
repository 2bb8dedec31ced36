// JWT verification (shared/jwt.hpp): HS256 only, claims validated. The
// input is the token; a second pass re-signs the payload part with the
// secret, so the claims validation behind the signature is reached too.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "shared/crypto.hpp"
#include "shared/jwt.hpp"

namespace shared = switchboard::shared;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string kSecret = "fuzz-secret-0123456789abcdef0123456789";
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)shared::verify_jwt(text, kSecret, 1'700'000'000);
    // header.payload signed properly: whatever the payload says is checked.
    const auto bytes = std::span(data, size);
    const std::string unsigned_part =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + shared::base64url_encode(bytes);
    const auto mac = shared::hmac_sha256(kSecret, unsigned_part);
    const std::string token = unsigned_part + "." + shared::base64url_encode(mac);
    (void)shared::verify_jwt(token, kSecret, 1'700'000'000);
    return 0;
}
