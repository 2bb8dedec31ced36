// StunSocket and UdpPeer (turn_support.hpp): plain POSIX sockets and
// OpenSSL, every wait bounded with poll().
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tests/integration/turn_support.hpp"
#include "turn/stun/framing.hpp"

namespace sbtest::turnit {

using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

int remaining_ms(Steady::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

namespace {

socklen_t to_sockaddr(const stun::Address& a, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    if (a.family == stun::Address::Family::v4) {
        auto* in = reinterpret_cast<sockaddr_in*>(&ss);
        in->sin_family = AF_INET;
        in->sin_port = htons(a.port);
        const auto ip = a.ipv4();
        std::memcpy(&in->sin_addr, ip.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a.port);
    std::memcpy(&in6->sin6_addr, a.bytes.data(), 16);
    return sizeof(sockaddr_in6);
}

stun::Address from_sockaddr(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
        std::array<std::uint8_t, 4> ip{};
        std::memcpy(ip.data(), &in->sin_addr, 4);
        return stun::Address::from_ipv4(ip, ntohs(in->sin_port));
    }
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    std::array<std::uint8_t, 16> ip{};
    std::memcpy(ip.data(), &in6->sin6_addr, 16);
    return stun::Address::from_ipv6(ip, ntohs(in6->sin6_port));
}

}  // namespace

// ---- StunSocket --------------------------------------------------------------

struct StunSocket::Tls {
    SSL_CTX* ctx = nullptr;
    SSL* ssl = nullptr;
    ~Tls() {
        if (ssl) SSL_free(ssl);
        if (ctx) SSL_CTX_free(ctx);
    }
};

std::string StunSocket::peer_subject() const {
    if (!tls_ || !tls_->ssl) return {};
    X509* cert = SSL_get1_peer_certificate(tls_->ssl);
    if (cert == nullptr) return {};
    char name[256];
    X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof name);
    X509_free(cert);
    return name;
}

StunSocket::~StunSocket() {
    tls_.reset();
    if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<StunSocket> StunSocket::connect(Proto proto, const std::string& ip,
                                                std::uint16_t port, std::string* error,
                                                std::chrono::milliseconds timeout,
                                                int receive_buffer) {
    auto fail = [&](const std::string& what) -> std::unique_ptr<StunSocket> {
        if (error)
            *error = what + (errno ? std::string(": ") + std::strerror(errno) : std::string());
        return nullptr;
    };
    const auto target = stun::Address::from_ip(ip, port);
    if (!target) return fail("not an IP: " + ip);
    std::unique_ptr<StunSocket> s(new StunSocket());
    s->proto_ = proto;
    const int family = target->family == stun::Address::Family::v4 ? AF_INET : AF_INET6;
    s->fd_ = ::socket(
        family, (proto == Proto::udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->fd_ < 0) return fail("socket");
    if (proto != Proto::udp) {
        const int on = 1;
        ::setsockopt(s->fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
    if (receive_buffer > 0)
        ::setsockopt(s->fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_storage ss;
    const socklen_t len = to_sockaddr(*target, ss);
    errno = 0;
    if (::connect(s->fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        if (errno != EINPROGRESS) return fail("connect to " + target->to_string());
        pollfd p{s->fd_, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return fail("connect timeout");
        int err = 0;
        socklen_t elen = sizeof err;
        ::getsockopt(s->fd_, SOL_SOCKET, SO_ERROR, &err, &elen);
        if (err != 0) {
            errno = err;
            return fail("connect to " + target->to_string());
        }
    }
    errno = 0;
    if (proto == Proto::tls) {
        s->tls_ = std::make_unique<Tls>();
        s->tls_->ctx = SSL_CTX_new(TLS_client_method());
        if (!s->tls_->ctx) return fail("SSL_CTX_new");
        SSL_CTX_set_verify(s->tls_->ctx, SSL_VERIFY_NONE, nullptr);
        s->tls_->ssl = SSL_new(s->tls_->ctx);
        SSL_set_fd(s->tls_->ssl, s->fd_);
        SSL_set_tlsext_host_name(s->tls_->ssl, "localhost");
        const auto deadline = Steady::now() + timeout;
        while (true) {
            // SSL_get_error reads this thread's error queue: clear what an
            // earlier failure on another connection left there, or it is
            // taken for this connection's error.
            ERR_clear_error();
            const int r = SSL_connect(s->tls_->ssl);
            if (r == 1) break;
            const int e = SSL_get_error(s->tls_->ssl, r);
            short events = 0;
            if (e == SSL_ERROR_WANT_READ)
                events = POLLIN;
            else if (e == SSL_ERROR_WANT_WRITE)
                events = POLLOUT;
            else {
                char buf[256];
                ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
                return fail(std::string("TLS handshake failed: ") + buf);
            }
            pollfd p{s->fd_, events, 0};
            if (::poll(&p, 1, remaining_ms(deadline)) != 1) return fail("TLS handshake timeout");
        }
    }
    return s;
}

stun::Address StunSocket::local_address() const {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    return from_sockaddr(ss);
}

bool StunSocket::write_all(const std::uint8_t* data, std::size_t size) {
    const auto deadline = Steady::now() + 5s;
    std::size_t done = 0;
    while (done < size) {
        long n = 0;
        short want = POLLOUT;
        if (tls_) {
            ERR_clear_error();  // see connect()
            const int r = SSL_write(tls_->ssl, data + done, static_cast<int>(size - done));
            if (r > 0) {
                n = r;
            } else {
                const int e = SSL_get_error(tls_->ssl, r);
                if (e == SSL_ERROR_WANT_READ)
                    want = POLLIN;
                else if (e != SSL_ERROR_WANT_WRITE) {
                    error_ = "SSL_write failed";
                    return false;
                }
                n = -1;
                errno = EAGAIN;
            }
        } else {
            n = ::send(fd_, data + done, size - done, MSG_NOSIGNAL);
        }
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            error_ = std::string("send: ") + std::strerror(errno);
            return false;
        }
        pollfd p{fd_, want, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) != 1) {
            error_ = "send timeout";
            return false;
        }
    }
    return true;
}

bool StunSocket::send(std::span<const std::uint8_t> bytes) {
    if (proto_ == Proto::udp) {
        const auto n = ::send(fd_, bytes.data(), bytes.size(), 0);
        if (n != static_cast<long>(bytes.size())) {
            error_ = std::string("send: ") + std::strerror(errno);
            return false;
        }
        return true;
    }
    return write_all(bytes.data(), bytes.size());
}

bool StunSocket::send_bytewise(std::span<const std::uint8_t> bytes,
                               std::chrono::milliseconds pause) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (!write_all(bytes.data() + i, 1)) return false;
        std::this_thread::sleep_for(pause);
    }
    return true;
}

long StunSocket::read_some(std::uint8_t* data, std::size_t size,
                           std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    while (true) {
        short want = POLLIN;
        if (tls_) {
            ERR_clear_error();  // see connect()
            const int r = SSL_read(tls_->ssl, data, static_cast<int>(size));
            if (r > 0) return r;
            const int e = SSL_get_error(tls_->ssl, r);
            if (e == SSL_ERROR_ZERO_RETURN) return 0;
            if (e == SSL_ERROR_WANT_WRITE)
                want = POLLOUT;
            else if (e != SSL_ERROR_WANT_READ) {
                error_ = "SSL_read failed (connection closed or reset)";
                return e == SSL_ERROR_SYSCALL ? 0 : -1;
            }
        } else {
            const auto n = ::recv(fd_, data, size, 0);
            if (n > 0) return n;
            if (n == 0 && proto_ != Proto::udp) return 0;
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                error_ = std::string("recv: ") + std::strerror(errno);
                return errno == ECONNRESET ? 0 : -1;
            }
        }
        const int left = remaining_ms(deadline);
        if (left == 0) return -2;
        pollfd p{fd_, want, 0};
        const int r = ::poll(&p, 1, left);
        if (r == 0) return -2;
        if (r < 0 && errno != EINTR) return -1;
    }
}

std::optional<Bytes> StunSocket::receive(std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    if (proto_ == Proto::udp) {
        Bytes buf(65536 + 64);
        const long n = read_some(buf.data(), buf.size(), timeout);
        if (n <= 0) {
            if (n == -2) error_ = "timeout";
            return std::nullopt;
        }
        buf.resize(static_cast<std::size_t>(n));
        return buf;
    }
    while (true) {
        const auto next = stun::next_frame(stream_buffer_);
        if (const auto* frame = std::get_if<stun::Frame>(&next)) {
            Bytes out(stream_buffer_.begin(),
                      stream_buffer_.begin() + static_cast<long>(frame->size));
            stream_buffer_.erase(stream_buffer_.begin(),
                                 stream_buffer_.begin() + static_cast<long>(frame->size));
            return out;
        }
        if (std::holds_alternative<stun::ParseError>(next)) {
            error_ = "the server's stream is out of step";
            return std::nullopt;
        }
        std::uint8_t buf[16384];
        const long n =
            read_some(buf, sizeof buf, std::chrono::milliseconds(remaining_ms(deadline)));
        if (n == -2) {
            error_ = "timeout";
            return std::nullopt;
        }
        if (n <= 0) {
            if (n == 0) error_ = "connection closed by the server";
            return std::nullopt;
        }
        stream_buffer_.insert(stream_buffer_.end(), buf, buf + n);
    }
}

bool StunSocket::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    std::uint8_t buf[4096];
    while (true) {
        const int left = remaining_ms(deadline);
        if (left == 0) return false;
        const long n = read_some(buf, sizeof buf, std::chrono::milliseconds(left));
        if (n == 0) return true;
        if (n == -1) return true;  // reset
        if (n == -2) return false;
    }
}

// ---- UdpPeer -----------------------------------------------------------------

UdpPeer::UdpPeer() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) return;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

UdpPeer::~UdpPeer() {
    if (fd_ >= 0) ::close(fd_);
}

stun::Address UdpPeer::local_address() const {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    return from_sockaddr(ss);
}

bool UdpPeer::send_to(const stun::Address& to, std::span<const std::uint8_t> data) {
    sockaddr_storage ss;
    const socklen_t len = to_sockaddr(to, ss);
    return ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) ==
           static_cast<long>(data.size());
}

std::optional<std::pair<Bytes, stun::Address>> UdpPeer::receive(std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    while (true) {
        Bytes buf(65536);
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        const auto n =
            ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
        if (n >= 0) {
            buf.resize(static_cast<std::size_t>(n));
            return std::make_pair(std::move(buf), from_sockaddr(ss));
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNREFUSED)
            return std::nullopt;
        const int left = remaining_ms(deadline);
        if (left == 0) return std::nullopt;
        pollfd p{fd_, POLLIN, 0};
        ::poll(&p, 1, left);
    }
}

}  // namespace sbtest::turnit
