#pragma once
// The TLS 1.3 record layer (RFC 8446 §5) of an established connection, for
// when OpenSSL has finished the handshake and handed over its traffic
// secrets: what the kernel's kTLS does, in user space, with OpenSSL's AEADs.
//
// Why it exists: an idle OpenSSL 3.0 SSL object costs ~12 KiB even with its
// buffers released (the SSL, its record layer's fixed arrays, the session and
// cipher contexts), which made an idle wss connection cost 6x a ws one. After
// the hand-over a connection holds two cipher contexts, two traffic secrets
// and two IVs (~2 KiB). The handshake, certificates, the key schedule up to
// the first application traffic secrets and every cipher stay OpenSSL's;
// this class frames records, numbers them, and handles the three things a
// peer may send after the handshake: application data, KeyUpdate and alerts.
//
// Pure: no socket, no Asio, no libssl (libcrypto only). Thread context: one thread at a time.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace switchboard::shared {

class Tls13Records {
public:
    // The three suites of RFC 8446 every OpenSSL build negotiates by default
    // (IANA code points 0x1301..0x1303).
    enum class Suite : std::uint16_t {
        aes_128_gcm_sha256 = 0x1301,
        aes_256_gcm_sha384 = 0x1302,
        chacha20_poly1305_sha256 = 0x1303,
    };

    static constexpr std::size_t kMaxPlaintext = 16384;                 // 2^14
    static constexpr std::size_t kMaxRecord = 5 + kMaxPlaintext + 256;  // header + ciphertext
    static constexpr std::size_t kOverhead = 5 + 1 + 16;                // header, type, tag
    // Our own write key is replaced (KeyUpdate) after this many records, far
    // below AES-GCM's 2^24.5 limit (RFC 8446 §5.5).
    static constexpr std::uint64_t kRecordsPerKey = std::uint64_t{1} << 23;

    // A server's record layer: reads with the client's secret, writes with
    // the server's, each starting at its record number (the number of records
    // already protected with it). Null if the suite is unknown or OpenSSL
    // cannot make the ciphers.
    static std::unique_ptr<Tls13Records> server(Suite suite,
                                                std::span<const unsigned char> client_secret,
                                                std::span<const unsigned char> server_secret,
                                                std::uint64_t read_seq, std::uint64_t write_seq);
    ~Tls13Records();
    Tls13Records(const Tls13Records&) = delete;
    Tls13Records& operator=(const Tls13Records&) = delete;

    enum class Result {
        ok,      // every complete record was opened
        closed,  // the peer sent close_notify: nothing after it is read
        failed,  // a record failed authentication or broke the protocol
    };
    struct Opened {
        Result result = Result::ok;
        std::size_t plaintext = 0;  // application data now at the front of the buffer
        std::size_t consumed = 0;   // bytes of complete records (the rest is a partial record)
    };
    // Opens the complete records at the front of `data[0, size)` in place and
    // moves their application data to the front. A KeyUpdate from the peer is
    // applied here (and our own is owed before our next record).
    Opened open(char* data, std::size_t size);

    // Appends one record holding up to kMaxPlaintext bytes of `data` to `out`
    // (preceded by our KeyUpdate when one is owed); returns the bytes taken,
    // 0 for size > 0 only if OpenSSL failed (`out` is then unchanged).
    std::size_t seal(const char* data, std::size_t size, std::string& out);
    // Appends a close_notify alert.
    void seal_close_notify(std::string& out);

    // Why the last open() failed.
    const char* error() const { return error_; }

    // RFC 8446 §7.1 HKDF-Expand-Label with an empty context; public for the
    // RFC 8448 test vectors. False if OpenSSL fails.
    static bool expand_label(Suite suite, std::span<const unsigned char> secret,
                             std::string_view label, std::span<unsigned char> out);

private:
    struct Direction;
    Tls13Records(Suite suite);
    bool install(Direction& d, std::span<const unsigned char> secret, bool encrypt);
    bool update(Direction& d, bool encrypt);
    bool seal_record(unsigned char type, const char* data, std::size_t size, std::string& out);
    bool on_handshake(const unsigned char* p, std::size_t n);

    Suite suite_;
    std::unique_ptr<Direction> read_;
    std::unique_ptr<Direction> write_;
    bool key_update_owed_ = false;
    const char* error_ = "";
};

}  // namespace switchboard::shared
