#include "shared/net/tls_context.hpp"

#include <stdexcept>

#include <openssl/ssl.h>

namespace switchboard::shared::net {

std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsFiles& files) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use | ssl::context::no_compression);
    SSL_CTX_set_options(ctx->native_handle(),
                        SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    // Resumption by stateless tickets only: a server-side session cache would
    // hold a session per client (up to 20,480 by default) for nothing, since
    // the tickets carry the state.
    SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx->native_handle(), 1);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(files.cert, ec);
    if (ec)
        throw std::runtime_error("cannot load TLS certificate " + files.cert + ": " + ec.message());
    ctx->use_private_key_file(files.key, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load TLS key " + files.key + ": " + ec.message());
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        throw std::runtime_error("TLS key " + files.key + " does not match certificate " +
                                 files.cert);
    }
    return ctx;
}

}  // namespace switchboard::shared::net
