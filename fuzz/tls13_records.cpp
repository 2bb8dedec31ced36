// The TLS 1.3 record layer's reading side (shared/tls13_records.hpp): what
// a wss client's bytes meet once OpenSSL has handed the connection over.
// Mode byte 0: the input as ciphertext (headers, lengths, MAC failures).
// Mode 1: the input sealed by a peer then opened (round trip must hold).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "shared/tls13_records.hpp"

using switchboard::shared::Tls13Records;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const std::vector<unsigned char> a(32, 0x11), b(32, 0x22);
    auto server = Tls13Records::server(Tls13Records::Suite::aes_128_gcm_sha256, a, b, 0, 0);
    auto peer = Tls13Records::server(Tls13Records::Suite::aes_128_gcm_sha256, b, a, 0, 0);
    if (data[0] % 2 == 0) {
        std::string buf(reinterpret_cast<const char*>(data + 1), size - 1);
        const auto opened = server->open(buf.data(), buf.size());
        if (opened.consumed > buf.size() || opened.plaintext > opened.consumed) __builtin_trap();
        return 0;
    }
    const std::string plain(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string wire;
    for (std::size_t taken = 0; taken < plain.size();) {
        const std::size_t t = peer->seal(plain.data() + taken, plain.size() - taken, wire);
        if (t == 0) __builtin_trap();
        taken += t;
    }
    const auto opened = server->open(wire.data(), wire.size());
    if (opened.result != Tls13Records::Result::ok || opened.plaintext != plain.size() ||
        std::memcmp(wire.data(), plain.data(), plain.size()) != 0)
        __builtin_trap();
    return 0;
}
