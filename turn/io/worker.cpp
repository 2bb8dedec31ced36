#include "turn/io/worker.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <unistd.h>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include "shared/crypto.hpp"
#include "shared/log.hpp"
#include "turn/io/sockaddr.hpp"
#include "turn/relay_address.hpp"

namespace switchboard::turn::io {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using namespace std::chrono_literals;

namespace {

// Datagrams per recvmmsg, and batches per wake-up: one socket's turn is
// bounded (64 datagrams), so the others get theirs.
constexpr std::size_t kReceiveBatch = 16;
constexpr int kMaxBatchesPerWakeup = 4;
constexpr int kRelayBindAttempts = 64;

udp::socket open_udp(asio::io_context& ioc, const stun::Address& bind_to, bool reuse_port) {
    udp::socket socket(ioc);
    boost::system::error_code ec;
    const bool v6 = bind_to.family == stun::Address::Family::v6;
    socket.open(v6 ? udp::v6() : udp::v4(), ec);
    if (ec) throw std::runtime_error("udp socket: " + ec.message());
    if (v6) socket.set_option(asio::ip::v6_only(true), ec);
    if (reuse_port) {
        const int on = 1;
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    }
    socket.non_blocking(true, ec);
    sockaddr_storage ss;
    const socklen_t len = to_sockaddr(bind_to, ss);
    if (::bind(socket.native_handle(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        throw std::runtime_error("cannot bind UDP " + bind_to.to_string() + ": " +
                                 std::strerror(errno));
    }
    return socket;
}

// A bound UDP socket, held as a plain descriptor (not registered with any
// io_context) so the worker that takes the reservation can adopt it.
class HeldUdpPort final : public HeldPort {
public:
    HeldUdpPort(int fd, const stun::Address& address) : fd_(fd), address_(address) {}
    ~HeldUdpPort() override {
        if (fd_ >= 0) ::close(fd_);
    }
    HeldUdpPort(const HeldUdpPort&) = delete;
    HeldUdpPort& operator=(const HeldUdpPort&) = delete;
    const stun::Address& address() const override { return address_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
    stun::Address address_;
};

}  // namespace

struct Worker::UdpListener {
    explicit UdpListener(udp::socket s) : socket(std::move(s)) {}
    udp::socket socket;
    stun::Address local;
    bool wildcard = false;
};

struct Worker::Relay {
    explicit Relay(udp::socket s) : socket(std::move(s)) {}
    udp::socket socket;
    AllocationId id = 0;
    bool closed = false;
};

Worker::Worker(unsigned index, const shared::Config& config, const shared::Clock& clock,
               SharedState& shared, shared::SessionBridge& bridge, shared::Metrics& metrics,
               std::span<const std::uint8_t> nonce_key)
    : config_(config),
      clock_(clock),
      shared_(shared),
      sessions_(bridge),
      engine_(config, clock, shared, *this, metrics, nonce_key),
      tick_(ioc_),
      stream_limits_{
          config.turn.stream_queue_bytes, config.turn.stream_write_timeout,
          metrics.counter(
              "switchboard_turn_stream_queue_drops_total",
              "Frames not queued to a TCP/TLS client: turn.stream_queue_bytes was full."),
          metrics.counter("switchboard_turn_stream_write_timeouts_total",
                          "TCP/TLS client connections closed: a write made no progress for "
                          "turn.stream_write_timeout.")},
      batch_(kReceiveBatch),
      index_(index) {
    shared::random_bytes(
        std::span(reinterpret_cast<std::uint8_t*>(&port_seed_), sizeof port_seed_));
    bridge.add_sink([this](shared::SessionBridge::Batch batch) {
        asio::post(ioc_, [this, batch = std::move(batch)] { on_bridge_batch(batch); });
    });
}

void Worker::on_bridge_batch(shared::SessionBridge::Batch batch) {
    sessions_.apply(*batch, [this](const std::string& user, const std::string& reason) {
        SB_LOG(debug, "turn",
               "worker " + std::to_string(index_) + ": dropping the relays of " + user + " (" +
                   reason + ")");
        engine_.drop_user(user, *this);
    });
}

Worker::~Worker() {
    stop();
}

void Worker::listen_udp(const stun::Address& address) {
    auto l = std::make_unique<UdpListener>(open_udp(ioc_, address, true));
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    ::getsockname(l->socket.native_handle(), reinterpret_cast<sockaddr*>(&ss), &len);
    l->local = *from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    l->wildcard = is_wildcard(l->local);
    if (l->wildcard)
        enable_pktinfo(l->socket.native_handle(), l->local.family == stun::Address::Family::v6);
    udp_.push_back(std::move(l));
}

std::uint16_t Worker::udp_port(std::size_t listener) const {
    return udp_[listener]->local.port;
}

void Worker::start() {
    for (auto& l : udp_) read_udp(*l);
    arm_tick();
    thread_ = std::thread([this] {
        try {
            ioc_.run();
        } catch (const std::exception& e) {
            SB_LOG(error, "turn", std::string("worker stopped by exception: ") + e.what());
        }
    });
}

void Worker::stop() {
    ioc_.stop();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Worker::arm_tick() {
    tick_.expires_after(1s);
    tick_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        engine_.tick(*this);
        arm_tick();
    });
}

void Worker::read_udp(UdpListener& l) {
    l.socket.async_wait(udp::socket::wait_read, [this, &l](boost::system::error_code ec) {
        if (ec) return;
        for (int round = 0; round < kMaxBatchesPerWakeup; ++round) {
            const std::size_t n = batch_.receive(l.socket.native_handle());
            for (std::size_t i = 0; i < n; ++i) {
                const Datagram& d = batch_.datagram(i);
                if (d.size == 0) continue;
                FiveTuple tuple;
                tuple.transport = Transport::udp;
                tuple.client = d.from;
                tuple.server = l.local;
                if (l.wildcard && d.to) {
                    tuple.server = *d.to;
                    tuple.server.port = l.local.port;
                }
                engine_.on_client_packet(tuple, batch_.bytes(i), *this);
            }
            if (n < batch_.capacity()) break;  // drained
        }
        read_udp(l);
    });
}

void Worker::send_to_client(const FiveTuple& client, std::span<const std::uint8_t> bytes) {
    if (client.transport != Transport::udp) {
        auto it = streams_.find(client);
        if (it != streams_.end()) it->second->send(bytes);
        return;
    }
    for (auto& l : udp_) {
        if (l->local.port != client.server.port || l->local.family != client.server.family)
            continue;
        if (l->wildcard) {
            send(l->socket.native_handle(), client.client, &client.server, bytes);
            return;
        }
        if (l->local == client.server) {
            send(l->socket.native_handle(), client.client, nullptr, bytes);
            return;
        }
    }
}

void Worker::add_relay(AllocationId id, udp::socket socket) {
    auto relay = std::make_shared<Relay>(std::move(socket));
    relay->id = id;
    relays_[id] = relay;
    read_relay(relay);
}

std::optional<stun::Address> Worker::open_relay(AllocationId id, stun::Address::Family family,
                                                const FiveTuple& client) {
    // relay_address, the address the client reached us on, or a listen
    // address, of the requested family (the rule the engine checked).
    std::optional<stun::Address> ip = relay_bind_address(config_.turn, client.server, family);
    if (!ip) {
        SB_LOG(debug, "turn",
               "no relay address of the requested family for " + client.server.to_string());
        return std::nullopt;
    }
    const std::uint32_t lo = config_.turn.relay_port_min;
    const std::uint32_t span = config_.turn.relay_port_max - lo + 1;
    for (int attempt = 0; attempt < kRelayBindAttempts; ++attempt) {
        port_seed_ =
            port_seed_ * 1664525u + 1013904223u;  // LCG: cheap, and ports need no secrecy here
        ip->port = static_cast<std::uint16_t>(lo + (port_seed_ >> 8) % span);
        try {
            add_relay(id, open_udp(ioc_, *ip, false));
            return ip;
        } catch (const std::runtime_error& e) {
            SB_LOG(trace, "turn", std::string("relay bind: ") + e.what());
        }
    }
    SB_LOG(warn, "turn",
           "no free relay port on " + ip->ip_string() + " after " +
               std::to_string(kRelayBindAttempts) + " attempts");
    return std::nullopt;
}

std::unique_ptr<HeldPort> Worker::hold_port(const stun::Address& address) {
    try {
        return std::make_unique<HeldUdpPort>(open_udp(ioc_, address, false).release(), address);
    } catch (const std::exception& e) {
        SB_LOG(trace, "turn", std::string("hold port: ") + e.what());
        return nullptr;
    }
}

std::optional<stun::Address> Worker::open_held_relay(AllocationId id,
                                                     std::unique_ptr<HeldPort> port) {
    auto* held = dynamic_cast<HeldUdpPort*>(port.get());
    if (held == nullptr) return std::nullopt;
    const stun::Address address = held->address();
    udp::socket socket(ioc_);
    boost::system::error_code ec;
    const int fd = held->release();
    socket.assign(address.family == stun::Address::Family::v6 ? udp::v6() : udp::v4(), fd, ec);
    if (ec) {
        ::close(fd);
        SB_LOG(warn, "turn",
               "cannot adopt the reserved port " + address.to_string() + ": " + ec.message());
        return std::nullopt;
    }
    add_relay(id, std::move(socket));
    return address;
}

void Worker::read_relay(const std::shared_ptr<Relay>& r) {
    r->socket.async_wait(udp::socket::wait_read, [this, r](boost::system::error_code ec) {
        if (ec || r->closed) return;
        for (int round = 0; round < kMaxBatchesPerWakeup && !r->closed; ++round) {
            const std::size_t n = batch_.receive(r->socket.native_handle());
            // A packet may close the relay (its allocation torn down): stop there.
            for (std::size_t i = 0; i < n && !r->closed; ++i) {
                const Datagram& d = batch_.datagram(i);
                if (d.size == 0) continue;
                engine_.on_peer_packet(r->id, d.from, batch_.bytes(i), *this);
            }
            if (n < batch_.capacity()) break;  // drained
        }
        if (!r->closed) read_relay(r);
    });
}

void Worker::send_to_peer(AllocationId id, const stun::Address& peer,
                          std::span<const std::uint8_t> payload) {
    auto it = relays_.find(id);
    if (it == relays_.end()) return;
    send(it->second->socket.native_handle(), peer, nullptr, payload);
}

void Worker::close_relay(AllocationId id) {
    auto it = relays_.find(id);
    if (it == relays_.end()) return;
    it->second->closed = true;
    boost::system::error_code ignored;
    it->second->socket.close(ignored);
    relays_.erase(it);
}

void Worker::reload(std::shared_ptr<const shared::Config> effective) {
    asio::post(ioc_, [this, effective = std::move(effective)] { engine_.reload(*effective); });
}

void Worker::stop_accepting() {
    asio::post(ioc_, [this] { engine_.stop_accepting(); });
}

void Worker::on_stream_open(const FiveTuple& tuple, std::shared_ptr<StreamConnection> conn) {
    streams_[tuple] = std::move(conn);
}

void Worker::on_stream_frame(const FiveTuple& tuple, std::span<const std::uint8_t> frame) {
    engine_.on_client_packet(tuple, frame, *this);
}

void Worker::on_stream_closed(const FiveTuple& tuple) {
    engine_.on_client_closed(tuple, *this);
    streams_.erase(tuple);
}

}  // namespace switchboard::turn::io
