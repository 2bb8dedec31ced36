#include "shared/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace switchboard::shared {
namespace {

// ---------------------------------------------------------------- HMAC

[[noreturn]] void fail_closed(const char* what) {
    std::fprintf(stderr, "switchboard: fatal: OpenSSL %s failed; refusing to continue\n", what);
    std::abort();
}

struct MacCtxDeleter {
    void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter>;

// HMAC() and EVP_Q_mac() fetch the algorithm from the provider store on every
// call, which takes a process-wide lock; TURN checks MESSAGE-INTEGRITY on
// every request of every worker. So the algorithm is fetched once and each
// thread keeps one context per digest, re-keyed per call.
EVP_MAC* hmac_algorithm() {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (mac == nullptr) {
        fail_closed("EVP_MAC_fetch(HMAC)");
    }
    return mac;
}

MacCtxPtr new_hmac_context(const char* digest_name) {
    MacCtxPtr ctx(EVP_MAC_CTX_new(hmac_algorithm()));
    if (!ctx) {
        fail_closed("EVP_MAC_CTX_new");
    }
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name), 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(ctx.get(), params) != 1) {
        fail_closed("EVP_MAC_CTX_set_params(digest)");
    }
    return ctx;
}

template <std::size_t N>
std::array<std::uint8_t, N> run_hmac(EVP_MAC_CTX* ctx, std::span<const std::uint8_t> key,
                                     std::span<const std::uint8_t> data) {
    // A null key tells OpenSSL "keep the previous key of this context", which
    // on a reused context would be someone else's secret. An empty key must
    // therefore be passed as a valid pointer with length 0.
    static constexpr std::uint8_t kEmpty[1] = {0};
    const std::uint8_t* key_ptr = key.empty() ? kEmpty : key.data();
    const std::uint8_t* data_ptr = data.empty() ? kEmpty : data.data();
    if (EVP_MAC_init(ctx, key_ptr, key.size(), nullptr) != 1) {
        fail_closed("EVP_MAC_init");
    }
    if (EVP_MAC_update(ctx, data_ptr, data.size()) != 1) {
        fail_closed("EVP_MAC_update");
    }
    std::array<std::uint8_t, N> out{};
    std::size_t written = 0;
    if (EVP_MAC_final(ctx, out.data(), &written, out.size()) != 1 || written != N) {
        fail_closed("EVP_MAC_final");
    }
    return out;
}

// ---------------------------------------------------------------- base64

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t kInvalid = 0xFF;
using DecodeTable = std::array<std::uint8_t, 256>;

constexpr DecodeTable make_decode_table(std::string_view alphabet) {
    DecodeTable table{};
    table.fill(kInvalid);
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return table;
}

constexpr DecodeTable kStdTable = make_decode_table(kStdAlphabet);
constexpr DecodeTable kUrlTable = make_decode_table(kUrlAlphabet);

std::string encode(std::span<const std::uint8_t> in, std::string_view alphabet, bool pad) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const std::uint32_t v =
            (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
        out += alphabet[(v >> 18) & 0x3F];
        out += alphabet[(v >> 12) & 0x3F];
        out += alphabet[(v >> 6) & 0x3F];
        out += alphabet[v & 0x3F];
    }
    const std::size_t rest = in.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{in[i]} << 16;
        out += alphabet[(v >> 18) & 0x3F];
        out += alphabet[(v >> 12) & 0x3F];
        if (pad) {
            out += "==";
        }
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
        out += alphabet[(v >> 18) & 0x3F];
        out += alphabet[(v >> 12) & 0x3F];
        out += alphabet[(v >> 6) & 0x3F];
        if (pad) {
            out += '=';
        }
    }
    return out;
}

