// The signaling listeners, the hub's tick, and drain.
#include "signaling/io/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "shared/address.hpp"
#include "shared/log.hpp"
#include "shared/net/acceptor.hpp"
#include "shared/net/tls_context.hpp"
#include "signaling/io/connection.hpp"
#include "signaling/io/loop.hpp"

namespace switchboard::signaling::io {
namespace {
using namespace std::chrono_literals;
constexpr auto kDrainPoll = 20ms;
}  // namespace

struct SignalingServer::Impl {
    Impl(asio::io_context& ioc, const shared::Config& config, const shared::Clock& clock,
         shared::Metrics& metrics, const IceServerFactory& ice, shared::SessionBridge* bridge)
        : loop(std::make_shared<Loop>(ioc, config, clock, metrics, ice, bridge)),
          tick(ioc),
          drain_timer(ioc) {}

    // The hub's clock work and every connection's deadlines.
    void arm_tick() {
        tick.expires_after(Hub::kTickPeriod);
        tick.async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            loop->hub.tick();
            loop->check_deadlines();
            arm_tick();
        });
    }

    void listen(const shared::Endpoint& where, bool metrics_only, std::string& url) {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(where.host, ec);
        if (ec)
            throw std::runtime_error("cannot listen on " + where.to_string() +
                                     ": not an IP address");
        auto acceptor = std::make_unique<shared::net::Acceptor>(loop->ioc);
        const auto bound = acceptor->open(tcp::endpoint(address, where.port), false);
        url = shared::format_endpoint(bound.address().to_string(), bound.port());
        acceptors.push_back({std::move(acceptor), metrics_only});
    }

    void start_accepting() {
        for (auto& [acceptor, metrics_only] : acceptors) {
            acceptor->start([this]() -> asio::io_context& { return loop->ioc; },
                            [this, metrics_only = metrics_only](tcp::socket socket) {
                                boost::system::error_code ec;
                                const auto peer = socket.remote_endpoint(ec);
                                if (ec) return;
                                std::string ip = peer.address().to_string();
                                if (!loop->admit(ip)) return;  // the socket closes as it goes
                                std::make_shared<Connection>(loop, std::move(socket), std::move(ip),
                                                             metrics_only)
                                    ->start();
                            });
        }
    }

    std::shared_ptr<Loop> loop;
    asio::steady_timer tick;
    asio::steady_timer drain_timer;
    std::vector<std::pair<std::unique_ptr<shared::net::Acceptor>, bool>> acceptors;
    std::string ws_url;
};

SignalingServer::SignalingServer(asio::io_context& ioc, const shared::Config& config,
                                 const shared::Clock& clock, shared::Metrics& metrics,
                                 const IceServerFactory& ice, shared::SessionBridge* bridge)
    : impl_(std::make_shared<Impl>(ioc, config, clock, metrics, ice, bridge)) {}

SignalingServer::~SignalingServer() = default;

void SignalingServer::start() {
    auto& d = *impl_;
    const auto& sig = d.loop->config.signaling;
    if (sig.tls.enabled()) d.loop->set_tls(shared::net::make_server_tls_context(sig.tls));
    std::string base;
    d.listen(sig.listen, false, base);
    const bool tls = d.loop->tls() != nullptr;
    d.ws_url = (tls ? "wss://" : "ws://") + base + "/ws";
    SB_LOG(info, "signaling", "signaling listening on " + d.ws_url);
    if (!sig.static_dir.empty()) {
        SB_LOG(info, "signaling",
               std::string("test page: ") + (tls ? "https://" : "http://") + base + "/");
    }
    if (d.loop->config.metrics.listen) {
        std::string metrics;
        d.listen(*d.loop->config.metrics.listen, true, metrics);
        SB_LOG(info, "signaling", "metrics on http://" + metrics + "/metrics");
    }
    d.start_accepting();
    d.arm_tick();
}

void SignalingServer::drain(std::chrono::milliseconds deadline, std::function<void()> done) {
    auto impl = impl_;
    impl->loop->draining = true;
    impl->loop->hub.shutdown("shutdown", 1000);
    // Until every WebSocket has finished its closing handshake, or the deadline.
    const auto until = std::chrono::steady_clock::now() + deadline;
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [impl, until, done = std::move(done), poll]() {
        if (impl->loop->ws_count() == 0 || std::chrono::steady_clock::now() >= until) {
            for (auto& [acceptor, metrics_only] : impl->acceptors) acceptor->close();
            impl->tick.cancel();
            auto finish = std::move(done);
            *poll = nullptr;  // breaks the cycle
            finish();
            return;
        }
        impl->drain_timer.expires_after(kDrainPoll);
        impl->drain_timer.async_wait([poll](boost::system::error_code) {
            if (*poll) (*poll)();
        });
    };
    asio::post(impl->loop->ioc, [poll] { (*poll)(); });
}

std::string SignalingServer::ws_url() const {
    return impl_->ws_url;
}

void SignalingServer::reload(std::shared_ptr<const shared::Config> effective,
                             std::shared_ptr<asio::ssl::context> tls) {
    auto& loop = *impl_->loop;
    // A plain listener stays plain (switching needs a restart).
    if (!tls || !loop.tls()) tls = loop.tls();
    loop.reload(std::move(effective), std::move(tls));
}

}  // namespace switchboard::signaling::io
