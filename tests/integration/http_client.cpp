#include "tests/integration/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <memory>

namespace sbtest {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

struct State {
    bool done = false;
    beast::error_code ec;
};

// Runs `ioc` until state->done or the deadline.
bool run(net::io_context& ioc, const std::shared_ptr<State>& state,
         std::chrono::steady_clock::time_point deadline) {
    while (!state->done) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        if (ioc.stopped()) ioc.restart();
        if (ioc.run_one_for(deadline - now) == 0 && ioc.stopped()) return state->done;
    }
    return true;
}

template <class Stream>
HttpResponse exchange(net::io_context& ioc, Stream& stream, std::uint16_t port,
                      const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::chrono::steady_clock::time_point deadline,
                      const std::shared_ptr<State>& state) {
    HttpResponse out;
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(http::field::user_agent, "switchboard-integration-tests");
    req.set(http::field::connection, "close");
    for (const auto& [k, v] : headers) req.set(k, v);

    auto on_done = [state](const beast::error_code& ec, std::size_t) {
        state->ec = ec;
        state->done = true;
    };
    state->done = false;
    http::async_write(stream, req, on_done);
    if (!run(ioc, state, deadline) || state->ec) {
        out.error = "write: " + (state->done ? state->ec.message() : std::string("timeout"));
        return out;
    }
    // Kept alive by the handler if the read is abandoned on timeout.
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto parser = std::make_shared<http::response_parser<http::string_body>>();
    parser->body_limit(64 * 1024 * 1024);
    state->done = false;
    http::async_read(stream, *buffer, *parser,
                     [state, buffer, parser](const beast::error_code& ec, std::size_t) {
                         state->ec = ec;
                         state->done = true;
                     });
    if (!run(ioc, state, deadline) || state->ec) {
        out.error = "read: " + (state->done ? state->ec.message() : std::string("timeout"));
        return out;
    }
    auto& res = parser->get();
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.headers[name] = std::string(field.value());
    }
    out.body = res.body();
    return out;
}

}  // namespace

HttpResponse http_get(std::uint16_t port, const std::string& target, bool tls,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    net::io_context ioc{1};
    ssl::context ctx{ssl::context::tls_client};
    ctx.set_verify_mode(ssl::verify_none);
    auto state = std::make_shared<State>();
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    HttpResponse out;

    beast::tcp_stream tcp_stream(ioc);
    tcp_stream.expires_at(deadline);
    tcp_stream.async_connect(endpoint, [state](const beast::error_code& ec) {
        state->ec = ec;
        state->done = true;
    });
    if (!run(ioc, state, deadline) || state->ec) {
        out.error = "connect: " + (state->done ? state->ec.message() : std::string("timeout"));
        return out;
    }
    if (!tls) return exchange(ioc, tcp_stream, port, target, headers, deadline, state);

    ssl::stream<beast::tcp_stream> stream(std::move(tcp_stream), ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    state->done = false;
    stream.async_handshake(ssl::stream_base::client, [state](const beast::error_code& ec) {
        state->ec = ec;
        state->done = true;
    });
    if (!run(ioc, state, deadline) || state->ec) {
        out.error =
            "tls handshake: " + (state->done ? state->ec.message() : std::string("timeout"));
        return out;
    }
    std::string subject;
    if (X509* cert = SSL_get1_peer_certificate(stream.native_handle())) {
        char name[256];
        X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof name);
        subject = name;
        X509_free(cert);
    }
    out = exchange(ioc, stream, port, target, headers, deadline, state);
    out.peer_subject = subject;
    return out;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    net::io_context ioc{1};
    auto state = std::make_shared<State>();
    beast::tcp_stream stream(ioc);
    stream.expires_at(deadline);
    stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                         [state](const beast::error_code& ec) {
                             state->ec = ec;
                             state->done = true;
                         });
    if (!run(ioc, state, deadline) || state->ec) return {};
    auto data = std::make_shared<std::string>(bytes);
    state->done = false;
    net::async_write(stream, net::buffer(*data),
                     [state, data](const beast::error_code& ec, std::size_t) {
                         state->ec = ec;
                         state->done = true;
                     });
    if (!run(ioc, state, deadline) || state->ec) return {};
    auto received = std::make_shared<std::string>();
    auto chunk = std::make_shared<std::array<char, 4096>>();
    // Read until EOF/error/deadline.
    while (std::chrono::steady_clock::now() < deadline) {
        state->done = false;
        stream.async_read_some(
            net::buffer(*chunk),
            [state, received, chunk](const beast::error_code& ec, std::size_t n) {
                received->append(chunk->data(), n);
                state->ec = ec;
                state->done = true;
            });
        if (!run(ioc, state, deadline) || state->ec) break;
    }
    return *received;
}

}  // namespace sbtest
