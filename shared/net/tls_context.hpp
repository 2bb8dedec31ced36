#pragma once
// Server TLS contexts for the signaling (HTTPS/WSS) and TURN (TLS) listeners.
// Start-up only: throws std::runtime_error naming the file on failure.

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "shared/config.hpp"

namespace switchboard::shared::net {

// TLS 1.2 and 1.3 only, Mozilla's "intermediate" ciphers (TLS 1.2: ECDHE
// and DHE with AEADs only), no compression or renegotiation; certificate
// chain and private key from PEM files.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsFiles& files);

}  // namespace switchboard::shared::net
