#pragma once
// Helpers for the TURN integration tests (tests/integration/turn_*.cpp):
//
// - TurnTest: a ServerTest that starts the real binary with UDP/TCP/TLS TURN
//   listeners on ports from free_port() (retrying with fresh ports if one was
//   taken in the meantime) and learns them back from the "turn listening on"
//   log lines;
// - Subprocess: a child (coturn's turnutils_*) with its output in a file,
//   a bounded wait and SIGKILL on destruction;
// - StunSocket: one client connection (UDP, TCP or TLS) that sends STUN
//   messages and reads them back whole (datagrams, or frames cut from the
//   stream with the server's own stun::next_frame), every read bounded;
// - TurnClient: a small long-term-credential TURN client built on the
//   turn/stun codec (Allocate 401 -> REALM/NONCE -> MESSAGE-INTEGRITY, 438
//   handled, responses matched by transaction id and their integrity checked).
//
// Everything is loopback and single-threaded (the test thread). No Beast or
// Asio here: sockets are plain POSIX, TLS is OpenSSL directly.
// Implemented in turn_support.cpp (processes, server fixture, metrics),
// turn_stun_socket.cpp (StunSocket, UdpPeer) and turn_stun_client.cpp
// (decode_response, TurnClient).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/test_support.hpp"
#include "turn/stun/address.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/long_term_key.hpp"
#include "turn/stun/message.hpp"

namespace sbtest::turnit {

namespace stun = switchboard::turn::stun;
using Bytes = std::vector<std::uint8_t>;

// ---- coturn tools ----------------------------------------------------------

// "/usr/bin/<name>" when it exists and is executable, "" otherwise.
std::string coturn_tool(const std::string& name);

// GTEST_SKIP()s the calling test when a coturn tool is missing.
#define SB_REQUIRE_COTURN_TOOL(path_var, name)                                               \
    const std::string path_var = ::sbtest::turnit::coturn_tool(name);                        \
    if (path_var.empty()) {                                                                  \
        GTEST_SKIP() << (name) << " is not installed (package coturn); skipping the coturn " \
                     << "interoperability test";                                             \
    }

// A child process whose stdout+stderr go to a file. SIGKILLed (and reaped)
// on destruction if it is still running.
class Subprocess {
public:
    Subprocess(std::vector<std::string> argv, std::filesystem::path output);
    ~Subprocess();
    Subprocess(const Subprocess&) = delete;
    Subprocess& operator=(const Subprocess&) = delete;

    bool started() const { return pid_ > 0; }
    bool running();
    // Exit code (128+signal if killed), nullopt if still running at the deadline.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    void kill();
    std::string output() const;
    std::string command_line() const;

private:
    std::vector<std::string> argv_;
    std::filesystem::path output_;
    int pid_ = -1;
    std::optional<int> exit_code_;
};

// ---- server ----------------------------------------------------------------

struct TurnServerSpec {
    bool udp = true;
    bool tcp = true;
    bool tls = false;   // listen_tls with a fresh self-signed certificate
    bool udp6 = false;  // also listen_udp on [::1]
    // Raw YAML list, e.g. R"(["127.0.0.1/32"])".
    std::string allow_peers = "[]";
    bool require_active_session = false;
    std::string max_allocations_per_user = "1000";
    // Raw YAML members appended inside `turn: {...}`, e.g. "credential_ttl: 10m".
    std::string extra_turn;
    // Top-level `threads:` (worker threads); 0 = omitted (one per core).
    int threads = 0;
    // Raw YAML members appended inside `signaling: {...}`.
    std::string extra_signaling;
    // Raw YAML appended at top level, e.g. "shutdown: {drain: 2s}".
    std::string extra_top;
    Launch launch;
};

inline const std::string kTurnSecret = "turn-secret-0123456789abcdef0123456789";
inline const std::string kRealm = "switchboard";  // the config default

class TurnTest : public ServerTest {
protected:
    // Starts the server (a test failure if it does not come up after a few
    // attempts with fresh ports). Use as ASSERT_TRUE(start_turn(spec)).
    bool start_turn(const TurnServerSpec& spec);

    // Bound ports, from the server's "turn listening on ..." lines.
    std::uint16_t udp_port_ = 0;
    std::uint16_t tcp_port_ = 0;
    std::uint16_t tls_port_ = 0;
    std::uint16_t udp6_port_ = 0;

