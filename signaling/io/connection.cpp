#include "signaling/io/connection.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>

#include "shared/log.hpp"
#include "signaling/io/http.hpp"

namespace switchboard::signaling::io {
namespace {

namespace http = boost::beast::http;
namespace ws = protocol::ws;
using namespace std::chrono_literals;

constexpr auto kTlsHandshakeDeadline = 10s;
constexpr auto kRequestDeadline = 30s;  // reading one request, and keep-alive idle
constexpr auto kCloseDeadline = 5s;     // the closing handshake
constexpr auto kLingerDeadline = 2s;    // the peer's EOF after ours
constexpr std::size_t kMaxHeader = 8 * 1024;
constexpr std::size_t kMaxBody = 8 * 1024;
// Reads per wake-up before the other connections get a turn (each fills at
// most the loop's buffer).
constexpr int kReadsPerTurn = 4;

std::string_view reason_for(std::uint16_t code) {
    switch (code) {
        case ws::close::too_big: return "message too big";
        case ws::close::invalid_payload: return "invalid UTF-8";
        case close_code::unsupported_data: return "binary frames are not supported";
        default: return "protocol error";
    }
}

}  // namespace

Connection::Connection(std::shared_ptr<Loop> loop, tcp::socket socket, std::string peer_ip,
                       bool metrics_only)
    : loop_(std::move(loop)),
      socket_(std::move(socket)),
      peer_ip_(std::move(peer_ip)),
      metrics_only_(metrics_only),
      phase_(Phase::http),
      deadline_(TimePoint::max()) {
    loop_->add(this);
    loop_->counters.open.inc();
}

Connection::~Connection() {
    loop_->remove(this);
    loop_->release(peer_ip_);
    loop_->counters.open.dec();
}

void Connection::start() {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    const auto& tls = loop_->tls();
    if (tls && !metrics_only_) {
        tls_ = shared::net::TlsChannel::accept(tls->native_handle(), socket_.native_handle());
        if (!tls_) return finish(Disconnect::dropped);
        phase_ = Phase::tls_handshake;
        deadline_ = loop_->clock.now() + kTlsHandshakeDeadline;
        return handshake();
    }
    deadline_ = loop_->clock.now() + kRequestDeadline;
    wait_readable();
}

// ---------------------------------------------------------------- the socket

Connection::Io Connection::io_of(shared::net::TlsChannel::Status status) {
    using Status = shared::net::TlsChannel::Status;
    switch (status) {
        case Status::ok: return Io::ok;
        case Status::want_read: return Io::want_read;
        case Status::want_write: return Io::want_write;
        case Status::closed: return Io::closed;
        case Status::failed: break;
    }
    return Io::failed;
}

Connection::Io Connection::receive(char* data, std::size_t size, std::size_t& n) {
    if (tls_) return io_of(tls_->read(data, size, n));
    const ssize_t r = ::recv(socket_.native_handle(), data, size, 0);
    if (r > 0) {
        n = static_cast<std::size_t>(r);
        return Io::ok;
    }
    if (r == 0) return Io::closed;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Io::want_read;
    return Io::failed;
}

Connection::Io Connection::transmit(const char* data, std::size_t size, std::size_t& n) {
    if (tls_) return io_of(tls_->write(data, size, n));
    const ssize_t r = ::send(socket_.native_handle(), data, size, MSG_NOSIGNAL);
    if (r >= 0) {
        n = static_cast<std::size_t>(r);
        return Io::ok;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Io::want_write;
    return Io::failed;
}

// The reactor's waits are edge-triggered: a wait is armed only once the
// socket said EAGAIN (or TLS wants it), never with unread bytes behind it.
void Connection::wait_readable() {
    if (waiting_readable_ || phase_ == Phase::done) return;
    waiting_readable_ = true;
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](boost::system::error_code ec) {
                           self->waiting_readable_ = false;
                           if (!ec) self->on_readable();
                       });
}

void Connection::wait_writable() {
    if (waiting_writable_ || phase_ == Phase::done) return;
    waiting_writable_ = true;
    socket_.async_wait(tcp::socket::wait_write,
                       [self = shared_from_this()](boost::system::error_code ec) {
                           self->waiting_writable_ = false;
                           if (!ec) self->on_writable();
                       });
}

void Connection::on_writable() {
    if (phase_ == Phase::tls_handshake) return handshake();
    if (read_wants_writable_) {
        read_wants_writable_ = false;
        on_readable();
    }
    flush();
}

