#include "shared/tls13_records.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace switchboard::shared {

namespace {

constexpr unsigned char kApplicationData = 23;
constexpr unsigned char kHandshake = 22;
constexpr unsigned char kAlert = 21;
constexpr unsigned char kKeyUpdate = 24;  // handshake message type
constexpr std::size_t kTag = 16;
constexpr std::size_t kIv = 12;
constexpr std::size_t kMaxSecret = 48;

struct SuiteInfo {
    const char* cipher;
    const char* digest;
    std::size_t key;
    std::size_t hash;
};

const SuiteInfo* info_of(Tls13Records::Suite suite) {
    static const SuiteInfo aes128{"AES-128-GCM", "SHA256", 16, 32};
    static const SuiteInfo aes256{"AES-256-GCM", "SHA384", 32, 48};
    static const SuiteInfo chacha{"ChaCha20-Poly1305", "SHA256", 32, 32};
    switch (suite) {
        case Tls13Records::Suite::aes_128_gcm_sha256: return &aes128;
        case Tls13Records::Suite::aes_256_gcm_sha384: return &aes256;
        case Tls13Records::Suite::chacha20_poly1305_sha256: return &chacha;
    }
    return nullptr;
}

// Fetched once: an implicit fetch per record would cost a provider lookup.
const EVP_CIPHER* cipher_of(Tls13Records::Suite suite) {
    static EVP_CIPHER* const aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
    static EVP_CIPHER* const aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    static EVP_CIPHER* const chacha = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
    switch (suite) {
        case Tls13Records::Suite::aes_128_gcm_sha256: return aes128;
        case Tls13Records::Suite::aes_256_gcm_sha384: return aes256;
        case Tls13Records::Suite::chacha20_poly1305_sha256: return chacha;
    }
    return nullptr;
}

}  // namespace

// One direction's keys. The secret is kept for the next KeyUpdate.
struct Tls13Records::Direction {
    EVP_CIPHER_CTX* ctx = nullptr;
    std::array<unsigned char, kMaxSecret> secret{};
    std::array<unsigned char, kIv> iv{};
    std::uint64_t seq = 0;

    ~Direction() {
        EVP_CIPHER_CTX_free(ctx);
        OPENSSL_cleanse(secret.data(), secret.size());
        OPENSSL_cleanse(iv.data(), iv.size());
    }
    // RFC 8446 §5.3: the IV XOR the record number, left-padded.
    std::array<unsigned char, kIv> nonce() const {
        auto n = iv;
        for (int i = 0; i < 8; ++i) n[kIv - 1 - i] ^= static_cast<unsigned char>(seq >> (8 * i));
        return n;
    }
};

bool Tls13Records::expand_label(Suite suite, std::span<const unsigned char> secret,
                                std::string_view label, std::span<unsigned char> out) {
    const SuiteInfo* info = info_of(suite);
    if (info == nullptr || out.size() > 255 || label.size() > 255 - 6) return false;
    // struct { uint16 length; opaque label<7..255> = "tls13 " + label; opaque context<0..255> = "";
    // }
    std::string hkdf_label;
    hkdf_label.push_back(static_cast<char>(out.size() >> 8));
    hkdf_label.push_back(static_cast<char>(out.size() & 0xff));
    hkdf_label.push_back(static_cast<char>(6 + label.size()));
    hkdf_label.append("tls13 ");
    hkdf_label.append(label);
    hkdf_label.push_back(0);

    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (kdf == nullptr) return false;
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == nullptr) return false;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(info->digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                          const_cast<unsigned char*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, hkdf_label.data(),
                                          hkdf_label.size()),
        OSSL_PARAM_construct_end(),
    };
    const bool ok = EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

Tls13Records::Tls13Records(Suite suite)
    : suite_(suite), read_(std::make_unique<Direction>()), write_(std::make_unique<Direction>()) {}

Tls13Records::~Tls13Records() = default;