    // spec.tls: where the TURN certificate and key are (cert.pem, key.pem).
    std::filesystem::path cert_dir() const {
        return cert_dir_ ? cert_dir_->path() : std::filesystem::path();
    }

private:
    std::unique_ptr<TempDir> cert_dir_;
};

// REST credentials as the signaling side mints them:
// username "<now+ttl>:<user>", password base64(HMAC-SHA1(secret, username)).
struct RestCredentials {
    std::string username;
    std::string password;
};
RestCredentials rest_credentials(const std::string& user, std::int64_t ttl_seconds = 3600,
                                 const std::string& secret = kTurnSecret);

// Sum of the samples of `name` (any labels, or only those whose label set
// contains `label` like R"(method="Binding")") in Prometheus text; nullopt
// when there is none.
std::optional<double> metric_value(const std::string& metrics_text, const std::string& name,
                                   const std::string& label = "");

// ---- STUN over a socket ----------------------------------------------------

enum class Proto { udp, tcp, tls };
std::string to_string(Proto p);

class StunSocket {
public:
    ~StunSocket();
    StunSocket(const StunSocket&) = delete;
    StunSocket& operator=(const StunSocket&) = delete;

    // Connects (UDP: a connected datagram socket) to ip:port; TLS does the
    // handshake (certificate not verified). nullptr and *error otherwise.
    // `receive_buffer` > 0: SO_RCVBUF before connecting (a client that reads
    // slowly, or not at all, fills it soon).
    static std::unique_ptr<StunSocket> connect(
        Proto proto, const std::string& ip, std::uint16_t port, std::string* error = nullptr,
        std::chrono::milliseconds timeout = std::chrono::seconds(5), int receive_buffer = 0);

    Proto proto() const { return proto_; }
    // The local address (what the server should report as XOR-MAPPED-ADDRESS).
    stun::Address local_address() const;

    // Sends the bytes as one datagram (UDP) or one write (TCP/TLS).
    bool send(std::span<const std::uint8_t> bytes);
    // TCP/TLS: one byte per write with a pause between them (TCP_NODELAY is on).
    bool send_bytewise(std::span<const std::uint8_t> bytes, std::chrono::milliseconds pause);

    // The next whole message: a datagram, or a frame (STUN or ChannelData)
    // cut from the stream. nullopt on timeout, EOF, error, or a stream that
    // is out of step.
    std::optional<Bytes> receive(std::chrono::milliseconds timeout);

    // TCP/TLS: true once the server closed the connection (EOF or reset)
    // within `timeout`; anything received meanwhile is discarded.
    bool wait_closed(std::chrono::milliseconds timeout);

    const std::string& last_error() const { return error_; }
    // TLS: the subject of the server's certificate, e.g. "/CN=localhost".
    std::string peer_subject() const;

private:
    StunSocket() = default;
    // Raw reads: >0 bytes, 0 on EOF, -1 on error, -2 on timeout.
    long read_some(std::uint8_t* data, std::size_t size, std::chrono::milliseconds timeout);
    bool write_all(const std::uint8_t* data, std::size_t size);

    Proto proto_ = Proto::udp;
    int fd_ = -1;
    struct Tls;
    std::unique_ptr<Tls> tls_;
    Bytes stream_buffer_;
    std::string error_;
};

// ---- a decoded response ----------------------------------------------------

struct StunResponse {
    Bytes bytes;
    stun::Method method = stun::Method::binding;
    stun::MessageClass cls = stun::MessageClass::success_response;
    stun::TransactionId transaction_id;
    std::uint16_t error_code = 0;  // 0 for a success response
    std::string reason;
    std::string realm;
    std::string nonce;
    std::optional<stun::Address> xor_mapped;
    std::optional<stun::Address> xor_relayed;
    std::optional<stun::Address> xor_peer;
    std::optional<std::uint32_t> lifetime;
    bool has_integrity = false;
    bool has_fingerprint = false;

