#pragma once
// TLS on a connected, non-blocking socket, driven by readiness: each call
// does what it can and says what it waits for (the io loop then waits for
// the socket and calls again).
//
// OpenSSL does the handshake, reading and writing the descriptor itself.
// Once a TLS 1.3 handshake is done, the channel takes the application
// traffic secrets (OpenSSL's key log callback) and the record numbers (none
// read yet: the handshake reads record by record, never ahead; one written
// per NewSessionTicket), frees the SSL object and carries on with
// shared::Tls13Records: an idle connection then holds two cipher contexts,
// not ~12 KiB of SSL object (see tls13_records.hpp). A TLS 1.2 connection
// stays with OpenSSL, its buffers released while idle.
//
// Thread context: one thread at a time (the connection's loop). No Asio.

#include <array>
#include <cstddef>
#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "shared/tls13_records.hpp"

namespace switchboard::shared::net {

class TlsChannel {
public:
    enum class Status {
        ok,          // done (handshake) or n > 0 bytes moved
        want_read,   // call again once the socket is readable
        want_write,  // call again once the socket is writable
        closed,      // the peer closed (close_notify or EOF)
        failed,      // a TLS or socket error; the connection is over
    };

    // `ctx` is referenced by the SSL object, so the caller's context may go
    // (a reload) while this lives. Returns null when OpenSSL cannot make one.
    static std::unique_ptr<TlsChannel> accept(SSL_CTX* ctx, int fd);
    ~TlsChannel();
    TlsChannel(const TlsChannel&) = delete;
    TlsChannel& operator=(const TlsChannel&) = delete;

    Status handshake();
    // After the handshake, `size` must be at least Tls13Records::kMaxRecord.
    Status read(char* data, std::size_t size, std::size_t& n);
    // Partial writes are allowed; after want_write, call again with at least
    // the bytes of the call that wanted it (the buffer may have moved).
    Status write(const char* data, std::size_t size, std::size_t& n);
    // Sends close_notify if it can, without waiting for the peer's.
    void shutdown();

    // The reason of the last `failed`, for a debug log.
    const char* last_error() const { return error_; }
    // True once OpenSSL has handed the connection over (TLS 1.3).
    bool records_only() const { return records_ != nullptr; }

private:
    TlsChannel(SSL* ssl, int fd) : ssl_(ssl), fd_(fd) {}
    Status status_of(int ret);
    void hand_over();
    Status read_records(char* data, std::size_t size, std::size_t& n);
    Status write_records(const char* data, std::size_t size, std::size_t& n);
    Status send_pending();
    static void on_key_log(const SSL* ssl, const char* line);
    static void on_message(int write_p, int version, int content_type, const void* buf,
                           std::size_t len, SSL* ssl, void* arg);

    SSL* ssl_;  // null once handed over
    int fd_;
    std::unique_ptr<shared::Tls13Records> records_;
    // Until the hand-over: what the key log and message callbacks saw.
    struct Secret {
        std::array<unsigned char, 48> bytes{};
        std::size_t size = 0;
    };
    std::unique_ptr<Secret[]> secrets_;  // [client, server] application traffic secrets
    std::uint64_t tickets_sent_ = 0;
    // After it: a partial record read, sealed bytes the socket has not taken
    // (standing for the first `pending_plain_` bytes of the next write), and
    // whether the last read emptied the socket.
    std::string in_;
    std::string pending_;
    std::size_t pending_plain_ = 0;
    bool drained_ = false;
    bool peer_closed_ = false;
    const char* error_ = "";
};

}  // namespace switchboard::shared::net
