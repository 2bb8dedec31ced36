#include "shared/net/tls_channel.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

namespace switchboard::shared::net {

namespace {

// Where an SSL object keeps its channel, for the callbacks.
int channel_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A write seals at most this much before offering it to the socket.
constexpr std::size_t kRecordsPerWrite = 4;

}  // namespace

std::unique_ptr<TlsChannel> TlsChannel::accept(SSL_CTX* ctx, int fd) {
    if (channel_index() < 0) return nullptr;
    SSL* ssl = SSL_new(ctx);
    if (ssl == nullptr) return nullptr;
    if (SSL_set_fd(ssl, fd) != 1) {
        SSL_free(ssl);
        return nullptr;
    }
    SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // No read-ahead: the handshake reads a record at a time, so when it ends
    // nothing of the client's first application record is inside OpenSSL
    // and the hand-over starts reading at record number 0.
    SSL_set_read_ahead(ssl, 0);
    SSL_set_accept_state(ssl);
    std::unique_ptr<TlsChannel> channel(new TlsChannel(ssl, fd));
    channel->secrets_ = std::make_unique<Secret[]>(2);
    SSL_set_ex_data(ssl, channel_index(), channel.get());
    SSL_set_msg_callback(ssl, &TlsChannel::on_message);
    // Set once per context (a reload brings a new one), before any handshake on it.
    if (SSL_CTX_get_keylog_callback(ctx) != &TlsChannel::on_key_log)
        SSL_CTX_set_keylog_callback(ctx, &TlsChannel::on_key_log);
    return channel;
}

TlsChannel::~TlsChannel() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (secrets_) OPENSSL_cleanse(secrets_.get(), 2 * sizeof(Secret));
}

