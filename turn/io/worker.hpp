#pragma once
// One TURN worker: a thread with its own io_context, its Engine, its
// SO_REUSEPORT UDP sockets (one per listen address), the relay sockets of
// its allocations and its TCP/TLS client connections. The kernel hashes a
// client's 5-tuple to one SO_REUSEPORT socket, so everything about an
// allocation stays on one thread: no locks on the relay path.

#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "shared/session_bridge.hpp"
#include "turn/engine.hpp"
#include "turn/io/sockaddr.hpp"

namespace switchboard::turn::io {

// A TCP or TLS client connection, as the worker sees it (worker thread only).
class StreamConnection {
public:
    virtual ~StreamConnection() = default;
    virtual void send(std::span<const std::uint8_t> bytes) = 0;
    virtual void close() = 0;
};

class Worker final : public EngineSink, private ActiveUsers {
public:
    // `bridge`: the worker keeps its own view of the active users (updated by
    // batches posted to its thread) and drops the relays of those who go.
    Worker(unsigned index, const shared::Config& config, const shared::Clock& clock,
           SharedState& shared, shared::SessionBridge& bridge, shared::Metrics& metrics,
           std::span<const std::uint8_t> nonce_key);
    ~Worker() override;

    // Start-up (before start()): binds a SO_REUSEPORT UDP socket; throws on failure.
    void listen_udp(const stun::Address& address);
    void start();
    void stop();  // from any thread; joins
    std::uint16_t udp_port(std::size_t listener) const;

    boost::asio::io_context& context() { return ioc_; }
    // Any thread: hand over an accepted TCP socket (created on this worker's
    // context). `release` runs when the connection is gone (frees its slot
    // under turn.max_stream_connections).
    void adopt(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
               std::function<void()> release);
    // Any thread.
    void stop_accepting();
    void reload(std::shared_ptr<const shared::Config> effective);
    // Start-up only (before start()).
    void add_own_addresses(std::span<const stun::Address> addresses) {
        engine_.add_own_addresses(addresses);
    }

    // What bounds each TCP/TLS client connection (turn.stream_queue_bytes,
    // turn.stream_write_timeout) and what it counts.
    struct StreamLimits {
        std::size_t queue_bytes;
        std::chrono::milliseconds write_timeout;
        shared::Counter& queue_drops;     // frames dropped: the queue was full
        shared::Counter& write_timeouts;  // connections closed: no write progress
    };
    StreamLimits& stream_limits() { return stream_limits_; }

    // Worker thread: called by stream connections.
    void on_stream_open(const FiveTuple& tuple, std::shared_ptr<StreamConnection> conn);
    void on_stream_frame(const FiveTuple& tuple, std::span<const std::uint8_t> frame);
    void on_stream_closed(const FiveTuple& tuple);

    // EngineSink (worker thread).
    void send_to_client(const FiveTuple& client, std::span<const std::uint8_t> bytes) override;
    std::optional<stun::Address> open_relay(AllocationId id, stun::Address::Family family,
                                            const FiveTuple& client) override;
    std::unique_ptr<HeldPort> hold_port(const stun::Address& address) override;
    std::optional<stun::Address> open_held_relay(AllocationId id,
                                                 std::unique_ptr<HeldPort> port) override;
    void send_to_peer(AllocationId id, const stun::Address& peer,
                      std::span<const std::uint8_t> payload) override;
    void close_relay(AllocationId id) override;

private:
    struct UdpListener;
    struct Relay;

    // ActiveUsers (worker thread): its snapshot of the bridge.
    bool is_active(std::string_view user_id) const override { return sessions_.is_active(user_id); }
    // The bridge's sink: runs `batch` on the worker thread.
    void on_bridge_batch(shared::SessionBridge::Batch batch);

    void read_udp(UdpListener& l);
    void add_relay(AllocationId id, boost::asio::ip::udp::socket socket);
    void read_relay(const std::shared_ptr<Relay>& r);
    void arm_tick();

    const shared::Config& config_;
    const shared::Clock& clock_;
    SharedState& shared_;
    boost::asio::io_context ioc_{1};
    shared::SessionBridge::View sessions_;  // before engine_: it asks
    Engine engine_;
    boost::asio::steady_timer tick_;
    std::vector<std::unique_ptr<UdpListener>> udp_;
    std::unordered_map<AllocationId, std::shared_ptr<Relay>> relays_;
    std::unordered_map<FiveTuple, std::shared_ptr<StreamConnection>, FiveTupleHash> streams_;
    StreamLimits stream_limits_;
    ReceiveBatch batch_;
    std::thread thread_;
    unsigned index_;
    std::uint32_t port_seed_;
};

}  // namespace switchboard::turn::io
