#pragma once
// A tiny HTTP/1.1 client for integration tests: one GET per connection,
// plain or TLS (certificate not verified), bounded by a timeout. The target is
// sent exactly as given (no normalization), so tests can send "/../x".
// Beast stays in the .cpp.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sbtest {

struct HttpResponse {
    int status = 0;                              // 0: no HTTP response could be read (see error)
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string error;
    // TLS: the subject of the server's certificate, e.g. "/CN=localhost".
    std::string peer_subject;

    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

HttpResponse http_get(std::uint16_t port, const std::string& target, bool tls = false,
                      const std::vector<std::pair<std::string, std::string>>& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Sends `bytes` over a plain TCP connection and returns whatever comes back
// until the peer closes or `timeout` passes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(3));

}  // namespace sbtest
