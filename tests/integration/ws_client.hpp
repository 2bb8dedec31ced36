#pragma once
// A blocking-with-deadline WebSocket client for integration tests (plain or
// TLS, certificate not verified). Every call runs its own io_context for at
// most its timeout, so a misbehaving server fails a test instead of hanging
// it. Nothing is read from the socket unless a recv/wait call asks for it: a
// client that is not asked to read does not answer pings and does not drain
// its TCP buffer (that is how tests simulate dead or slow peers). Messages read
// while looking for a specific one are kept, in order, for later calls.
// Not thread-safe; one test thread per client. Beast stays in the .cpp.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace sbtest {

struct WsConnectOptions {
    bool tls = false;
    std::string path = "/ws";
    // Sent as one Sec-WebSocket-Protocol header; empty = header omitted.
    std::vector<std::string> subprotocols = {"switchboard.v1"};
    std::optional<std::string> origin;
    std::chrono::milliseconds timeout{5000};
};

struct WsConnectResult {
    bool ok = false;
    // The HTTP status of the upgrade response (101 on success, 0 if none was read).
    int status = 0;
    std::string error;
    explicit operator bool() const { return ok; }
};

class WsClient {
public:
    WsClient();
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    WsConnectResult connect(std::uint16_t port, const WsConnectOptions& options = {});
    WsConnectResult connect(std::uint16_t port, bool tls) {
        WsConnectOptions o;
        o.tls = tls;
        return connect(port, o);
    }

    bool send_text(const std::string& text,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // One text message sent as several frames of at most `fragment` bytes.
    bool send_fragmented(const std::string& text, std::size_t fragment,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));
    bool send_binary(const std::string& bytes,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // The next message (buffered first), or nullopt on timeout / close / error.
    std::optional<std::string> recv(std::chrono::milliseconds timeout);
    // The first message (buffered first) for which `match` is true; messages
    // that do not match stay buffered in order. nullopt on timeout / close.
    std::optional<std::string> recv_matching(const std::function<bool(const std::string&)>& match,
                                             std::chrono::milliseconds timeout);
    // recv() parsed; a Null document on timeout, close or parse failure.
    rapidjson::Document recv_json(std::chrono::milliseconds timeout);

    // Sends a close frame with `code` and waits (bounded) for the handshake.
    bool close(std::uint16_t code = 1000,
               std::chrono::milliseconds timeout = std::chrono::seconds(3));
    // Reads (buffering any messages) until the server closes; returns the
    // close code the server sent, or nullopt on timeout or a close without a
    // close frame.
    std::optional<int> wait_close(std::chrono::milliseconds timeout);
    // Closes the TCP socket without a close frame (a dropped connection).
    void drop();

    bool is_open() const;
    // True once a read ended with the connection gone (close frame, EOF, reset).
    bool closed() const;
    std::optional<int> close_code() const;
    const std::string& negotiated_subprotocol() const;
    const std::string& last_error() const;
    std::size_t buffered() const;
    // Messages buffered so far, oldest first (for failure messages).
    std::vector<std::string> pending() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sbtest
