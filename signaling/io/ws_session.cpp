// One WebSocket connection: read loop into the hub, bounded write queue out
// of it, heartbeats, deadlines. One strand per connection; the queue is the
// only state touched from other threads (under its own mutex).
#include <deque>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "shared/log.hpp"
#include "signaling/io/context.hpp"

namespace switchboard::signaling::io {
namespace {

namespace websocket = beast::websocket;
using namespace std::chrono_literals;

// How long a closing handshake, or a write to a peer that stopped reading,
// may take before the socket is simply dropped.
constexpr auto kCloseDeadline = 5s;
constexpr auto kHandshakeDeadline = 10s;

template <class Stream>
class WsSession final : public WsConnection, public std::enable_shared_from_this<WsSession<Stream>> {
public:
    WsSession(Context& ctx, Stream&& stream)
        : ctx_(ctx),
          ws_(std::move(stream)),
          id_(ctx.next_connection_id++),
          queue_limit_(ctx.config.signaling.send_queue_limit),
          queue_bytes_limit_(ctx.config.signaling.send_queue_bytes) {}

    ~WsSession() override { --ctx_.ws_sessions; }

    void run(Request request, std::string subprotocol) {
        beast::get_lowest_layer(ws_).expires_never();  // the websocket stream's own timeouts take over
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = kHandshakeDeadline;
        timeouts.idle_timeout = websocket::stream_base::none();  // heartbeats are ours (PROTOCOL.md "ping")
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator([sub = std::move(subprotocol)](websocket::response_type& res) {
            res.set(http::field::server, "switchboard");
            if (!sub.empty()) res.set(http::field::sec_websocket_protocol, sub);
        }));
        ws_.read_message_max(ctx_.config.signaling.max_message_bytes);
        ws_.control_callback([this](websocket::frame_type, beast::string_view) {
            std::lock_guard lock(ctx_.hub_mutex);
            ctx_.hub.on_activity(id_);
        });
        ws_.async_accept(request, beast::bind_front_handler(&WsSession::on_accept, this->shared_from_this()));
    }

    bool enqueue(std::string_view text) override {
        std::lock_guard lock(mutex_);
        if (close_) return true;  // closing: later frames are moot, not an overflow
        if (queue_.size() >= queue_limit_ || queued_bytes_ + text.size() > queue_bytes_limit_) {
            overflowed_ = true;
            return false;
        }
        queue_.emplace_back(text);
        queued_bytes_ += text.size();
        schedule_flush_locked();
        return true;
    }

    void enqueue_close(std::uint16_t code, std::string reason) override {
        std::lock_guard lock(mutex_);
        if (close_) return;
        if (overflowed_) {
            queue_.clear();
            queued_bytes_ = 0;
        }
        close_.emplace(code, std::move(reason));
        schedule_flush_locked();
    }

    void enqueue_ping() override {
        std::lock_guard lock(mutex_);
        ping_due_ = true;
        schedule_flush_locked();
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) {
            SB_LOG(debug, "ws", "upgrade failed: " + ec.message());
            return;
        }
        {
            std::lock_guard lock(ctx_.hub_mutex);
            ctx_.registry.add(id_, this->shared_from_this());
            ctx_.hub.on_open(id_);
        }
        registered_ = true;
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return finish(ec);
        if (!ws_.got_text()) {
            buffer_.consume(buffer_.size());
            enqueue_close(close_code::unsupported_data, "binary frames are not supported");
            return do_read();  // wait for the peer's close reply
        }
        const auto data = buffer_.cdata();
        {
            std::lock_guard lock(ctx_.hub_mutex);
            ctx_.hub.on_text(id_, std::string_view(static_cast<const char*>(data.data()), data.size()));
        }
        buffer_.consume(buffer_.size());
        do_read();
    }

    void finish(beast::error_code ec) {
        done_ = true;
        if (!registered_) return;
        Disconnect how = Disconnect::dropped;
        if (ec == websocket::error::closed && ws_.reason().code == websocket::close_code::normal) {
            how = Disconnect::normal;
        }
        SB_LOG(debug, "ws", "connection " + std::to_string(id_) + " closed: " + ec.message() +
                                " (close code " + std::to_string(ws_.reason().code) + ")");
        std::lock_guard lock(ctx_.hub_mutex);
        ctx_.hub.on_close(id_, how);  // a no-op if the hub closed it first
        ctx_.registry.remove(id_);
    }