void Connection::handshake() {
    using Status = shared::net::TlsChannel::Status;
    switch (tls_->handshake()) {
        case Status::ok:
            phase_ = Phase::http;
            deadline_ = loop_->clock.now() + kRequestDeadline;
            return on_readable();  // the first request may have come with the handshake's last
                                   // flight
        case Status::want_read: return wait_readable();
        case Status::want_write: return wait_writable();
        case Status::closed:
        case Status::failed:
            loop_->counters.tls_handshake_failures.inc();
            SB_LOG(debug, "http", std::string("TLS handshake failed: ") + tls_->last_error());
            return finish(Disconnect::dropped);
    }
}

void Connection::on_readable() {
    if (phase_ == Phase::done) return;
    if (phase_ == Phase::tls_handshake) return handshake();
    const auto buffer = loop_->read_buffer();
    for (int i = 0; i < kReadsPerTurn; ++i) {
        std::size_t n = 0;
        const Io io = receive(buffer.data(), buffer.size(), n);
        if (io == Io::want_read) return wait_readable();
        if (io == Io::want_write) {
            read_wants_writable_ = true;
            return wait_writable();
        }
        if (io != Io::ok) return finish(Disconnect::dropped);  // EOF or an error: the peer is gone
        const auto bytes = buffer.first(n);
        if (phase_ == Phase::http) {
            on_http_bytes(bytes);
        } else if (phase_ != Phase::linger && reader_ && !reader_failed_) {
            if (const auto code = reader_->consume(bytes, *this); code != 0) on_reader_failed(code);
        }  // lingering: the peer's last bytes are dropped
        if (phase_ == Phase::done) return;
        // A short plain read drained the socket (TLS reads a record at a time).
        if (!tls_ && n < buffer.size()) return wait_readable();
    }
    // This turn's budget is spent: let the others run, then read on.
    waiting_readable_ = true;
    asio::post(loop_->ioc, [self = shared_from_this()] {
        self->waiting_readable_ = false;
        self->on_readable();
    });
}

void Connection::queue_raw(std::string_view bytes) {
    out_.append(bytes);
    if (!flush_scheduled_ && !waiting_writable_) {
        flush_scheduled_ = true;
        loop_->schedule_flush(shared_from_this());
    }
}

void Connection::flush() {
    flush_scheduled_ = false;
    if (phase_ == Phase::done || waiting_writable_) return;
    while (sent_ < out_.size() || refill_from_file()) {
        const std::size_t size = retry_size_ != 0 ? retry_size_ : out_.size() - sent_;
        std::size_t n = 0;
        const Io io = transmit(out_.data() + sent_, size, n);
        if (io == Io::ok) {
            sent_ += n;
            retry_size_ = 0;
            stuck_since_.reset();
            continue;
        }
        if (io == Io::want_write || io == Io::want_read) {
            if (tls_) retry_size_ = size;  // OpenSSL wants the same bytes again
            if (!stuck_since_) stuck_since_ = loop_->clock.now();
            return io == Io::want_write ? wait_writable() : wait_readable();
        }
        return finish(Disconnect::dropped);
    }
    if (phase_ == Phase::done) return;  // a file that could not be read to its end
    // All of it is on the wire: give the buffer back.
    std::string().swap(out_);
    sent_ = 0;
    frames_begin_ = 0;
    queued_frames_ = 0;
    stuck_since_.reset();
    if (close_after_write_ || (phase_ == Phase::closing && (close_received_ || reader_failed_))) {
        linger();
    } else if (phase_ == Phase::http && !http_in_.empty()) {
        on_http_bytes({});  // requests that waited behind a file
    }
}

// The next chunk of the static file being sent, into the emptied write
// buffer; false when there is none (or the file could not be read to the
// length announced: the response cannot be completed, the socket is dropped).
bool Connection::refill_from_file() {
    if (!file_ || phase_ == Phase::done) return false;
    constexpr std::uint64_t kChunk = 64 * 1024;
    const auto chunk = static_cast<std::size_t>(std::min(kChunk, file_left_));
    out_.resize(chunk);
    sent_ = 0;
    const ssize_t n = ::read(file_->fd(), out_.data(), chunk);
    if (n <= 0) {
        out_.clear();
        file_.reset();
        finish(Disconnect::dropped);
        return false;
    }
    out_.resize(static_cast<std::size_t>(n));
    file_left_ -= static_cast<std::uint64_t>(n);
    if (file_left_ == 0) {
        file_.reset();
        deadline_ = loop_->clock.now() + kRequestDeadline;
    }
    return true;
}

