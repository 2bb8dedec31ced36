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
    SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
    // Mozilla's "intermediate" configuration (v5.7): for TLS 1.2 only
    // ECDHE/DHE key exchange with AEAD ciphers (OpenSSL's DEFAULT would also
    // offer static-RSA key exchange and CBC-SHA1); TLS 1.3 keeps its three
    // suites. Every suite is strong, so the client's order wins (a phone
    // without AES instructions picks ChaCha20).
    if (SSL_CTX_set_cipher_list(ctx->native_handle(),
                                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                                "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:"
                                "DHE-RSA-CHACHA20-POLY1305") != 1)
        throw std::runtime_error("cannot set the TLS cipher list");
    SSL_CTX_set_dh_auto(ctx->native_handle(), 1);  // DHE with a group sized to the key
    // Resumption by stateless tickets only: a server-side session cache would
    // hold a session per client (up to 20,480 by default) for nothing, since
    // the tickets carry the state.
    SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx->native_handle(), 1);
    // The chain sent is the one in the file (fullchain.pem), as nginx does:
    // without this, a file holding only the leaf makes OpenSSL rebuild and
    // verify a chain from the trust store on every handshake.
    SSL_CTX_set_mode(ctx->native_handle(), SSL_MODE_NO_AUTO_CHAIN);
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