std::unique_ptr<Tls13Records> Tls13Records::server(Suite suite,
                                                   std::span<const unsigned char> client_secret,
                                                   std::span<const unsigned char> server_secret,
                                                   std::uint64_t read_seq,
                                                   std::uint64_t write_seq) {
    const SuiteInfo* info = info_of(suite);
    if (info == nullptr || cipher_of(suite) == nullptr) return nullptr;
    if (client_secret.size() != info->hash || server_secret.size() != info->hash) return nullptr;
    std::unique_ptr<Tls13Records> r(new Tls13Records(suite));
    if (!r->install(*r->read_, client_secret, false) ||
        !r->install(*r->write_, server_secret, true))
        return nullptr;
    r->read_->seq = read_seq;
    r->write_->seq = write_seq;
    return r;
}

// RFC 8446 §7.3: key and IV from a traffic secret; the record number restarts.
bool Tls13Records::install(Direction& d, std::span<const unsigned char> secret, bool encrypt) {
    const SuiteInfo* info = info_of(suite_);
    std::array<unsigned char, 32> key{};
    std::copy(secret.begin(), secret.end(), d.secret.begin());
    bool ok = expand_label(suite_, secret, "key", std::span(key.data(), info->key)) &&
              expand_label(suite_, secret, "iv", d.iv);
    if (ok) {
        if (d.ctx == nullptr) d.ctx = EVP_CIPHER_CTX_new();
        ok = d.ctx != nullptr && EVP_CipherInit_ex2(d.ctx, cipher_of(suite_), key.data(), nullptr,
                                                    encrypt ? 1 : 0, nullptr) == 1;
    }
    OPENSSL_cleanse(key.data(), key.size());
    d.seq = 0;
    return ok;
}

// RFC 8446 §7.2: application_traffic_secret_N+1.
bool Tls13Records::update(Direction& d, bool encrypt) {
    const std::size_t hash = info_of(suite_)->hash;
    std::array<unsigned char, kMaxSecret> next{};
    bool ok = expand_label(suite_, std::span(d.secret.data(), hash), "traffic upd",
                           std::span(next.data(), hash)) &&
              install(d, std::span(next.data(), hash), encrypt);
    OPENSSL_cleanse(next.data(), next.size());
    return ok;
}

Tls13Records::Opened Tls13Records::open(char* data, std::size_t size) {
    Opened r;
    auto* const bytes = reinterpret_cast<unsigned char*>(data);
    while (size - r.consumed >= 5) {
        unsigned char* const header = bytes + r.consumed;
        const std::size_t length = (std::size_t{header[3]} << 8) | header[4];
        // After the handshake every record is protected, so its outer type is
        // application_data (§5.2); legacy_record_version is ignored.
        if (header[0] != kApplicationData || length > kMaxPlaintext + 256 || length < kTag + 1) {
            error_ = header[0] != kApplicationData ? "unprotected record after the handshake"
                                                   : "record length out of range";
            r.result = Result::failed;
            return r;
        }
        if (size - r.consumed < 5 + length) break;  // a partial record waits for more
        unsigned char* const body = header + 5;
        const std::size_t sealed = length - kTag;
        const auto nonce = read_->nonce();
        int n = 0;
        int tail = 0;
        if (EVP_DecryptInit_ex2(read_->ctx, nullptr, nullptr, nonce.data(), nullptr) != 1 ||
            EVP_DecryptUpdate(read_->ctx, nullptr, &n, header, 5) != 1 ||
            EVP_DecryptUpdate(read_->ctx, body, &n, body, static_cast<int>(sealed)) != 1 ||
            EVP_CIPHER_CTX_ctrl(read_->ctx, EVP_CTRL_AEAD_SET_TAG, kTag, body + sealed) != 1 ||
            EVP_DecryptFinal_ex(read_->ctx, body + n, &tail) != 1) {
            error_ = "bad record MAC";
            r.result = Result::failed;
            return r;
        }
        ++read_->seq;
        r.consumed += 5 + length;
        // TLSInnerPlaintext: content, its type, then zeros (§5.4).
        std::size_t end = sealed;
        while (end > 0 && body[end - 1] == 0) --end;
        if (end == 0) {
            error_ = "record without a content type";
            r.result = Result::failed;
            return r;
        }
        const unsigned char type = body[end - 1];
        const std::size_t content = end - 1;
        if (type == kApplicationData) {
            std::memmove(bytes + r.plaintext, body, content);  // never ahead of where it is read
            r.plaintext += content;
        } else if (type == kAlert) {
            // close_notify (warning 1 or fatal 2, description 0) ends the
            // stream; any other alert is the peer giving up.
            if (content == 2 && body[1] == 0) {
                r.result = Result::closed;
            } else {
                error_ = "alert from the peer";
                r.result = Result::failed;
            }
            return r;
        } else if (type == kHandshake) {
            if (!on_handshake(body, content)) {
                r.result = Result::failed;
                return r;
            }
        } else {
            error_ = "unexpected record type";
            r.result = Result::failed;
            return r;
        }
    }
    return r;
}