void Connection::linger() {
    if (phase_ == Phase::linger || phase_ == Phase::done) return;
    phase_ = Phase::linger;
    deadline_ = loop_->clock.now() + kLingerDeadline;
    if (tls_) tls_->shutdown();
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    reader_.reset();
    http_in_.clear();
    if (!waiting_readable_) {  // read on to the peer's EOF
        waiting_readable_ = true;
        asio::post(loop_->ioc, [self = shared_from_this()] {
            self->waiting_readable_ = false;
            self->on_readable();
        });
    }
}

void Connection::on_reader_failed(std::uint16_t code) {
    reader_failed_ = true;
    if (phase_ == Phase::websocket) return fail_websocket(code, reason_for(code));
    // Closing already: nothing more can be read from it; leave once our close is out.
    if (phase_ == Phase::closing && sent_ == out_.size()) linger();
}

void Connection::check_deadline(TimePoint now) {
    if (phase_ == Phase::done) return;
    if (stuck_since_ && now - *stuck_since_ >= loop_->config.signaling.write_timeout) {
        loop_->counters.write_timeouts.inc();
        SB_LOG(debug, "signaling",
               "connection " + std::to_string(id_) + ": write stuck for write_timeout, dropped");
        return finish(Disconnect::dropped);
    }
    if (now < deadline_) return;
    if (phase_ == Phase::tls_handshake) loop_->counters.tls_handshake_failures.inc();
    finish(Disconnect::dropped);
}

void Connection::finish(Disconnect how) {
    if (phase_ == Phase::done) return;
    const bool was_websocket = id_ != 0;
    phase_ = Phase::done;
    boost::system::error_code ignored;
    socket_.close(ignored);  // pending waits end with operation_aborted
    std::string().swap(out_);
    std::string().swap(http_in_);
    parser_.reset();
    reader_.reset();
    if (was_websocket) {
        loop_->unregister_ws(id_);
        if (!hub_told_) {
            hub_told_ = true;
            loop_->hub.on_close(id_, how);
        }
    }
}

// ---------------------------------------------------------------- HTTP

void Connection::on_http_bytes(std::span<const char> bytes) {
    http_in_.append(bytes.data(), bytes.size());
    // A file on its way holds the requests behind it, within the bound a
    // request itself has.
    if (file_ && http_in_.size() > kMaxHeader + kMaxBody) return finish(Disconnect::dropped);
    while (phase_ == Phase::http && !close_after_write_ && !file_ && !http_in_.empty()) {
        if (!parser_) {
            parser_ = std::make_unique<http::request_parser<http::string_body>>();
            parser_->header_limit(kMaxHeader);
            parser_->body_limit(kMaxBody);
            parser_->eager(true);
        }
        boost::system::error_code ec;
        const std::size_t used = parser_->put(asio::buffer(http_in_), ec);
        http_in_.erase(0, used);
        if (ec == http::error::need_more) {
            if (used == 0) break;
            continue;
        }
        if (ec) return finish(Disconnect::dropped);  // malformed or too large: drop the socket
        if (!parser_->is_done()) continue;
        Request request = parser_->release();
        parser_.reset();
        handle_request(request);
    }
    if (http_in_.empty()) std::string().swap(http_in_);
    if (phase_ == Phase::websocket && !http_in_.empty()) {
        // Frames the client sent right behind its upgrade request.
        std::string rest;
        rest.swap(http_in_);
        if (const auto code = reader_->consume(rest, *this); code != 0) on_reader_failed(code);
    }
}

void Connection::handle_request(Request& request) {
    loop_->counters.requests.inc();
    if (!metrics_only_ && is_upgrade(request) && request.target().starts_with("/ws") &&
        (request.target().size() == 3 || request.target()[3] == '?')) {
        return upgrade(request);
    }
    Response response = route(*loop_, request, metrics_only_, peer_ip_);
    const bool head = request.method() == http::verb::head;
    queue_raw(serialize(response, head));
    if (response.file && !head && response.file->size() > 0) {
        file_left_ = response.file->size();
        file_ = std::move(response.file);
    }
    if (!response.keep_alive) close_after_write_ = true;
    // While a file goes out, write_timeout is its deadline; then the next request's.
    deadline_ = file_ ? TimePoint::max() : loop_->clock.now() + kRequestDeadline;
}

