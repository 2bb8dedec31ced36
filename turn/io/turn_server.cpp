#include "turn/io/turn_server.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "shared/address.hpp"
#include "shared/crypto.hpp"
#include "shared/log.hpp"
#include "shared/net/acceptor.hpp"
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
        throw std::runtime_error("cannot bind UDP " + where.to_string() + ": " +
                                 std::strerror(err));
    }
}

stun::Address to_address(const shared::Endpoint& e) {
    auto a = stun::Address::from_ip(e.host, e.port);
    if (!a) throw std::runtime_error("not an IP address: " + e.to_string());
    return *a;
}

// A TCP or TLS listener: accepts on the accept thread and deals the
// connections out to the workers in turn.
struct StreamListener {
    StreamListener(asio::io_context& ioc, std::shared_ptr<asio::ssl::context> t)
        : acceptor(ioc), tls(std::move(t)) {}
    shared::net::Acceptor acceptor;
    std::shared_ptr<asio::ssl::context> tls;  // null: plain TCP; a reload swaps it (accept thread)
    std::size_t next = 0;                     // the worker the next connection goes to
};

}  // namespace

struct TurnServer::Impl {
    Impl(const shared::Config& c, const shared::Clock& clk, shared::Metrics& m,
         shared::SessionBridge& b)
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
    std::vector<std::unique_ptr<StreamListener>> listeners;
    std::thread accept_thread;
    bool started = false;
    std::vector<shared::Endpoint> bound_udp, bound_tcp, bound_tls;
};

TurnServer::TurnServer(const shared::Config& config, const shared::Clock& clock,
                       shared::Metrics& metrics, shared::SessionBridge& bridge)
    : impl_(std::make_unique<Impl>(config, clock, metrics, bridge)) {
    shared::random_bytes(impl_->nonce_key);
    const unsigned n =
        config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) {
        impl_->workers.push_back(std::make_unique<Worker>(i, config, clock, impl_->state, bridge,
                                                          metrics, impl_->nonce_key));
    }
}

TurnServer::~TurnServer() {
    stop();
}

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
        SB_LOG(debug, "turn",
               "refusing " + std::to_string(own.size()) + " interface addresses as peers");
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
    auto& refused =
        d.metrics.counter("switchboard_turn_streams_refused_total",
                          "TCP/TLS client connections closed at once, by the limit reached "
                          "(turn.max_stream_connections, turn.max_stream_connections_per_ip).",
                          {{"limit", "total"}});
    auto& refused_per_ip =
        d.metrics.counter("switchboard_turn_streams_refused_total",
                          "TCP/TLS client connections closed at once, by the limit reached "
                          "(turn.max_stream_connections, turn.max_stream_connections_per_ip).",
                          {{"limit", "per_ip"}});
    auto open_stream = [&](const shared::Endpoint& e, std::shared_ptr<asio::ssl::context> tls,
                           std::string_view kind, std::vector<shared::Endpoint>& bound) {
        auto l = std::make_unique<StreamListener>(d.accept_ioc, std::move(tls));
        sockaddr_storage ss;
        const socklen_t len = to_sockaddr(to_address(e), ss);
        tcp::endpoint endpoint;
        std::memcpy(endpoint.data(), &ss, len);
        const auto ep = l->acceptor.open(endpoint, true);
        SB_LOG(info, "turn",
               "turn listening on " + std::string(kind) + " " +
                   shared::format_endpoint(ep.address().to_string(), ep.port()));
        bound.push_back({e.host, ep.port()});
        d.listeners.push_back(std::move(l));
    };
    for (const auto& e : turn.listen_tcp) open_stream(e, nullptr, "tcp", d.bound_tcp);
    if (!turn.listen_tls.empty()) {
        auto tls = shared::net::make_server_tls_context(turn.tls);
        for (const auto& e : turn.listen_tls) open_stream(e, tls, "tls", d.bound_tls);
    }
    for (auto& w : d.workers) w->start();
    for (auto& l : d.listeners) {
        auto* listener = l.get();
        listener->acceptor.start(
            [&d, listener]() -> asio::io_context& {
                return d.workers[listener->next % d.workers.size()]->context();
            },
            [&d, listener, &refused, &refused_per_ip, max = turn.max_stream_connections,
             max_per_ip = turn.max_stream_connections_per_ip](tcp::socket socket) {
                auto& worker = *d.workers[listener->next++ % d.workers.size()];
                boost::system::error_code ec;
                const auto remote = socket.remote_endpoint(ec);
                if (ec) return;  // gone already
                const auto peer = from_sockaddr(static_cast<const sockaddr*>(remote.data()));
                if (!peer) return;
                // At a limit: refuse rather than queue; the socket closes as it goes.
                switch (d.state.try_open_stream(peer->bytes, max, max_per_ip)) {
                    case ProcessState::StreamSlot::ok: break;
                    case ProcessState::StreamSlot::total_exceeded: refused.inc(); return;
                    case ProcessState::StreamSlot::ip_exceeded: refused_per_ip.inc(); return;
                }
                worker.adopt(std::move(socket), listener->tls,
                             [state = &d.state, ip = peer->bytes] { state->close_stream(ip); });
            });
    }
    d.accept_thread = std::thread([&d] { d.accept_ioc.run(); });
    d.started = true;
}

const std::vector<shared::Endpoint>& TurnServer::bound_udp() const {
    return impl_->bound_udp;
}
const std::vector<shared::Endpoint>& TurnServer::bound_tcp() const {
    return impl_->bound_tcp;
}
const std::vector<shared::Endpoint>& TurnServer::bound_tls() const {
    return impl_->bound_tls;
}

void TurnServer::reload(std::shared_ptr<const shared::Config> effective,
                        std::shared_ptr<asio::ssl::context> tls) {
    auto& d = *impl_;
    for (auto& w : d.workers) w->reload(effective);
    if (!tls) return;
    asio::post(d.accept_ioc, [&d, tls = std::move(tls)] {
        // A TLS listener takes the new context for its next connections; a TCP one stays plain.
        for (auto& l : d.listeners) {
            if (l->tls) l->tls = tls;
        }
    });
}

void TurnServer::drain() {
    for (auto& l : impl_->listeners) asio::post(impl_->accept_ioc, [&l] { l->acceptor.close(); });
    for (auto& w : impl_->workers) w->stop_accepting();
}

std::size_t TurnServer::allocations() const {
    return impl_->state.total();
}

void TurnServer::for_each_loop(
    const std::function<void(const std::string&, asio::io_context&)>& fn) {
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
