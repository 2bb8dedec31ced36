// TURN over TCP and TLS (RFC 8656 section 3.1, RFC 6062 framing rules for the
// client side): a byte stream carrying STUN messages and ChannelData (padded
// to 4 bytes), split with stun::next_frame. Runs on the owning worker's thread.
#include <boost/asio/post.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "shared/log.hpp"
#include "turn/io/sockaddr.hpp"
#include "turn/io/worker.hpp"
#include "turn/stun/framing.hpp"

namespace switchboard::turn::io {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kHandshakeDeadline = 10s;
// A client that sends nothing for this long is gone (browsers refresh
// permissions every few minutes and send consent checks every few seconds).
constexpr auto kIdleDeadline = 300s;
// Bytes queued towards one client before further relayed data is dropped
// (it is UDP payload: dropping is what the network would do).
constexpr std::size_t kMaxPendingBytes = 4 * 1024 * 1024;
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

template <class Stream>
class TurnStream final : public StreamConnection, public std::enable_shared_from_this<TurnStream<Stream>> {
public:
    TurnStream(Worker& worker, Stream&& stream, Transport transport, std::function<void()> release)
        : worker_(worker), stream_(std::move(stream)), release_(std::move(release)), buffer_(kInitialReadBuffer) {
        auto& socket = beast::get_lowest_layer(stream_).socket();
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
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            beast::get_lowest_layer(stream_).expires_after(kHandshakeDeadline);
            stream_.async_handshake(asio::ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        if (ec) {
                                            SB_LOG(debug, "turn", "TLS handshake failed: " + ec.message());
                                            return;
                                        }
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
        if (pending_.size() + bytes.size() > kMaxPendingBytes) return;  // UDP payload: drop
        pending_.insert(pending_.end(), bytes.begin(), bytes.end());
        pending_sizes_.push_back(bytes.size());
        if (!writing_) write_pending();
    }

    void close() override {
        if (closed_) return;
        closed_ = true;
        boost::system::error_code ignored;
        beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

private:
    void open() {
        worker_.on_stream_open(tuple_, this->shared_from_this());
        registered_ = true;
        do_read();
    }

    void do_read() {
        beast::get_lowest_layer(stream_).expires_after(framed_ ? kIdleDeadline : kFirstFrameDeadline);
        if (filled_ == buffer_.size()) {
            // A frame larger than what we hold is on its way (next_frame
            // bounds frames by kMaxStreamFrameSize, below kMaxReadBuffer).
            if (buffer_.size() >= kMaxReadBuffer) return finish();
            buffer_.resize(std::min(kMaxReadBuffer, buffer_.size() * 4));
        }
        stream_.async_read_some(asio::buffer(buffer_.data() + filled_, buffer_.size() - filled_),
                                [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->on_read(ec, n);
                                });
    }

    void on_read(beast::error_code ec, std::size_t n) {
        if (ec) return finish();
        filled_ += n;
        std::size_t consumed = 0;
        while (!closed_) {
            const auto view = std::span<const std::uint8_t>(buffer_.data() + consumed, filled_ - consumed);
            const auto next = stun::next_frame(view);
            if (std::holds_alternative<stun::NeedMoreBytes>(next)) break;
            if (std::holds_alternative<stun::ParseError>(next)) {
                SB_LOG(debug, "turn", "closing " + tuple_.client.to_string() + ": not STUN or ChannelData");
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
        asio::async_write(stream_, buffers_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->writing_ = false;
                              self->in_flight_.clear();
                              self->in_flight_sizes_.clear();
                              if (ec) return self->close();
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
    std::function<void()> release_;
    FiveTuple tuple_;
    bool valid_ = false;
    bool registered_ = false;
    bool closed_ = false;
    bool writing_ = false;
    std::vector<std::uint8_t> buffer_;
    std::size_t filled_ = 0;
    bool framed_ = false;  // a complete frame has arrived
    // Queued and in-flight bytes with their frame sizes; the vectors keep
    // their capacity, so steady relaying allocates nothing.
    std::vector<std::uint8_t> pending_;
    std::vector<std::size_t> pending_sizes_;
    std::vector<std::uint8_t> in_flight_;
    std::vector<std::size_t> in_flight_sizes_;
    std::vector<asio::const_buffer> buffers_;
};

}  // namespace

void Worker::adopt(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls, std::function<void()> release) {
    asio::post(ioc_, [this, socket = std::move(socket), tls = std::move(tls), release = std::move(release)]() mutable {
        beast::tcp_stream stream(std::move(socket));
        if (tls) {
            std::make_shared<TurnStream<beast::ssl_stream<beast::tcp_stream>>>(
                *this, beast::ssl_stream<beast::tcp_stream>(std::move(stream), *tls), Transport::tls,
                std::move(release))
                ->run();
        } else {
            std::make_shared<TurnStream<beast::tcp_stream>>(*this, std::move(stream), Transport::tcp,
                                                            std::move(release))
                ->run();
        }
    });
}

}  // namespace switchboard::turn::io
