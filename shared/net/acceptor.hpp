#pragma once
// A listening TCP socket and its accept loop, for every TCP listener
// (signaling, metrics, TURN over TCP and TLS): bound with SO_REUSEADDR,
// accepting until closed, and backing off 100 ms after a failed accept
// (EMFILE and friends) instead of spinning on it. Each accepted socket gets
// TCP_NODELAY: signaling and TURN both write small messages that must not
// wait for the peer's delayed ACK (Nagle).
//
// Thread context: construct, open() and start() at start-up; close() on the
// loop's thread (post it there); the callbacks run on the loop's thread.

#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace switchboard::shared::net {

class Acceptor {
public:
    using Socket = boost::asio::ip::tcp::socket;
    // Where the next accepted socket will live (its io_context).
    using PickContext = std::function<boost::asio::io_context&()>;
    using OnAccept = std::function<void(Socket)>;

    explicit Acceptor(boost::asio::io_context& loop);

    // Binds and listens; throws std::runtime_error naming `where` on
    // failure. `v6_only`: an IPv6 address takes IPv6 clients only (the TURN
    // listeners list each family on its own). Returns the bound endpoint
    // (port 0 becomes the real port).
    boost::asio::ip::tcp::endpoint open(const boost::asio::ip::tcp::endpoint& where, bool v6_only);
    void start(PickContext pick, OnAccept on_accept);
    void close();

private:
    void accept_next();

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    PickContext pick_;
    OnAccept on_accept_;
    std::string name_;
};

}  // namespace switchboard::shared::net
