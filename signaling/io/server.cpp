// Listeners, the hub's tick, and drain.
#include "signaling/io/server.hpp"

#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "shared/log.hpp"
#include "shared/net/tls_context.hpp"
#include "signaling/io/context.hpp"

namespace switchboard::signaling::io {
namespace {

using namespace std::chrono_literals;
constexpr auto kTickInterval = Hub::kTickPeriod;

class Listener final : public std::enable_shared_from_this<Listener> {
public:
    Listener(Context& ctx, bool metrics_only)
        : ctx_(ctx), acceptor_(ctx.ioc), retry_(ctx.ioc), metrics_only_(metrics_only) {}

    // Start-up only: throws with the address on failure.
    tcp::endpoint open(const shared::Endpoint& where) {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(where.host, ec);
        if (ec) throw std::runtime_error("cannot listen on " + where.to_string() + ": not an IP address");
        const tcp::endpoint endpoint(address, where.port);
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(endpoint, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) throw std::runtime_error("cannot listen on " + where.to_string() + ": " + ec.message());
        return acceptor_.local_endpoint();
    }

    void start() { do_accept(); }
    void stop() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        retry_.cancel();
    }

private:
    void do_accept() {
        acceptor_.async_accept(asio::make_strand(ctx_.ioc),
                               beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            // EMFILE and friends: back off instead of spinning on accept().
            SB_LOG(warn, "http", "accept failed: " + ec.message());
            retry_.expires_after(100ms);
            retry_.async_wait([self = shared_from_this()](beast::error_code e) {
                if (!e) self->do_accept();
            });
            return;
        }
        start_http(ctx_, std::move(socket), metrics_only_);
        do_accept();
    }

    Context& ctx_;
    tcp::acceptor acceptor_;
    asio::steady_timer retry_;
    const bool metrics_only_;
};

std::string url_host(const tcp::endpoint& ep) {
    const auto a = ep.address();
    return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

}  // namespace

struct SignalingServer::Impl {
    Impl(asio::io_context& ioc, const shared::Config& config, const shared::Clock& clock,
         shared::Metrics& metrics, const IceServerFactory& ice, shared::SessionBridge* bridge)
        : ctx(ioc, config, clock, metrics, ice, bridge), tick(ioc) {}

    void arm_tick() {
        tick.expires_after(kTickInterval);
        tick.async_wait([this](beast::error_code ec) {
            if (ec) return;
            {
                std::lock_guard lock(ctx.hub_mutex);
                ctx.hub.tick();
            }
            arm_tick();
        });
    }

    Context ctx;
    asio::steady_timer tick;
    std::vector<std::shared_ptr<Listener>> listeners;
    std::string ws_url;
};

SignalingServer::SignalingServer(asio::io_context& ioc, const shared::Config& config,
                                 const shared::Clock& clock, shared::Metrics& metrics,
                                 const IceServerFactory& ice, shared::SessionBridge* bridge)
    : impl_(std::make_shared<Impl>(ioc, config, clock, metrics, ice, bridge)) {}

SignalingServer::~SignalingServer() = default;

void SignalingServer::start() {
    auto& ctx = impl_->ctx;
    const auto& sig = ctx.config.signaling;
    if (sig.tls.enabled()) ctx.reload(ctx.current(), shared::net::make_server_tls_context(sig.tls));

    auto main = std::make_shared<Listener>(ctx, false);
    const auto bound = main->open(sig.listen);
    impl_->listeners.push_back(main);
    const bool tls = ctx.tls() != nullptr;
    const std::string base = url_host(bound) + ":" + std::to_string(bound.port());
    impl_->ws_url = (tls ? "wss://" : "ws://") + base + "/ws";
    SB_LOG(info, "signaling", "signaling listening on " + impl_->ws_url);
    if (!sig.static_dir.empty()) {
        SB_LOG(info, "signaling", std::string("test page: ") + (tls ? "https://" : "http://") + base + "/");
    }
    if (ctx.config.metrics.listen) {
        auto metrics = std::make_shared<Listener>(ctx, true);
        const auto m = metrics->open(*ctx.config.metrics.listen);
        impl_->listeners.push_back(metrics);
        SB_LOG(info, "signaling", "metrics on http://" + url_host(m) + ":" + std::to_string(m.port()) + "/metrics");
    }
    for (auto& l : impl_->listeners) l->start();
    impl_->arm_tick();
}

void SignalingServer::drain(std::chrono::milliseconds deadline, std::function<void()> done) {
    auto impl = impl_;
    impl->ctx.draining = true;
    {
        std::lock_guard lock(impl->ctx.hub_mutex);
        impl->ctx.hub.shutdown("shutdown", 1000);
    }
    // Poll (cheaply) until every WebSocket has finished its closing handshake.
    struct Waiter : std::enable_shared_from_this<Waiter> {
        Waiter(std::shared_ptr<Impl> i, std::chrono::milliseconds d, std::function<void()> f)
            : impl(std::move(i)), timer(impl->ctx.ioc), until(std::chrono::steady_clock::now() + d),
              done(std::move(f)) {}
        void poll() {
            if (impl->ctx.ws_sessions.load() == 0 || std::chrono::steady_clock::now() >= until) {
                for (auto& l : impl->listeners) l->stop();
                impl->tick.cancel();
                done();
                return;
            }
            timer.expires_after(20ms);
            timer.async_wait([self = shared_from_this()](beast::error_code) { self->poll(); });
        }
        std::shared_ptr<Impl> impl;
        asio::steady_timer timer;
        std::chrono::steady_clock::time_point until;
        std::function<void()> done;
    };
    auto waiter = std::make_shared<Waiter>(impl, deadline, std::move(done));
    asio::post(impl->ctx.ioc, [waiter] { waiter->poll(); });
}

std::string SignalingServer::ws_url() const { return impl_->ws_url; }

void SignalingServer::reload(std::shared_ptr<const shared::Config> effective,
                             std::shared_ptr<asio::ssl::context> tls) {
    auto& ctx = impl_->ctx;
    // A plain listener stays plain (switching needs a restart).
    if (!tls || !ctx.tls()) tls = ctx.tls();
    ctx.reload(effective, std::move(tls));
    std::lock_guard lock(ctx.hub_mutex);
    ctx.hub.reload(effective);
}

}  // namespace switchboard::signaling::io
