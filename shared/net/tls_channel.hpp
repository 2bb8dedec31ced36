#pragma once
// TLS on a connected, non-blocking socket, driven by readiness: each call
// does what it can and says what it waits for (the io loop then waits for
// the socket and calls again). OpenSSL reads and writes the descriptor
// itself, so nothing is copied on the way, and SSL_MODE_RELEASE_BUFFERS gives
// its 16 KiB read and write buffers back while a connection is idle: an idle
// wss connection costs the SSL object, not its buffers.
//
// Thread context: one thread at a time (the connection's loop). No Asio.

#include <cstddef>
#include <memory>

#include <openssl/ssl.h>

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
    Status read(char* data, std::size_t size, std::size_t& n);
    // Partial writes are allowed; after want_write, call again with at least
    // the bytes of the call that wanted it (the buffer may have moved).
    Status write(const char* data, std::size_t size, std::size_t& n);
    // Sends close_notify if it can, without waiting for the peer's.
    void shutdown();

    // The reason of the last `failed`, for a debug log.
    const char* last_error() const { return error_; }

private:
    explicit TlsChannel(SSL* ssl) : ssl_(ssl) {}
    Status status_of(int ret);

    SSL* ssl_;
    const char* error_ = "";
};

}  // namespace switchboard::shared::net