void TlsChannel::on_key_log(const SSL* ssl, const char* line) {
    auto* self = static_cast<TlsChannel*>(SSL_get_ex_data(ssl, channel_index()));
    if (self == nullptr || !self->secrets_) return;  // another context user's SSL, or handed over
    const std::string_view text(line);
    int which = -1;
    if (text.starts_with("CLIENT_TRAFFIC_SECRET_0 ")) which = 0;
    if (text.starts_with("SERVER_TRAFFIC_SECRET_0 ")) which = 1;
    if (which < 0) return;
    const std::string_view hex = text.substr(text.rfind(' ') + 1);
    Secret& secret = self->secrets_[which];
    if (hex.size() % 2 != 0 || hex.size() / 2 > secret.bytes.size()) return;
    for (std::size_t i = 0; i < hex.size() / 2; ++i) {
        const int hi = hex_digit(hex[2 * i]);
        const int lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return;
        secret.bytes[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    secret.size = hex.size() / 2;
}

// Each NewSessionTicket is written as one record under the server's first
// application traffic key: the hand-over's first write record number.
void TlsChannel::on_message(int write_p, int, int content_type, const void* buf, std::size_t len,
                            SSL* ssl, void*) {
    if (write_p != 1 || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
    if (static_cast<const unsigned char*>(buf)[0] != SSL3_MT_NEWSESSION_TICKET) return;
    auto* self = static_cast<TlsChannel*>(SSL_get_ex_data(ssl, channel_index()));
    if (self != nullptr) ++self->tickets_sent_;
}

void TlsChannel::hand_over() {
    auto secrets = std::exchange(secrets_, nullptr);
    const auto forget = [&] {
        OPENSSL_cleanse(secrets.get(), 2 * sizeof(Secret));
        // Staying with OpenSSL: one read() for whatever records have arrived,
        // not two per record (header, then body).
        if (ssl_ != nullptr) SSL_set_read_ahead(ssl_, 1);
    };
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
    if (SSL_version(ssl_) != TLS1_3_VERSION || SSL_has_pending(ssl_) != 0 || cipher == nullptr ||
        secrets[0].size == 0 || secrets[1].size == 0)
        return forget();
    const auto id = SSL_CIPHER_get_protocol_id(cipher);
    if (id < 0x1301 || id > 0x1303) return forget();
    records_ = shared::Tls13Records::server(static_cast<shared::Tls13Records::Suite>(id),
                                            std::span(secrets[0].bytes.data(), secrets[0].size),
                                            std::span(secrets[1].bytes.data(), secrets[1].size), 0,
                                            tickets_sent_);
    if (records_) {
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
    forget();  // without records_, OpenSSL carries on
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
    if (records_) return Status::ok;
    ERR_clear_error();
    errno = 0;
    const int ret = SSL_do_handshake(ssl_);
    if (ret != 1) return status_of(ret);
    hand_over();
    return Status::ok;
}

TlsChannel::Status TlsChannel::read(char* data, std::size_t size, std::size_t& n) {
    if (records_) return read_records(data, size, n);
    ERR_clear_error();
    errno = 0;
    n = 0;
    const int ret = SSL_read_ex(ssl_, data, size, &n);
    return ret == 1 ? Status::ok : status_of(ret);
}

TlsChannel::Status TlsChannel::write(const char* data, std::size_t size, std::size_t& n) {
    if (records_) return write_records(data, size, n);
    ERR_clear_error();
    errno = 0;
    n = 0;
    const int ret = SSL_write_ex(ssl_, data, size, &n);
    return ret == 1 ? Status::ok : status_of(ret);
}

void TlsChannel::shutdown() {
    if (records_) {
        records_->seal_close_notify(pending_);
        send_pending();
        return;
    }
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
}

// ------------------------------------------------------ after the hand-over

TlsChannel::Status TlsChannel::read_records(char* data, std::size_t size, std::size_t& n) {
    n = 0;
    if (peer_closed_) return Status::closed;
    if (size < shared::Tls13Records::kMaxRecord) {
        error_ = "read buffer smaller than a record";
        return Status::failed;
    }
    for (;;) {
        // The last read left the socket empty: wait for the next edge.
        if (std::exchange(drained_, false)) return Status::want_read;
        const std::size_t have = in_.size();
        std::memcpy(data, in_.data(), have);
        const ssize_t r = ::recv(fd_, data + have, size - have, 0);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Status::want_read;
            error_ = "socket error";
            return Status::failed;
        }
        if (r == 0) {
            error_ = "EOF without close_notify";
            return Status::closed;
        }
        const std::size_t total = have + static_cast<std::size_t>(r);
        drained_ = static_cast<std::size_t>(r) < size - have;
        const auto opened = records_->open(data, total);
        if (opened.result == shared::Tls13Records::Result::failed) {
            error_ = records_->error();
            return Status::failed;
        }
        if (opened.consumed < total)
            in_.assign(data + opened.consumed, total - opened.consumed);  // a partial record
        else
            std::string().swap(in_);
        if (opened.result == shared::Tls13Records::Result::closed) {
            peer_closed_ = true;
            if (opened.plaintext == 0) return Status::closed;
        }
        if (opened.plaintext > 0) {
            n = opened.plaintext;
            return Status::ok;
        }
    }
}

TlsChannel::Status TlsChannel::send_pending() {
    while (!pending_.empty()) {
        const ssize_t r = ::send(fd_, pending_.data(), pending_.size(), MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return Status::want_write;
            error_ = "socket error";
            return Status::failed;
        }
        pending_.erase(0, static_cast<std::size_t>(r));
    }
    std::string().swap(pending_);
    return Status::ok;
}

// Seals up to kRecordsPerWrite records and offers them to the socket; what it
// does not take stays in pending_, and only the plaintext of records wholly
// sent is reported written (as OpenSSL does), so the caller's next call
// starts with the bytes pending_ stands for.
TlsChannel::Status TlsChannel::write_records(const char* data, std::size_t size, std::size_t& n) {
    n = 0;
    if (!pending_.empty()) {
        if (const Status s = send_pending(); s != Status::ok) return s;
        n = std::exchange(pending_plain_, 0);
        if (n > 0) return Status::ok;
    }
    thread_local std::string sealed;
    sealed.clear();
    std::array<std::pair<std::size_t, std::size_t>, kRecordsPerWrite>
        ends{};  // (sealed, plaintext)
    std::size_t records = 0;
    std::size_t taken = 0;
    while (taken < size && records < kRecordsPerWrite) {
        const std::size_t t = records_->seal(data + taken, size - taken, sealed);
        if (t == 0) {
            error_ = "TLS record sealing failed";
            return Status::failed;
        }
        taken += t;
        ends[records++] = {sealed.size(), taken};
    }
    ssize_t r = ::send(fd_, sealed.data(), sealed.size(), MSG_NOSIGNAL);
    if (r < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            error_ = "socket error";
            return Status::failed;
        }
        r = 0;
    }
    const auto sent = static_cast<std::size_t>(r);
    if (sent == sealed.size()) {
        n = taken;
        return Status::ok;
    }
    for (std::size_t i = 0; i < records && ends[i].first <= sent; ++i) n = ends[i].second;
    pending_.assign(sealed, sent);
    pending_plain_ = taken - n;
    return n > 0 ? Status::ok : Status::want_write;
}

}  // namespace switchboard::shared::net
