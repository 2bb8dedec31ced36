#include "shared/net/tls_channel.hpp"

#include <openssl/err.h>

#include <cerrno>

namespace switchboard::shared::net {

std::unique_ptr<TlsChannel> TlsChannel::accept(SSL_CTX* ctx, int fd) {
    SSL* ssl = SSL_new(ctx);
    if (ssl == nullptr) return nullptr;
    if (SSL_set_fd(ssl, fd) != 1) {
        SSL_free(ssl);
        return nullptr;
    }
    SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // One read() for whatever records have arrived, not two per record
    // (header, then body); the buffer is still released once it is empty.
    SSL_set_read_ahead(ssl, 1);
    SSL_set_accept_state(ssl);
    return std::unique_ptr<TlsChannel>(new TlsChannel(ssl));
}

TlsChannel::~TlsChannel() {
    SSL_free(ssl_);
}

TlsChannel::Status TlsChannel::status_of(int ret) {
    switch (SSL_get_error(ssl_, ret)) {
        case SSL_ERROR_WANT_READ: return Status::want_read;
        case SSL_ERROR_WANT_WRITE: return Status::want_write;
        case SSL_ERROR_ZERO_RETURN: return Status::closed;
        case SSL_ERROR_SYSCALL:
            // EOF without close_notify, or a socket error: the peer is gone either way.
            error_ = errno == 0 ? "EOF without close_notify" : "socket error";
            return errno == 0 ? Status::closed : Status::failed;
        default:
            error_ = ERR_reason_error_string(ERR_peek_last_error());
            if (error_ == nullptr) error_ = "TLS error";
            return Status::failed;
    }
}

// Every call starts with an empty error queue: a stale entry (from another
// connection on this thread) would make SSL_get_error misreport this one.
TlsChannel::Status TlsChannel::handshake() {
    ERR_clear_error();
    errno = 0;
    const int ret = SSL_do_handshake(ssl_);
    return ret == 1 ? Status::ok : status_of(ret);
}

TlsChannel::Status TlsChannel::read(char* data, std::size_t size, std::size_t& n) {
    ERR_clear_error();
    errno = 0;
    n = 0;
    const int ret = SSL_read_ex(ssl_, data, size, &n);
    return ret == 1 ? Status::ok : status_of(ret);
}

TlsChannel::Status TlsChannel::write(const char* data, std::size_t size, std::size_t& n) {
    ERR_clear_error();
    errno = 0;
    n = 0;
    const int ret = SSL_write_ex(ssl_, data, size, &n);
    return ret == 1 ? Status::ok : status_of(ret);
}

void TlsChannel::shutdown() {
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
}

}  // namespace switchboard::shared::net