// After the handshake a client may send only KeyUpdate (§4.6.3); it must be
// whole in its record and the record's last message (§5.1: handshake
// messages do not span key changes).
bool Tls13Records::on_handshake(const unsigned char* p, std::size_t n) {
    if (n != 5 || p[0] != kKeyUpdate || p[1] != 0 || p[2] != 0 || p[3] != 1 || p[4] > 1) {
        error_ = "unexpected handshake message after the handshake";
        return false;
    }
    if (p[4] == 1) key_update_owed_ = true;  // update_requested: ours before our next record
    if (!update(*read_, false)) {
        error_ = "KeyUpdate failed";
        return false;
    }
    return true;
}

bool Tls13Records::seal_record(unsigned char type, const char* data, std::size_t size,
                               std::string& out) {
    const std::size_t start = out.size();
    const std::size_t length = size + 1 + kTag;
    out.resize(start + 5 + length);
    auto* const header = reinterpret_cast<unsigned char*>(out.data() + start);
    header[0] = kApplicationData;
    header[1] = 0x03;
    header[2] = 0x03;
    header[3] = static_cast<unsigned char>(length >> 8);
    header[4] = static_cast<unsigned char>(length & 0xff);
    unsigned char* const body = header + 5;
    const auto nonce = write_->nonce();
    int n = 0;
    int m = 0;
    int tail = 0;
    if (EVP_EncryptInit_ex2(write_->ctx, nullptr, nullptr, nonce.data(), nullptr) != 1 ||
        EVP_EncryptUpdate(write_->ctx, nullptr, &n, header, 5) != 1 ||
        EVP_EncryptUpdate(write_->ctx, body, &n, reinterpret_cast<const unsigned char*>(data),
                          static_cast<int>(size)) != 1 ||
        EVP_EncryptUpdate(write_->ctx, body + n, &m, &type, 1) != 1 ||
        EVP_EncryptFinal_ex(write_->ctx, body + n + m, &tail) != 1 ||
        EVP_CIPHER_CTX_ctrl(write_->ctx, EVP_CTRL_AEAD_GET_TAG, kTag, body + size + 1) != 1) {
        out.resize(start);
        return false;
    }
    ++write_->seq;
    return true;
}

std::size_t Tls13Records::seal(const char* data, std::size_t size, std::string& out) {
    if (key_update_owed_ || write_->seq >= kRecordsPerKey) {
        // Our KeyUpdate, under the old key, then the new one (§4.6.3).
        static constexpr char kUpdate[] = {kKeyUpdate, 0, 0, 1, 0};  // update_not_requested
        if (!seal_record(kHandshake, kUpdate, sizeof kUpdate, out) || !update(*write_, true))
            return 0;
        key_update_owed_ = false;
    }
    const std::size_t take = std::min(size, kMaxPlaintext);
    return seal_record(kApplicationData, data, take, out) ? take : 0;
}

void Tls13Records::seal_close_notify(std::string& out) {
    static constexpr char kCloseNotify[] = {1, 0};  // warning, close_notify
    seal_record(kAlert, kCloseNotify, sizeof kCloseNotify, out);
}

}  // namespace switchboard::shared
