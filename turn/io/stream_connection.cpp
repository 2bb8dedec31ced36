// TURN over TCP and TLS (RFC 8656 section 3.1, RFC 6062 framing rules for the
// client side): a byte stream carrying STUN messages and ChannelData (padded
// to 4 bytes), split with stun::next_frame. Runs on the owning worker's thread.
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "shared/log.hpp"
#include "turn/io/sockaddr.hpp"
#include "turn/io/worker.hpp"
#include "turn/stun/framing.hpp"

namespace switchboard::turn::io {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using TlsSocket = asio::ssl::stream<tcp::socket>;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kHandshakeDeadline = 10s;
// A client that sends nothing for this long is gone (browsers refresh
// permissions every few minutes and send consent checks every few seconds).
constexpr auto kIdleDeadline = 300s;
// Per queued frame: its size (kept twice, pending and in flight) and its
// buffer descriptor. Counted with the bytes against turn.stream_queue_bytes.
constexpr std::size_t kFrameBookkeeping = 2 * sizeof(std::size_t) + sizeof(asio::const_buffer);
// What a drained queue keeps for the next burst; more is given back.
constexpr std::size_t kKeptQueueCapacity = 64 * 1024;
// The read buffer starts small and grows only when a frame needs it, so an
// idle or unauthenticated connection costs little.
constexpr std::size_t kInitialReadBuffer = 4096;
constexpr std::size_t kMaxReadBuffer = stun::kMaxStreamFrameSize + 4096;
// Until the first complete STUN/ChannelData frame, a connection gets this
// long (a browser sends its Allocate at once).
constexpr auto kFirstFrameDeadline = 10s;

stun::Address address_of(const tcp::endpoint& ep) {
    sockaddr_storage ss{};
    std::memcpy(&ss, ep.data(), ep.size());
    return *from_sockaddr(reinterpret_cast<const sockaddr*>(&ss));
}

tcp::socket& lowest(tcp::socket& s) {
    return s;
}
tcp::socket& lowest(TlsSocket& s) {
    return s.next_layer();
}

// Deadlines without a timer operation per read or write: one timer per
// connection, armed for the current phase (TLS handshake, first frame, then
// idle since the last read; and while a write is under way, the last
// progress it made) and re-armed only when it fires early.
//
// Bytes towards the client (relayed data, replies) are bounded by
// turn.stream_queue_bytes, counting the batch being written, the frames
// queued behind it, their bookkeeping and the capacity the two byte buffers
// hold: past it a frame is dropped (it is UDP payload: dropping is what the
// network would do). A write that makes no progress for
// turn.stream_write_timeout closes the connection.
template <class Stream>
class TurnStream final : public StreamConnection,
                         public std::enable_shared_from_this<TurnStream<Stream>> {
public:
    TurnStream(Worker& worker, Stream&& stream, Transport transport, std::function<void()> release,
               std::shared_ptr<asio::ssl::context> tls)
        : worker_(worker),
          stream_(std::move(stream)),
          deadline_(lowest(stream_).get_executor()),
          release_(std::move(release)),
          tls_(std::move(tls)),
          buffer_(kInitialReadBuffer) {
        auto& socket = lowest(stream_);
        boost::system::error_code ec1, ec2;
        tuple_.transport = transport;
        const auto remote = socket.remote_endpoint(ec1);
        const auto local = socket.local_endpoint(ec2);
        valid_ = !ec1 && !ec2;
        if (valid_) {
            tuple_.client = address_of(remote);
            tuple_.server = address_of(local);
        }
    }

    ~TurnStream() override {
        if (release_) release_();
    }

    void run() {
        if (!valid_) return;
        phase_deadline_ = Clock::now() + (kTls ? kHandshakeDeadline : kFirstFrameDeadline);
        arm_deadline(phase_deadline_);
        if constexpr (kTls) {
            stream_.async_handshake(
                asio::ssl::stream_base::server,
                [self = this->shared_from_this()](boost::system::error_code ec) {
                    if (ec) {
                        SB_LOG(debug, "turn", "TLS handshake failed: " + ec.message());
                        return self->finish();
                    }
                    if (self->closed_) return self->finish();
                    self->phase_deadline_ = Clock::now() + kFirstFrameDeadline;
                    self->open();
                });
        } else {
            open();
        }
    }

    // Frames are queued with their boundaries kept: each goes out as its own
    // buffer, so over TLS each is its own record. (Clients such as coturn's
    // turnutils_uclient read one TLS record as one TURN message.)
    void send(std::span<const std::uint8_t> bytes) override {
        if (closed_) return;
        if (!make_room(bytes.size())) {
            worker_.stream_limits().queue_drops.inc();
            return;
        }
        pending_.insert(pending_.end(), bytes.begin(), bytes.end());
        pending_sizes_.push_back(bytes.size());
        if (!writing_) write_pending();
    }

    void close() override {
        if (closed_) return;
        closed_ = true;
        deadline_.cancel();
        boost::system::error_code ignored;
        lowest(stream_).shutdown(tcp::socket::shutdown_both, ignored);
    }

private:
    static constexpr bool kTls = std::is_same_v<Stream, TlsSocket>;

    void open() {
        worker_.on_stream_open(tuple_, this->shared_from_this());
        registered_ = true;
        do_read();
    }

    // When the current phase ends: the handshake or first-frame deadline,
    // else kIdleDeadline after the last read; sooner if a write is stuck.
    Clock::time_point due() const {
        const auto phase = framed_ ? last_read_ + kIdleDeadline : phase_deadline_;
        return writing_ ? std::min(phase, last_progress_ + worker_.stream_limits().write_timeout)
                        : phase;
    }
    bool write_stuck(Clock::time_point now) const {
        return writing_ && now >= last_progress_ + worker_.stream_limits().write_timeout;
    }

    // What the queue holds: both byte buffers' capacity and the frames' bookkeeping.
    std::size_t held() const {
        return pending_.capacity() + in_flight_.capacity() +
               (pending_sizes_.size() + in_flight_sizes_.size()) * kFrameBookkeeping;
    }

    // Room for `n` more bytes and one frame within turn.stream_queue_bytes,
    // growing pending_ by hand so its capacity stays inside the bound too.
    bool make_room(std::size_t n) {
        const std::size_t limit = worker_.stream_limits().queue_bytes;
        const std::size_t need = pending_.size() + n;
        if (need <= pending_.capacity()) return held() + kFrameBookkeeping <= limit;
        const std::size_t others = held() - pending_.capacity() + kFrameBookkeeping;
        if (others + need > limit) return false;
        pending_.reserve(std::min(limit - others, std::max(need, 2 * pending_.capacity())));
        return true;
    }

    void arm_deadline(Clock::time_point at) {
        deadline_.expires_at(at);
        deadline_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
            if (ec || self->closed_) return;
            const auto now = Clock::now();
            const auto at = self->due();
            if (now < at) return self->arm_deadline(at);  // there was activity meanwhile
            const bool stuck = self->write_stuck(now);
            if (stuck) self->worker_.stream_limits().write_timeouts.inc();
            SB_LOG(debug, "turn",
                   "closing " + self->tuple_.client.to_string() +
                       (stuck           ? ": a write made no progress"
                        : self->framed_ ? ": idle"
                                        : ": no STUN or ChannelData in time"));
            self->finish();
        });
    }

    void do_read() {
        if (filled_ == buffer_.size()) {
            // A frame larger than what we hold is on its way (next_frame
            // bounds frames by kMaxStreamFrameSize, below kMaxReadBuffer).
            if (buffer_.size() >= kMaxReadBuffer) return finish();
            buffer_.resize(std::min(kMaxReadBuffer, buffer_.size() * 4));
        }
        stream_.async_read_some(
            asio::buffer(buffer_.data() + filled_, buffer_.size() - filled_),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                self->on_read(ec, n);
            });
    }

    void on_read(boost::system::error_code ec, std::size_t n) {
        if (ec || closed_) {
            if (ec && ec != asio::error::eof) {
                SB_LOG(debug, "turn",
                       "read from " + tuple_.client.to_string() + ": " + ec.message());
            }
            return finish();
        }
        last_read_ = Clock::now();
        filled_ += n;
        std::size_t consumed = 0;
        while (!closed_) {
            const auto view =
                std::span<const std::uint8_t>(buffer_.data() + consumed, filled_ - consumed);
            const auto next = stun::next_frame(view);
            if (std::holds_alternative<stun::NeedMoreBytes>(next)) break;
            if (std::holds_alternative<stun::ParseError>(next)) {
                SB_LOG(debug, "turn",
                       "closing " + tuple_.client.to_string() + ": not STUN or ChannelData");
                return finish();
            }
            const auto frame = std::get<stun::Frame>(next);  // complete: next_frame says so
            framed_ = true;
            worker_.on_stream_frame(tuple_, view.first(frame.size));
            consumed += frame.size;
        }
        if (closed_) return finish();
        std::memmove(buffer_.data(), buffer_.data() + consumed, filled_ - consumed);
        filled_ -= consumed;
        do_read();
    }

    void write_pending() {
        writing_ = true;
        last_progress_ = Clock::now();
        // The deadline may be far (idle): bring it forward to the write's.
        if (due() < deadline_.expiry()) arm_deadline(due());
        std::swap(pending_, in_flight_);
        std::swap(pending_sizes_, in_flight_sizes_);
        pending_.clear();
        pending_sizes_.clear();
        buffers_.clear();
        std::size_t offset = 0;
        for (const auto size : in_flight_sizes_) {
            buffers_.emplace_back(in_flight_.data() + offset, size);
            offset += size;
        }
        asio::async_write(
            stream_, buffers_,
            // Called after each partial write: progress resets the write deadline.
            [this, done = std::size_t{0}](const boost::system::error_code& ec,
                                          std::size_t n) mutable {
                if (n > done) {
                    done = n;
                    last_progress_ = Clock::now();
                }
                return asio::transfer_all()(ec, n);
            },
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                self->writing_ = false;
                self->in_flight_.clear();
                self->in_flight_sizes_.clear();
                if (self->in_flight_.capacity() > kKeptQueueCapacity) {
                    std::vector<std::uint8_t>().swap(self->in_flight_);
                    std::vector<std::size_t>().swap(self->in_flight_sizes_);
                    std::vector<asio::const_buffer>().swap(self->buffers_);
                }
                if (ec) {
                    SB_LOG(debug, "turn",
                           "write to " + self->tuple_.client.to_string() + ": " + ec.message());
                    return self->close();
                }
                if (!self->pending_.empty() && !self->closed_) self->write_pending();
            });
    }

    void finish() {
        close();
        if (registered_) {
            registered_ = false;
            worker_.on_stream_closed(tuple_);
        }
    }

    Worker& worker_;
    Stream stream_;
    asio::steady_timer deadline_;
    std::function<void()> release_;
    std::shared_ptr<asio::ssl::context>
        tls_;  // outlives the stream made from it (a SIGHUP may swap it)
    FiveTuple tuple_;
    bool valid_ = false;
    bool registered_ = false;
    bool closed_ = false;
    bool writing_ = false;
    std::vector<std::uint8_t> buffer_;
    std::size_t filled_ = 0;
    bool framed_ = false;  // a complete frame has arrived
    Clock::time_point phase_deadline_{};
    Clock::time_point last_read_{};
    Clock::time_point last_progress_{};  // of the write under way
    // Queued and in-flight bytes with their frame sizes; the vectors keep
    // their capacity, so steady relaying allocates nothing.
    std::vector<std::uint8_t> pending_;
    std::vector<std::size_t> pending_sizes_;
    std::vector<std::uint8_t> in_flight_;
    std::vector<std::size_t> in_flight_sizes_;
    std::vector<asio::const_buffer> buffers_;
};

}  // namespace

void Worker::adopt(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
                   std::function<void()> release) {
    asio::post(ioc_, [this, socket = std::move(socket), tls = std::move(tls),
                      release = std::move(release)]() mutable {
        if (tls) {
            TlsSocket stream(std::move(socket), *tls);
            std::make_shared<TurnStream<TlsSocket>>(*this, std::move(stream), Transport::tls,
                                                    std::move(release), std::move(tls))
                ->run();
        } else {
            std::make_shared<TurnStream<tcp::socket>>(*this, std::move(socket), Transport::tcp,
                                                      std::move(release), nullptr)
                ->run();
        }
    });
}

}  // namespace switchboard::turn::io
