#include "turn/io/turn_server.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "shared/crypto.hpp"
#include "shared/log.hpp"
#include "shared/net/tls_context.hpp"
#include "turn/io/sockaddr.hpp"
#include "turn/io/worker.hpp"
#include "turn/process_state.hpp"

namespace switchboard::turn::io {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// The workers share each UDP port through SO_REUSEPORT, which would just as
// happily share it with another process (a second switchboard, say), and the
// kernel would then split clients between the two. A plain bind first, with
// no SO_REUSEPORT, fails if anything at all holds the port.
void ensure_udp_port_free(const stun::Address& where) {
    if (where.port == 0) return;
    sockaddr_storage ss;
    const socklen_t len = to_sockaddr(where, ss);
    const int fd = ::socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) throw std::runtime_error("udp socket: " + std::string(std::strerror(errno)));
    if (where.family == stun::Address::Family::v6) {
        const int on = 1;
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    }
    const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len);
    const int err = errno;
    ::close(fd);
    if (rc != 0) {
        throw std::runtime_error("cannot bind UDP " + where.to_string() + ": " + std::strerror(err));
    }
}

stun::Address to_address(const shared::Endpoint& e) {
    auto a = stun::Address::from_ip(e.host, e.port);
    if (!a) throw std::runtime_error("not an IP address: " + e.to_string());
    return *a;
}

// Accepts on its own thread and deals connections out to the workers.
class Acceptor {
public:
    Acceptor(asio::io_context& ioc, std::vector<std::unique_ptr<Worker>>& workers,
             std::shared_ptr<asio::ssl::context> tls, ProcessState& state, std::size_t max_streams,
             shared::Counter& refused)
        : acceptor_(ioc), retry_(ioc), workers_(workers), tls_(std::move(tls)), state_(state),
          max_streams_(max_streams), refused_(refused) {}

    tcp::endpoint open(const stun::Address& where) {
        sockaddr_storage ss;
        const socklen_t len = to_sockaddr(where, ss);
        tcp::endpoint endpoint;
        std::memcpy(endpoint.data(), &ss, len);
        boost::system::error_code ec;
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec && where.family == stun::Address::Family::v6) acceptor_.set_option(asio::ip::v6_only(true), ec);
        if (!ec) acceptor_.bind(endpoint, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) throw std::runtime_error("cannot listen on " + where.to_string() + ": " + ec.message());
        return acceptor_.local_endpoint();
    }

    void start() {
        auto& worker = *workers_[next_++ % workers_.size()];
        acceptor_.async_accept(worker.context(), [this, &worker](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
            if (ec) {
                SB_LOG(warn, "turn", "accept failed: " + ec.message());
                retry_.expires_after(100ms);
                retry_.async_wait([this](boost::system::error_code e) {
                    if (!e) start();
                });
                return;
            }
            if (!state_.try_open_stream(max_streams_)) {
                // At turn.max_stream_connections: refuse rather than queue.
                refused_.inc();
                socket.close(ec);
                return start();
            }
            socket.set_option(tcp::no_delay(true), ec);
            worker.adopt(std::move(socket), tls_, [state = &state_] { state->close_stream(); });
            start();
        });
    }

    void close() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    }

    // Accept thread. A TLS listener takes the new context for the next
    // connections; a TCP one stays plain.
    void set_tls(std::shared_ptr<asio::ssl::context> tls) {
        if (tls_ && tls) tls_ = std::move(tls);
    }

private:
    tcp::acceptor acceptor_;
    asio::steady_timer retry_;
    std::vector<std::unique_ptr<Worker>>& workers_;
    std::shared_ptr<asio::ssl::context> tls_;
    ProcessState& state_;
    const std::size_t max_streams_;
    shared::Counter& refused_;
    std::size_t next_ = 0;
};

}  // namespace

struct TurnServer::Impl {
    Impl(const shared::Config& c, const shared::Clock& clk, shared::Metrics& m, shared::SessionBridge& b)
        : config(c),
          clock(clk),
          metrics(m),
          bridge(b),
          state(c.turn.max_allocations, c.turn.max_allocations_per_user,
                &m.gauge("switchboard_turn_port_reservations",
                         "Relay ports held for a RESERVATION-TOKEN (EVEN-PORT with the R bit).")) {}

    const shared::Config& config;
    const shared::Clock& clock;
    shared::Metrics& metrics;
    shared::SessionBridge& bridge;
    ProcessState state;
    std::array<std::uint8_t, 32> nonce_key{};
    std::vector<std::unique_ptr<Worker>> workers;
    asio::io_context accept_ioc{1};
    std::vector<std::unique_ptr<Acceptor>> acceptors;
    std::thread accept_thread;
    bool started = false;
    std::vector<shared::Endpoint> bound_udp, bound_tcp, bound_tls;
};

