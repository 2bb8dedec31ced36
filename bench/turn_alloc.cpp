// TURN allocation capacity: K clients on loopback each loop, as fast as the
// server answers: a new UDP socket, Allocate (401 challenge, then
// authenticated), Refresh(0), for a fixed time. Reports allocations per
// second and the server's CPU per allocation. Works against any TURN server
// with REST credentials (coturn's use-auth-secret).
//
//   turn_alloc --port P --secret S [--clients 64] [--seconds 5] [--pid PID]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "shared/crypto.hpp"
#include "shared/turn_credentials.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/lifetime.hpp"
#include "turn/stun/long_term_key.hpp"
#include "turn/stun/message.hpp"
#include "turn/stun/requested_transport.hpp"
#include "turn/stun/text_attributes.hpp"

namespace stun = switchboard::turn::stun;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds(long pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::vector<std::string> fields;
    std::string field;
    while (rest >> field) fields.push_back(field);
    return (std::stod(fields.at(11)) + std::stod(fields.at(12))) /
           static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Client {
    int fd = -1;
    enum class State { challenge, allocate, refresh } state = State::challenge;
    std::string realm, nonce;
    stun::LongTermKey key{};
    stun::TransactionId tid;
    Clock::time_point sent;
};

}  // namespace

int main(int argc, char** argv) {
    int port = 0, clients = 64, seconds = 5;
    long pid = 0;
    std::string secret;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--port")
            port = std::stoi(v);
        else if (k == "--clients")
            clients = std::stoi(v);
        else if (k == "--seconds")
            seconds = std::stoi(v);
        else if (k == "--pid")
            pid = std::stol(v);
        else if (k == "--secret")
            secret = v;
    }
    if (port == 0 || secret.empty()) {
        std::fprintf(
            stderr,
            "usage: turn_alloc --port P --secret S [--clients K] [--seconds N] [--pid PID]\n");
        return 2;
    }
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);

    const auto cred =
        switchboard::shared::mint_turn_credential(secret, "bench", std::time(nullptr), 3600);
    std::vector<Client> cs(static_cast<std::size_t>(clients));
    std::vector<pollfd> fds;
    for (auto& c : cs) {
        c.fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        ::connect(c.fd, reinterpret_cast<sockaddr*>(&server), sizeof server);
        fds.push_back({c.fd, POLLIN, 0});
    }
    auto new_socket = [&](std::size_t i) {
        ::close(cs[i].fd);
        cs[i].fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        ::connect(cs[i].fd, reinterpret_cast<sockaddr*>(&server), sizeof server);
        fds[i].fd = cs[i].fd;
        cs[i].state = Client::State::challenge;
    };
    auto send_request = [&](Client& c) {
        c.tid = stun::TransactionId::random();
        const auto method =
            c.state == Client::State::refresh ? stun::Method::refresh : stun::Method::allocate;
        stun::MessageBuilder b(method, stun::MessageClass::request, c.tid);
        if (method == stun::Method::allocate) stun::add_requested_transport(b, stun::kProtocolUdp);
        if (method == stun::Method::refresh) stun::add_lifetime(b, 0);
        if (c.state != Client::State::challenge) {
            stun::add_username(b, cred.username);
            stun::add_realm(b, c.realm);
            stun::add_nonce(b, c.nonce);
            b.add_message_integrity(c.key);
        }
        const auto bytes = b.bytes();
        ::send(c.fd, bytes.data(), bytes.size(), 0);
        c.sent = Clock::now();
    };
    for (auto& c : cs) send_request(c);

    const double cpu0 = pid ? cpu_seconds(pid) : 0;
    const auto start = Clock::now();
    const auto until = start + std::chrono::seconds(seconds);
    long allocations = 0, errors = 0, retransmits = 0;
    std::map<int, long> error_codes;
    std::vector<std::uint8_t> buf(2048);
    while (Clock::now() < until) {
        if (::poll(fds.data(), fds.size(), 50) < 0) break;
        for (std::size_t i = 0; i < cs.size(); ++i) {
            auto& c = cs[i];
            if (!(fds[i].revents & POLLIN)) {
                if (Clock::now() - c.sent > std::chrono::milliseconds(500)) {  // lost: start over
                    ++retransmits;
                    c.state = Client::State::challenge;
                    send_request(c);
                }
                continue;
            }
            const ssize_t n = ::recv(c.fd, buf.data(), buf.size(), 0);
            if (n <= 0) continue;
            auto parsed = stun::parse_message(
                std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
            auto* m = std::get_if<stun::MessageView>(&parsed);
            if (m == nullptr || !(m->transaction_id() == c.tid)) continue;
            if (m->message_class() == stun::MessageClass::error_response) {
                const auto* ec = m->find(stun::kAttrErrorCode);
                const auto code =
                    ec ? std::get<stun::ErrorCodeAttribute>(stun::decode_error_code(ec->value)).code
                       : 0;
                if (code == 401 || code == 438) {
                    if (const auto* r = m->find(stun::kAttrRealm))
                        c.realm =
                            std::string(std::get<std::string_view>(stun::decode_realm(r->value)));
                    if (const auto* no = m->find(stun::kAttrNonce))
                        c.nonce =
                            std::string(std::get<std::string_view>(stun::decode_nonce(no->value)));
                    c.key = stun::long_term_key(cred.username, c.realm, cred.password);
                    c.state = Client::State::allocate;
                } else {
                    ++errors;
                    ++error_codes[(c.state == Client::State::refresh ? 10000 : 0) + code];
                    new_socket(i);
                }
            } else if (c.state == Client::State::allocate) {
                ++allocations;
                c.state = Client::State::refresh;
            } else if (c.state == Client::State::refresh) {
                // A new socket (a new 5-tuple) for the next allocation: servers
                // may hold a deleted allocation's 5-tuple for a while (coturn
                // answers 437), and nonces may be bound to the 5-tuple.
                new_socket(i);
            }
            send_request(c);
        }
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(
        "%ld allocations in %.2f s: %.0f allocations/s (each followed by Refresh 0); %ld errors, "
        "%ld lost",
        allocations, secs, allocations / secs, errors, retransmits);
    if (pid) {
        const double cpu = cpu_seconds(pid) - cpu0;
        std::printf("; server CPU %.2f s (%.1f us per allocate+delete)", cpu,
                    cpu * 1e6 / std::max(1L, allocations));
    }
    std::printf("\n");
    for (const auto& [code, count] : error_codes) {
        std::printf("  %s error %d: %ld\n", code >= 10000 ? "Refresh" : "Allocate", code % 10000,
                    count);
    }
    for (auto& c : cs) ::close(c.fd);
    return allocations > 0 ? 0 : 1;
}
