#include "shared/net/acceptor.hpp"

#include <stdexcept>

#include <boost/asio/ip/v6_only.hpp>

#include "shared/address.hpp"
#include "shared/log.hpp"

namespace switchboard::shared::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

Acceptor::Acceptor(asio::io_context& loop) : acceptor_(loop), retry_(loop) {}

tcp::endpoint Acceptor::open(const tcp::endpoint& where, bool v6_only) {
    name_ = format_endpoint(where.address().to_string(), where.port());
    boost::system::error_code ec;
    acceptor_.open(where.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && v6_only && where.address().is_v6())
        acceptor_.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor_.bind(where, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + name_ + ": " + ec.message());
    return acceptor_.local_endpoint();
}

void Acceptor::start(PickContext pick, OnAccept on_accept) {
    pick_ = std::move(pick);
    on_accept_ = std::move(on_accept);
    accept_next();
}

void Acceptor::close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
}

void Acceptor::accept_next() {
    acceptor_.async_accept(pick_(), [this](boost::system::error_code ec, Socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            SB_LOG(warn, "net",
                   "accept on " + name_ + " failed: " + ec.message() + "; retrying in 100 ms");
            retry_.expires_after(100ms);
            retry_.async_wait([this](boost::system::error_code e) {
                if (!e) accept_next();
            });
            return;
        }
        socket.set_option(tcp::no_delay(true), ec);
        on_accept_(std::move(socket));
        accept_next();
    });
}

}  // namespace switchboard::shared::net