// Decodes symbols only (padding already stripped by the caller).
std::optional<std::vector<std::uint8_t>> decode_symbols(std::string_view in,
                                                        const DecodeTable& table) {
    // A lone trailing symbol carries 6 bits: never a whole byte.
    if (in.size() % 4 == 1) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> out;
    out.reserve(in.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : in) {
        const std::uint8_t v = table[static_cast<unsigned char>(c)];
        if (v == kInvalid) {
            return std::nullopt;
        }
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
        }
    }
    // RFC 4648 section 3.5: the unused bits of the last symbol must be zero,
    // otherwise two spellings would decode to the same bytes.
    if ((acc & ((1U << bits) - 1U)) != 0) {
        return std::nullopt;
    }
    return out;
}

// Splits off correct padding: text length a multiple of 4, one '=' after
// three symbols or two after two. nullopt when '=' appears anywhere else.
std::optional<std::string_view> strip_padding(std::string_view in) {
    const std::size_t first_pad = in.find('=');
    if (first_pad == std::string_view::npos) {
        return in;
    }
    const std::size_t pads = in.size() - first_pad;
    if (in.size() % 4 != 0 || pads > 2 ||
        in.find_first_not_of('=', first_pad) != std::string_view::npos) {
        return std::nullopt;
    }
    return in.substr(0, first_pad);
}

// ---------------------------------------------------------------- CRC-32

constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) {
            c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
        }
        table[n] = c;
    }
    return table;
}

constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

}  // namespace

Sha1Digest sha1(std::span<const std::uint8_t> data) {
    Sha1Digest out{};
    unsigned size = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha1(), nullptr) != 1 ||
        size != out.size()) {
        fail_closed("SHA-1");
    }
    return out;
}

Sha1Digest hmac_sha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    thread_local const MacCtxPtr ctx = new_hmac_context(OSSL_DIGEST_NAME_SHA1);
    return run_hmac<20>(ctx.get(), key, data);
}

Sha1Digest hmac_sha1(std::string_view key, std::string_view data) {
    return hmac_sha1(as_bytes(key), as_bytes(data));
}

Sha256Digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    thread_local const MacCtxPtr ctx = new_hmac_context(OSSL_DIGEST_NAME_SHA2_256);
    return run_hmac<32>(ctx.get(), key, data);
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
    return hmac_sha256(as_bytes(key), as_bytes(data));
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
    return encode(bytes, kStdAlphabet, true);
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    const auto symbols = strip_padding(text);
    if (!symbols) {
        return std::nullopt;
    }
    return decode_symbols(*symbols, kStdTable);
}

std::string base64url_encode(std::span<const std::uint8_t> bytes) {
    return encode(bytes, kUrlAlphabet, false);
}

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text) {
    const auto symbols = strip_padding(text);
    if (!symbols) {
        return std::nullopt;
    }
    return decode_symbols(*symbols, kUrlTable);
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void random_bytes(std::span<std::uint8_t> out) {
    // RAND_bytes takes an int length; larger requests go in slices.
    while (!out.empty()) {
        const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
        if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
            fail_closed("RAND_bytes");
        }
        out = out.subspan(n);
    }
}

std::string random_token(std::size_t bytes) {
    std::vector<std::uint8_t> buffer(bytes);
    random_bytes(buffer);
    return base64url_encode(buffer);
}

void RandomPool::fill(std::span<std::uint8_t> out) {
    while (!out.empty()) {
        if (used_ == block_.size()) {
            random_bytes(block_);
            used_ = 0;
        }
        const std::size_t n = std::min(out.size(), block_.size() - used_);
        std::memcpy(out.data(), block_.data() + used_, n);
        // Handed out once: wipe what was taken.
        std::memset(block_.data() + used_, 0, n);
        used_ += n;
        out = out.subspan(n);
    }
}

std::uint32_t crc32(std::span<const std::uint8_t> bytes) noexcept {
    std::uint32_t c = 0xFFFFFFFFU;
    for (const std::uint8_t b : bytes) {
        c = kCrcTable[(c ^ b) & 0xFFU] ^ (c >> 8);
    }
    return c ^ 0xFFFFFFFFU;
}

}  // namespace switchboard::shared