void Connection::upgrade(Request& request) {
    std::string subprotocol;
    if (auto refused = check_upgrade(*loop_, request, subprotocol)) {
        queue_raw(serialize(*refused, false));
        close_after_write_ = true;
        return;
    }
    const auto key = request[http::field::sec_websocket_key];
    queue_raw(switching_protocols(std::string_view(key.data(), key.size()), subprotocol));
    frames_begin_ = out_.size();
    phase_ = Phase::websocket;
    deadline_ = TimePoint::max();  // heartbeats are the hub's (PROTOCOL.md "ping")
    reader_.emplace(loop_->config.signaling.max_message_bytes);
    id_ = loop_->next_id++;
    loop_->register_ws(id_, this);
    hub_told_ = false;
    loop_->hub.on_open(id_);
}

// ---------------------------------------------------------------- WebSocket

bool Connection::queue_text(std::string_view text) {
    if (phase_ != Phase::websocket)
        return true;  // closing or gone: later frames are moot, not an overflow
    const auto& sig = loop_->config.signaling;
    if (queued_frames_ >= sig.send_queue_limit ||
        out_.size() - sent_ + ws::frame_size(text.size()) > sig.send_queue_bytes) {
        overflowed_ = true;
        return false;
    }
    ws::append_frame(out_, ws::Opcode::text, text);
    ++queued_frames_;
    queue_raw({});
    return true;
}

void Connection::queue_ping() {
    if (phase_ != Phase::websocket) return;
    ws::append_frame(out_, ws::Opcode::ping, {});
    queue_raw({});
}

void Connection::close_websocket(std::uint16_t code, std::string_view reason) {
    if (phase_ != Phase::websocket) return;
    hub_told_ = true;  // the hub closed it: it has forgotten this id already
    if (overflowed_) {
        // A slow consumer is not owed its backlog: keep what is on its way
        // (the frame being written, and all a TLS retry must send again), up
        // to a frame boundary, and drop the rest.
        const std::size_t keep = sent_ + retry_size_;
        std::size_t end = frames_begin_;
        while (end < keep) end += ws::written_frame_size(std::string_view(out_).substr(end));
        out_.resize(end);
        queued_frames_ = 0;
    }
    ws::append_close(out_, code, reason);
    begin_closing();
}

void Connection::fail_websocket(std::uint16_t code, std::string_view reason) {
    if (phase_ != Phase::websocket) return;
    SB_LOG(debug, "ws",
           "connection " + std::to_string(id_) + ": closing with " + std::to_string(code) + " (" +
               std::string(reason) + ")");
    ws::append_close(out_, code, reason);
    begin_closing();
    hub_told_ = true;
    loop_->hub.on_close(id_, Disconnect::failed);
}

void Connection::begin_closing() {
    phase_ = Phase::closing;
    close_sent_ = true;
    deadline_ = loop_->clock.now() + kCloseDeadline;
    queue_raw({});
}

bool Connection::on_event(const ws::Event& event) {
    using Kind = ws::Event::Kind;
    if (event.kind == Kind::close) {
        close_received_ = true;
        if (phase_ == Phase::websocket) {
            // Section 5.5.1: answer with a close frame, echoing the code.
            if (event.code == ws::close::no_status) {
                ws::append_frame(out_, ws::Opcode::close, {});
            } else {
                ws::append_close(out_, event.code, {});
            }
            begin_closing();
            hub_told_ = true;
            loop_->hub.on_close(
                id_, event.code == ws::close::normal ? Disconnect::normal : Disconnect::dropped);
        } else if (phase_ == Phase::closing && sent_ == out_.size()) {
            linger();  // the closing handshake is complete
        }
        return false;
    }
    if (phase_ != Phase::websocket) return true;  // closing: data is moot
    switch (event.kind) {
        case Kind::text: loop_->hub.on_text(id_, event.payload); break;
        case Kind::binary:
            fail_websocket(close_code::unsupported_data, reason_for(close_code::unsupported_data));
            break;
        case Kind::ping:
            ws::append_frame(out_, ws::Opcode::pong, event.payload);
            queue_raw({});
            loop_->hub.on_activity(id_);
            break;
        case Kind::pong: loop_->hub.on_activity(id_); break;
        case Kind::close: break;
    }
    return true;
}

}  // namespace switchboard::signaling::io
