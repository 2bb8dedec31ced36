#pragma once
// One accepted socket on the signaling loop, through its phases:
//
//   [tls handshake] -> http (requests, keep-alive) -> websocket -> closing
//        -> linger -> done
//
// Linger is how it ends once its last bytes are written (a response with
// Connection: close, a closing handshake done or failed): TLS close_notify,
// shutdown(SHUT_WR), then reading and dropping until the peer's EOF, so that
// the kernel sends a FIN after our last frame and not a reset that would
// lose it (what Beast's teardown does too).
//
// It reads when the socket is readable, into the loop's shared buffer
// (Loop::read_buffer), until the socket is drained or a per-turn budget is
// spent; what a read leaves incomplete (half an HTTP header, a frame cut in
// two) is all it keeps between reads. It writes from one buffer of framed
// bytes that everything queued for it in a turn of the loop is appended to,
// and which is freed once it is on the wire. TLS is OpenSSL driven directly
// (shared/net/tls_channel.hpp), with its buffers released while idle.
//
// Lifetime: shared_ptr; every pending wait holds one, so the object lives
// while the socket has work (the Beast examples' pattern). The loop keeps
// plain pointers, which a connection removes in its destructor, and each
// connection keeps the loop.
//
// Thread context: the signaling loop's thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "shared/net/tls_channel.hpp"
#include "signaling/io/loop.hpp"
#include "signaling/protocol/websocket.hpp"
#include "signaling/static_files.hpp"

namespace switchboard::signaling::io {

using tcp = asio::ip::tcp;
using Request = boost::beast::http::request<boost::beast::http::string_body>;

class Connection final : public std::enable_shared_from_this<Connection>,
                         private protocol::ws::EventHandler {
public:
    // `metrics_only`: the metrics listener (plain HTTP, /metrics and /healthz).
    Connection(std::shared_ptr<Loop> loop, tcp::socket socket, std::string peer_ip,
               bool metrics_only);
    ~Connection() override;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();

    // The Outbox side (Loop::send and friends).
    // False when the queue is past signaling.send_queue_limit or _bytes.
    bool queue_text(std::string_view text);
    void queue_ping();
    // The hub closed it: a close frame after what is queued (what a slow
    // consumer had queued is dropped first), then the closing handshake.
    void close_websocket(std::uint16_t code, std::string_view reason);

    // Loop::schedule_flush's work: write what is queued, as far as the socket takes it.
    void flush();
    // Loop::check_deadlines: closes the socket past the phase's deadline, or
    // when a write has made no progress for signaling.write_timeout.
    void check_deadline(shared::Clock::Steady::time_point now);
    // Drain: a connection that is not a WebSocket goes (once its response is out).
    void drain();

private:
    enum class Phase { tls_handshake, http, websocket, closing, linger, done };
    enum class Io { ok, want_read, want_write, closed, failed };
    using TimePoint = shared::Clock::Steady::time_point;

    // --- the socket ---
    static Io io_of(shared::net::TlsChannel::Status status);
    Io receive(char* data, std::size_t size, std::size_t& n);
    Io transmit(const char* data, std::size_t size, std::size_t& n);
    void wait_readable();
    void wait_writable();
    void on_readable();
    void on_writable();
    bool refill_from_file();
    void handshake();
    void queue_raw(std::string_view bytes);
    // The connection is over: socket closed, the hub told (once), tables left.
    void finish(Disconnect how);

    // --- HTTP ---
    void on_http_bytes(std::span<const char> bytes);
    void handle_request(Request& request);
    void upgrade(Request& request);

    // --- WebSocket ---
    bool on_event(const protocol::ws::Event& event) override;
    // A close frame from us for a protocol reason; the hub hears `how`.
    void fail_websocket(std::uint16_t code, std::string_view reason);
    void begin_closing();
    // Our last bytes are out: half-close and wait for the peer's EOF.
    void linger();
    void on_reader_failed(std::uint16_t code);

    const std::shared_ptr<Loop> loop_;  // shared: it must outlive the last connection
    tcp::socket socket_;
    std::unique_ptr<shared::net::TlsChannel> tls_;
    const std::string peer_ip_;
    const bool metrics_only_;
    Phase phase_;
    ConnectionId id_ = 0;  // set on upgrade (the hub's id)
    TimePoint deadline_;   // of the current phase; max() = none

    // HTTP phase.
    std::unique_ptr<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::string http_in_;  // bytes not yet consumed by the parser
    bool close_after_write_ = false;

    // WebSocket phase.
    std::optional<protocol::ws::Reader> reader_;
    bool hub_told_ = true;  // until the hub knows the connection, there is nothing to tell
    bool close_sent_ = false;
    bool close_received_ = false;
    bool reader_failed_ = false;  // no close frame can be read any more

    // Writes: `out_` holds framed bytes; `sent_` of them are on the wire.
    std::string out_;
    std::size_t sent_ = 0;
    std::size_t frames_begin_ = 0;   // where WebSocket frames start in out_ (after a 101)
    std::size_t queued_frames_ = 0;  // since the buffer was last empty
    std::size_t retry_size_ = 0;     // a TLS write that wanted the socket is retried with this much
    bool overflowed_ = false;        // a frame did not fit: the close drops the backlog
    bool flush_scheduled_ = false;
    bool waiting_writable_ = false;
    bool waiting_readable_ = false;
    bool read_wants_writable_ = false;      // a TLS read that needs the socket writable
    std::optional<TimePoint> stuck_since_;  // a write waiting for the socket, since
    // A static file being sent, a chunk at a time once out_ is on the wire;
    // requests behind it wait.
    std::optional<StaticFile> file_;
    std::uint64_t file_left_ = 0;
};

}  // namespace switchboard::signaling::io