    bool success() const { return cls == stun::MessageClass::success_response; }
    // "Allocate success response" / "Refresh error 437 (Allocation Mismatch)".
    std::string describe() const;
};

std::optional<StunResponse> decode_response(std::span<const std::uint8_t> bytes);

std::ostream& operator<<(std::ostream& os, const StunResponse& r);

// A Binding request (with FINGERPRINT when asked).
Bytes binding_request(const stun::TransactionId& id, bool fingerprint = true);

// ---- TURN client -----------------------------------------------------------

class TurnClient {
public:
    TurnClient(std::unique_ptr<StunSocket> socket, std::string username, std::string password);

    // Connects and wraps; nullptr (and *error) if the connection failed.
    static std::unique_ptr<TurnClient> connect(Proto proto, const std::string& ip,
                                               std::uint16_t port, std::string username,
                                               std::string password, std::string* error = nullptr);

    StunSocket& socket() { return *socket_; }
    const std::string& username() const { return username_; }

    // Sends `request`, waits for the response with its transaction id
    // (other messages are kept in inbox()); UDP retransmits a few times.
    std::optional<StunResponse> transact(
        const stun::MessageBuilder& request,
        std::chrono::milliseconds timeout = std::chrono::seconds(3));

    // An authenticated request of `method`: `add_attributes` adds the
    // method's attributes; USERNAME, REALM, NONCE and MESSAGE-INTEGRITY
    // follow. Gets a REALM and NONCE first if it has none (by sending the
    // request without credentials and reading the 401), and retries once
    // with the new NONCE on a 438. The response's MESSAGE-INTEGRITY, when
    // present, must verify (integrity_ok() tells).
    std::optional<StunResponse> request(
        stun::Method method, const std::function<void(stun::MessageBuilder&)>& add_attributes);

    // The responses to the requests above (nullopt: no response in time).
    std::optional<StunResponse> allocate(std::optional<std::uint32_t> lifetime = {},
                                         std::optional<stun::Address::Family> family = {});
    std::optional<StunResponse> refresh(std::optional<std::uint32_t> lifetime = {});
    std::optional<StunResponse> create_permission(const std::vector<stun::Address>& peers);
    std::optional<StunResponse> channel_bind(std::uint16_t channel, const stun::Address& peer);
    std::optional<StunResponse> binding();

    bool send_indication(const stun::Address& peer, std::span<const std::uint8_t> data);
    bool send_channel_data(std::uint16_t channel, std::span<const std::uint8_t> data);

    // The next Data indication (peer, payload) or ChannelData (channel,
    // payload) from the server, looking at inbox() first.
    struct Incoming {
        bool channel_data = false;
        std::uint16_t channel = 0;
        std::optional<stun::Address> peer;
        Bytes payload;
    };
    std::optional<Incoming> receive_data(std::chrono::milliseconds timeout);

    // The first 401's REALM and NONCE (empty before any).
    const std::string& realm() const { return realm_; }
    const std::string& nonce() const { return nonce_; }
    // Did every integrity-protected response so far verify with our key?
    bool integrity_ok() const { return integrity_ok_; }
    // The key for the current realm.
    stun::LongTermKey key() const;

private:
    std::optional<StunResponse> send_authenticated(
        stun::Method method, const std::function<void(stun::MessageBuilder&)>& add);

    std::unique_ptr<StunSocket> socket_;
    std::string username_;
    std::string password_;
    std::string realm_;
    std::string nonce_;
    bool integrity_ok_ = true;
    std::vector<Bytes> inbox_;
};

// Milliseconds left until `deadline` (0 once it has passed), for poll().
int remaining_ms(std::chrono::steady_clock::time_point deadline);

// An IP literal as an Address of its own family (v4 for "a.b.c.d", v6
// otherwise, "::ffff:127.0.0.1" included), with `port`.
stun::Address address(const std::string& ip, std::uint16_t port = 0);

// A plain UDP socket on 127.0.0.1 (a peer), with bounded receive.
class UdpPeer {
public:
    UdpPeer();
    ~UdpPeer();
    UdpPeer(const UdpPeer&) = delete;
    UdpPeer& operator=(const UdpPeer&) = delete;
    bool ok() const { return fd_ >= 0; }
    stun::Address local_address() const;
    bool send_to(const stun::Address& to, std::span<const std::uint8_t> data);
    // Payload and sender of the next datagram.
    std::optional<std::pair<Bytes, stun::Address>> receive(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
};

Bytes to_bytes(const std::string& s);

}  // namespace sbtest::turnit