    // --- writes: one at a time, on the strand ---
    void schedule_flush_locked() {
        if (flush_scheduled_) return;
        flush_scheduled_ = true;
        asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->flush(); });
    }

    void flush() {
        {
            std::lock_guard lock(mutex_);
            flush_scheduled_ = false;
        }
        if (!writing_) write_next();
    }

    void write_next() {
        if (closing_ || done_) return;
        std::optional<std::pair<std::uint16_t, std::string>> close;
        bool have_message = false;
        bool ping = false;
        {
            std::lock_guard lock(mutex_);
            if (!queue_.empty()) {
                current_ = std::move(queue_.front());
                queue_.pop_front();
                queued_bytes_ -= current_.size();
                have_message = true;
            } else if (close_) {
                close = close_;
            } else if (ping_due_) {
                ping_due_ = false;
                ping = true;
            }
        }
        if (have_message) {
            writing_ = true;
            ws_.text(true);
            ws_.async_write(asio::buffer(current_),
                            beast::bind_front_handler(&WsSession::on_write, this->shared_from_this()));
        } else if (close) {
            closing_ = true;
            writing_ = true;
            // A peer that stopped reading would hold the close forever.
            beast::get_lowest_layer(ws_).expires_after(kCloseDeadline);
            websocket::close_reason reason;
            reason.code = close->first;
            reason.reason = close->second;
            ws_.async_close(reason, beast::bind_front_handler(&WsSession::on_control_write,
                                                              this->shared_from_this()));
        } else if (ping) {
            writing_ = true;
            ws_.async_ping({}, beast::bind_front_handler(&WsSession::on_control_write,
                                                         this->shared_from_this()));
        }
    }

    void on_control_write(beast::error_code ec) { on_write(ec, 0); }

    void on_write(beast::error_code ec, std::size_t) {
        writing_ = false;
        if (ec) {
            // The read side reports the disconnect; make sure it wakes up.
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
            return;
        }
        write_next();
    }

    Context& ctx_;
    websocket::stream<Stream> ws_;
    const ConnectionId id_;
    const std::size_t queue_limit_;
    const std::size_t queue_bytes_limit_;
    beast::flat_buffer buffer_;

    // Guarded by mutex_: filled from any thread (the hub's caller).
    std::mutex mutex_;
    std::deque<std::string> queue_;
    std::size_t queued_bytes_ = 0;
    std::optional<std::pair<std::uint16_t, std::string>> close_;
    bool flush_scheduled_ = false;
    bool ping_due_ = false;
    bool overflowed_ = false;  // a frame did not fit: a close discards the backlog

    // Strand only.
    std::string current_;
    bool writing_ = false;
    bool closing_ = false;
    bool done_ = false;
    bool registered_ = false;
};

}  // namespace

template <class Stream>
void start_websocket(Context& ctx, Stream stream, Request request, std::string subprotocol) {
    std::make_shared<WsSession<Stream>>(ctx, std::move(stream))->run(std::move(request), std::move(subprotocol));
}

template void start_websocket<PlainStream>(Context&, PlainStream, Request, std::string);
template void start_websocket<TlsStream>(Context&, TlsStream, Request, std::string);

bool ConnectionRegistry::send(ConnectionId id, std::string_view text) {
    auto it = map_.find(id);
    if (it == map_.end()) return true;  // already gone; nothing to overflow
    return it->second->enqueue(text);
}

void ConnectionRegistry::ping(ConnectionId id) {
    if (auto it = map_.find(id); it != map_.end()) it->second->enqueue_ping();
}

void ConnectionRegistry::close(ConnectionId id, std::uint16_t code, std::string_view reason) {
    auto it = map_.find(id);
    if (it == map_.end()) return;
    it->second->enqueue_close(code, std::string(reason));
}

}  // namespace switchboard::signaling::io