TurnServer::TurnServer(const shared::Config& config, const shared::Clock& clock, shared::Metrics& metrics,
                       shared::SessionBridge& bridge)
    : impl_(std::make_unique<Impl>(config, clock, metrics, bridge)) {
    shared::random_bytes(impl_->nonce_key);
    const unsigned n = config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) {
        impl_->workers.push_back(std::make_unique<Worker>(i, config, clock, impl_->state, bridge, metrics,
                                                          impl_->nonce_key));
    }
}

TurnServer::~TurnServer() { stop(); }

void TurnServer::start() {
    auto& d = *impl_;
    const auto& turn = d.config.turn;
    // With a wildcard listener the config names none of our addresses: refuse
    // every interface address as a peer (coturn CVE-2020-26262 territory).
    bool wildcard = false;
    for (const auto* list : {&turn.listen_udp, &turn.listen_tcp, &turn.listen_tls}) {
        for (const auto& e : *list) wildcard = wildcard || is_wildcard(to_address(e));
    }
    if (wildcard) {
        const auto own = interface_addresses();
        for (auto& w : d.workers) w->add_own_addresses(own);
        SB_LOG(debug, "turn", "refusing " + std::to_string(own.size()) + " interface addresses as peers");
    }
    for (std::size_t listener = 0; listener < turn.listen_udp.size(); ++listener) {
        const auto& e = turn.listen_udp[listener];
        const auto a = to_address(e);
        ensure_udp_port_free(a);
        stun::Address bound = a;
        for (auto& w : d.workers) {
            w->listen_udp(bound);
            // Port 0 (tests): every worker must share the port the first one got.
            if (bound.port == 0) bound.port = w->udp_port(listener);
        }
        SB_LOG(info, "turn", "turn listening on udp " + bound.to_string());
        d.bound_udp.push_back({e.host, bound.port});
    }
    auto open_stream = [&](const shared::Endpoint& e, std::shared_ptr<asio::ssl::context> tls, std::string_view kind,
                           std::vector<shared::Endpoint>& bound) {
        auto acceptor = std::make_unique<Acceptor>(
            d.accept_ioc, d.workers, tls, d.state, turn.max_stream_connections,
            d.metrics.counter("switchboard_turn_streams_refused_total",
                              "TCP/TLS client connections closed at once: turn.max_stream_connections reached."));
        const auto ep = acceptor->open(to_address(e));
        SB_LOG(info, "turn", "turn listening on " + std::string(kind) + " " +
                                 (ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string()) +
                                 ":" + std::to_string(ep.port()));
        bound.push_back({e.host, ep.port()});
        d.acceptors.push_back(std::move(acceptor));
    };
    for (const auto& e : turn.listen_tcp) open_stream(e, nullptr, "tcp", d.bound_tcp);
    if (!turn.listen_tls.empty()) {
        auto tls = shared::net::make_server_tls_context(turn.tls);
        for (const auto& e : turn.listen_tls) open_stream(e, tls, "tls", d.bound_tls);
    }
    for (auto& w : d.workers) w->start();
    for (auto& a : d.acceptors) a->start();
    d.accept_thread = std::thread([&d] { d.accept_ioc.run(); });
    d.started = true;
}

const std::vector<shared::Endpoint>& TurnServer::bound_udp() const { return impl_->bound_udp; }
const std::vector<shared::Endpoint>& TurnServer::bound_tcp() const { return impl_->bound_tcp; }
const std::vector<shared::Endpoint>& TurnServer::bound_tls() const { return impl_->bound_tls; }

void TurnServer::reload(std::shared_ptr<const shared::Config> effective,
                        std::shared_ptr<asio::ssl::context> tls) {
    auto& d = *impl_;
    for (auto& w : d.workers) w->reload(effective);
    if (!tls) return;
    asio::post(d.accept_ioc, [&d, tls = std::move(tls)] {
        for (auto& a : d.acceptors) a->set_tls(tls);
    });
}

void TurnServer::drain() {
    for (auto& a : impl_->acceptors) asio::post(impl_->accept_ioc, [&a] { a->close(); });
    for (auto& w : impl_->workers) w->stop_accepting();
}

std::size_t TurnServer::allocations() const { return impl_->state.total(); }

void TurnServer::for_each_loop(const std::function<void(const std::string&, asio::io_context&)>& fn) {
    for (std::size_t i = 0; i < impl_->workers.size(); ++i) {
        fn("turn-worker-" + std::to_string(i), impl_->workers[i]->context());
    }
    fn("turn-accept", impl_->accept_ioc);
}

void TurnServer::stop() {
    auto& d = *impl_;
    if (!d.started) return;
    d.started = false;
    d.accept_ioc.stop();
    if (d.accept_thread.joinable()) d.accept_thread.join();
    for (auto& w : d.workers) w->stop();
}

}  // namespace switchboard::turn::io
