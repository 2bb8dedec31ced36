// A lean WebSocket load generator for signaling servers that speak the
// login/join/signal subset of PROTOCOL.md v1 (Switchboard, and the Node and
// Bun baselines in bench/). One thread, raw epoll, frames built once and
// written in batches, replies counted by their header: it costs the
// generator far less per message than it costs any server, so the server
// saturates first (each run prints the generator's own CPU to show it).
//
//   sig_load idle   --port P --pid PID [--conns 10000] [--tls]
//       N connections log in (u<i>) and join rooms of 8 (r<i/8>), then idle;
//       prints the server's RSS growth per connection.
//   sig_load setup  --port P --pid PID [--conns 1000] [--tls]
//       N x (TLS handshake + upgrade + login + join); server CPU per connection.
//   sig_load relay  --port P --pid PID [--pairs 50] [--messages 2000] [--window 64]
//       directed signals at saturation: delivered/s, server CPU per message.
//   sig_load rate   --port P --pid PID [--conns 1000] [--rate 10000] [--seconds 10]
//       directed signals at a fixed total rate: latency p50/p99/max, CPU per message.
//   sig_load fanout --port P --pid PID [--rooms 4] [--members 16] [--rate 20] [--seconds 10]
//       every member broadcasts to its room at RATE/s: latency per delivery, CPU per delivery.
//   sig_load jitter [--seconds 10]
//       no server: how late a 1 ms sleep wakes up on this box (p50/p99/max),
//       the floor under any latency percentile measured here.
//
// Every phase has a deadline; the run always ends.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

struct Options {
    std::string mode;
    int port = 0;
    long pid = 0;
    int conns = 0;
    int pairs = 50;
    int messages = 2000;
    int window = 64;
    int rate = 0;
    int seconds = 10;
    int rooms = 4;
    int members = 16;
    bool tls = false;
};

long rss_kib(long pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

double cpu_seconds(long pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::vector<std::string> fields;
    for (std::string x; rest >> x;) fields.push_back(x);
    return (std::stod(fields.at(11)) + std::stod(fields.at(12))) /
           static_cast<double>(sysconf(_SC_CLK_TCK));
}

double self_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// A masked client text frame with a zero mask key: the payload goes as is.
void append_frame(std::string& out, std::string_view payload, std::uint8_t opcode = 0x1) {
    out.push_back(static_cast<char>(0x80 | opcode));
    const std::size_t n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<char>(0x80 | n));
    } else if (n < 65536) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int i = 0; i < 8; ++i)
            out.push_back(static_cast<char>(static_cast<std::uint64_t>(n) >> (56 - 8 * i)));
    }
    out.append(4, '\0');
    out.append(payload);
}

// The signal's data: a trickle-ICE candidate, and the send time.
std::string signal_frame(std::string_view to, std::int64_t t) {
    std::string p = R"({"type":"signal","ack":false,)";
    if (!to.empty()) p += R"("to":")" + std::string(to) + R"(",)";
    p +=
        R"("data":{"candidate":"candidate:842163049 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 10.0.0.2 rport 54321 generation 0","sdpMid":"0","t":)";
    p += std::to_string(t) + "}}";
    std::string f;
    append_frame(f, p);
    return f;
}

class Loop;

class Conn {
public:
    enum class State { connecting, tls, upgrading, open, closed };
    Conn(Loop& loop, int i, std::string u, std::string r)
        : index(i), user(std::move(u)), room(std::move(r)), loop_(loop) {}
    ~Conn() {
        if (ssl_) SSL_free(ssl_);
        if (fd_ >= 0) ::close(fd_);
    }

    bool connect(int port, SSL_CTX* tls);
    void send(std::string_view bytes);
    void on_event(std::uint32_t events);
    State state() const { return state_; }

    const int index;
    const std::string user, room;
    bool joined = false;
    std::int64_t received = 0;
    std::function<void(Conn&, std::string_view)> on_text;

private:
    bool flush();
    void read_frames();
    void set_events();
    int io_read(char* buf, int n);
    int io_write(const char* buf, int n);
    void fail(const char* what);

    Loop& loop_;
    int fd_ = -1;
    SSL* ssl_ = nullptr;
    State state_ = State::connecting;
    std::string out_, in_;
    std::string early_;  // frames queued before the upgrade completed
    bool want_out_ = false;
};

class Loop {
public:
    Loop() : ep_(epoll_create1(EPOLL_CLOEXEC)) {}
    int fd() const { return ep_; }
    // Runs until `done()` or the deadline; `tick()` every millisecond.
    bool run(const std::function<bool()>& done, Clock::duration limit,
             const std::function<void()>& tick = {}) {
        const auto deadline = Clock::now() + limit;
        epoll_event events[512];
        while (!done()) {
            if (Clock::now() >= deadline) return false;
            const int n = epoll_wait(ep_, events, 512, tick ? 1 : 20);
            for (int i = 0; i < n; ++i)
                static_cast<Conn*>(events[i].data.ptr)->on_event(events[i].events);
            if (tick) tick();
        }
        return true;
    }
    int failures = 0;

private:
    int ep_;
};

bool Conn::connect(int port, SSL_CTX* tls) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)
        return false;
    if (tls) {
        ssl_ = SSL_new(tls);
        SSL_set_fd(ssl_, fd_);
        SSL_set_connect_state(ssl_);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.ptr = this;
    epoll_ctl(loop_.fd(), EPOLL_CTL_ADD, fd_, &ev);
    want_out_ = true;
    return true;
}

void Conn::set_events() {
    const bool want = !out_.empty() || state_ == State::connecting;
    if (want == want_out_) return;
    want_out_ = want;
    epoll_event ev{};
    ev.events = want ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.ptr = this;
    epoll_ctl(loop_.fd(), EPOLL_CTL_MOD, fd_, &ev);
}

void Conn::fail(const char* what) {
    if (state_ == State::closed) return;
    if (loop_.failures++ < 5) std::fprintf(stderr, "connection %d: %s\n", index, what);
    state_ = State::closed;
    epoll_ctl(loop_.fd(), EPOLL_CTL_DEL, fd_, nullptr);
}

int Conn::io_read(char* buf, int n) {
    if (!ssl_) return static_cast<int>(::recv(fd_, buf, static_cast<std::size_t>(n), 0));
    ERR_clear_error();
    const int r = SSL_read(ssl_, buf, n);
    if (r > 0) return r;
    const int e = SSL_get_error(ssl_, r);
    errno = (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) ? EAGAIN : EPIPE;
    return e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

int Conn::io_write(const char* buf, int n) {
    if (!ssl_) return static_cast<int>(::send(fd_, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL));
    ERR_clear_error();
    const int r = SSL_write(ssl_, buf, n);
    if (r > 0) return r;
    const int e = SSL_get_error(ssl_, r);
    errno = (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) ? EAGAIN : EPIPE;
    return -1;
}

void Conn::send(std::string_view bytes) {
    // Frames wait for the 101, as a browser's do.
    if (state_ != State::open) {
        early_.append(bytes);
        return;
    }
    out_.append(bytes);
    flush();
    set_events();
}

bool Conn::flush() {
    while (!out_.empty()) {
        const int n =
            io_write(out_.data(), static_cast<int>(std::min<std::size_t>(out_.size(), 1 << 20)));
        if (n > 0) {
            out_.erase(0, static_cast<std::size_t>(n));
            continue;
        }
        if (errno == EAGAIN) return true;
        fail("write failed");
        return false;
    }
    return true;
}

void Conn::on_event(std::uint32_t events) {
    if (state_ == State::closed) return;
    if (state_ == State::connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) return fail("connect failed");
        state_ = ssl_ ? State::tls : State::upgrading;
        if (!ssl_) {
            out_.insert(
                0,
                "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: "
                "Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        }
    }
    if (state_ == State::tls) {
        ERR_clear_error();
        const int r = SSL_do_handshake(ssl_);
        if (r != 1) {
            const int e = SSL_get_error(ssl_, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                return fail("TLS handshake failed");
            return set_events();
        }
        state_ = State::upgrading;
        out_.insert(
            0,
            "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    }
    if ((events & EPOLLOUT) || !out_.empty()) {
        if (!flush()) return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        char buf[65536];
        for (;;) {
            const int n = io_read(buf, sizeof buf);
            if (n > 0) {
                in_.append(buf, static_cast<std::size_t>(n));
                if (n < static_cast<int>(sizeof buf) && !ssl_) break;
                continue;
            }
            if (n < 0 && errno == EAGAIN) break;
            return fail(n == 0 ? "closed by the server" : "read failed");
        }
        read_frames();
    }
    set_events();
}

void Conn::read_frames() {
    if (state_ == State::upgrading) {
        const auto end = in_.find("\r\n\r\n");
        if (end == std::string::npos) return;
        if (in_.compare(0, 12, "HTTP/1.1 101") != 0) return fail("upgrade refused");
        in_.erase(0, end + 4);
        state_ = State::open;
        out_ += early_;
        std::string().swap(early_);
    }
    std::size_t at = 0;
    while (in_.size() - at >= 2) {
        const auto b0 = static_cast<std::uint8_t>(in_[at]);
        std::uint64_t n = static_cast<std::uint8_t>(in_[at + 1]) & 0x7F;
        std::size_t header = 2;
        if (n == 126) {
            if (in_.size() - at < 4) break;
            n = (std::uint64_t{static_cast<std::uint8_t>(in_[at + 2])} << 8) |
                static_cast<std::uint8_t>(in_[at + 3]);
            header = 4;
        } else if (n == 127) {
            if (in_.size() - at < 10) break;
            n = 0;
            for (int i = 2; i < 10; ++i) n = (n << 8) | static_cast<std::uint8_t>(in_[at + i]);
            header = 10;
        }
        if (in_.size() - at < header + n) break;
        const std::string_view payload(in_.data() + at + header, n);
        const int op = b0 & 0x0F;
        if (op == 0x9) {  // ping: answer
            std::string pong;
            append_frame(pong, payload, 0xA);
            out_ += pong;
        } else if (op == 0x1) {
            ++received;
            if (on_text) on_text(*this, payload);
        } else if (op == 0x8) {
            fail("closed by the server");
            return;
        }
        at += header + n;
    }
    in_.erase(0, at);
    if (!out_.empty()) flush();
}

struct Population {
    Loop loop;
    std::vector<std::unique_ptr<Conn>> conns;
    SSL_CTX* tls = nullptr;
};

// Connects every connection (at most 256 handshakes in flight), logs each in
// and joins it; true when all are joined.
bool bring_up(Population& p, int port, Clock::duration limit) {
    int next = 0, in_flight = 0, joined = 0;
    const int total = static_cast<int>(p.conns.size());
    for (auto& c : p.conns) {
        c->on_text = [&](Conn& self, std::string_view text) {
            if (!self.joined && text.find(R"("type":"join")") != std::string_view::npos &&
                text.find(R"("success":true)") != std::string_view::npos) {
                self.joined = true;
                ++joined;
                --in_flight;
            }
        };
    }
    const bool ok = p.loop.run(
        [&] { return joined == total || p.loop.failures > 0; }, limit,
        [&] {
            while (next < total && in_flight < (p.tls ? 64 : 256)) {
                Conn& c = *p.conns[static_cast<std::size_t>(next++)];
                ++in_flight;
                if (!c.connect(port, p.tls)) {
                    ++p.loop.failures;
                    return;
                }
                std::string hello;
                append_frame(hello, R"({"type":"login","id":1,"userId":")" + c.user + R"("})");
                append_frame(hello, R"({"type":"join","id":2,"roomId":")" + c.room + R"("})");
                c.send(hello);
            }
        });
    for (auto& c : p.conns) c->on_text = nullptr;
    return ok && joined == total;
}

SSL_CTX* client_tls() {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return ctx;
}

std::int64_t sent_at(std::string_view text) {
    const auto at = text.find(R"("t":)");
    if (at == std::string_view::npos) return -1;
    std::int64_t t = 0;
    for (std::size_t i = at + 4; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
        t = t * 10 + (text[i] - '0');
    return t;
}

void print_latency(std::vector<std::int64_t>& ns) {
    if (ns.empty()) return void(std::printf("no deliveries\n"));
    std::sort(ns.begin(), ns.end());
    const auto q = [&](double f) {
        return static_cast<double>(
                   ns[static_cast<std::size_t>(f * static_cast<double>(ns.size() - 1))]) /
               1e6;
    };
    std::printf("latency ms: p50 %.3f p99 %.3f p99.9 %.3f max %.3f (n=%zu)\n", q(0.5), q(0.99),
                q(0.999), static_cast<double>(ns.back()) / 1e6, ns.size());
}

// Timer wake-up lateness: 1 ms sleeps for `seconds`.
int jitter(int seconds) {
    std::vector<std::int64_t> late;
    const auto end = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < end) {
        const auto t = now_ns();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        late.push_back(now_ns() - t - 1'000'000);
    }
    std::sort(late.begin(), late.end());
    const auto q = [&](double f) {
        return static_cast<double>(
                   late[static_cast<std::size_t>(f * static_cast<double>(late.size() - 1))]) /
               1e6;
    };
    std::printf(
        "jitter: a 1 ms sleep wakes late by ms: p50 %.3f p99 %.3f p99.9 %.3f max %.3f (n=%zu)\n",
        q(0.5), q(0.99), q(0.999), static_cast<double>(late.back()) / 1e6, late.size());
    return 0;
}

int run(const Options& o) {
    if (o.mode == "jitter") return jitter(o.seconds > 0 ? o.seconds : 10);
    Population p;
    if (o.tls) p.tls = client_tls();
    // The generator's own CPU over the measured phase: below 100% it is
    // not what limits the rate.
    double gen0 = self_cpu_seconds();
    auto wall0 = Clock::now();
    auto measure_self = [&] {
        gen0 = self_cpu_seconds();
        wall0 = Clock::now();
    };
    auto report_self = [&] {
        const double wall = std::chrono::duration<double>(Clock::now() - wall0).count();
        std::printf("load generator CPU: %.0f%% of one core\n",
                    100.0 * (self_cpu_seconds() - gen0) / wall);
    };

    if (o.mode == "idle" || o.mode == "setup") {
        const int n = o.conns > 0 ? o.conns : (o.mode == "idle" ? 10000 : 1000);
        for (int i = 0; i < n; ++i)
            p.conns.push_back(std::make_unique<Conn>(p.loop, i, "u" + std::to_string(i),
                                                     "r" + std::to_string(i / 8)));
        const long rss0 = rss_kib(o.pid);
        const double cpu0 = cpu_seconds(o.pid);
        if (!bring_up(p, o.port, std::chrono::seconds(300)))
            return std::fprintf(stderr, "bring-up failed\n"), 1;
        const double cpu = cpu_seconds(o.pid) - cpu0;
        std::this_thread::sleep_for(std::chrono::seconds(2));              // let the server settle
        p.loop.run([] { return false; }, std::chrono::milliseconds(500));  // answer pings meanwhile
        const long rss1 = rss_kib(o.pid);
        std::printf(
            "%s: %d connections%s: server RSS %ld -> %ld KiB, %.2f KiB per connection; "
            "server CPU %.1f us per connection (handshake, upgrade, login, join)\n",
            o.mode.c_str(), n, o.tls ? " over TLS" : "", rss0, rss1,
            static_cast<double>(rss1 - rss0) / n, cpu * 1e6 / n);
        report_self();
        return 0;
    }

    if (o.mode == "relay" || o.mode == "rate") {
        const int pairs =
            o.mode == "relay" ? o.pairs : std::max(1, (o.conns > 0 ? o.conns : 1000) / 2);
        for (int i = 0; i < pairs; ++i) {
            p.conns.push_back(std::make_unique<Conn>(p.loop, 2 * i, "s" + std::to_string(i),
                                                     "p" + std::to_string(i)));
            p.conns.push_back(std::make_unique<Conn>(p.loop, 2 * i + 1, "r" + std::to_string(i),
                                                     "p" + std::to_string(i)));
        }
        if (!bring_up(p, o.port, std::chrono::seconds(120)))
            return std::fprintf(stderr, "bring-up failed\n"), 1;
        // A round with no load first, so that join events are out of the way.
        p.loop.run([] { return false; }, std::chrono::milliseconds(300));
        for (auto& c : p.conns) c->received = 0;
        std::vector<std::int64_t> latencies;
        std::int64_t delivered = 0;
        for (int i = 0; i < pairs; ++i) {
            p.conns[static_cast<std::size_t>(2 * i + 1)]->on_text = [&](Conn&,
                                                                        std::string_view text) {
                ++delivered;
                if (o.mode == "rate") latencies.push_back(now_ns() - sent_at(text));
            };
        }
        const double cpu0 = cpu_seconds(o.pid);
        measure_self();
        const auto t0 = Clock::now();
        std::int64_t sent = 0;
        bool ok = false;
        if (o.mode == "relay") {
            std::vector<std::int64_t> sent_by(static_cast<std::size_t>(pairs), 0);
            const std::int64_t total = static_cast<std::int64_t>(pairs) * o.messages;
            ok = p.loop.run([&] { return delivered == total; }, std::chrono::seconds(120),
                            [&] {
                                for (int i = 0; i < pairs; ++i) {
                                    auto& s = sent_by[static_cast<std::size_t>(i)];
                                    const auto& r = *p.conns[static_cast<std::size_t>(2 * i + 1)];
                                    std::string batch;
                                    while (s < o.messages && s - r.received < o.window) {
                                        batch += signal_frame("r" + std::to_string(i), now_ns());
                                        ++s;
                                    }
                                    if (!batch.empty())
                                        p.conns[static_cast<std::size_t>(2 * i)]->send(batch);
                                }
                            });
            sent = total;
        } else {
            const int rate = o.rate > 0 ? o.rate : 10000;
            const std::int64_t total = static_cast<std::int64_t>(rate) * o.seconds;
            int next = 0;
            ok =
                p.loop.run([&] { return delivered == total; }, std::chrono::seconds(o.seconds + 30),
                           [&] {
                               const auto due = static_cast<std::int64_t>(
                                   std::chrono::duration<double>(Clock::now() - t0).count() * rate);
                               while (sent < std::min(due, total)) {
                                   const int i = next++ % pairs;
                                   p.conns[static_cast<std::size_t>(2 * i)]->send(
                                       signal_frame("r" + std::to_string(i), now_ns()));
                                   ++sent;
                               }
                           });
        }
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        const double cpu = cpu_seconds(o.pid) - cpu0;
        std::printf(
            "%s: %lld of %lld delivered in %.2f s: %.0f msg/s; server CPU %.2f s, %.2f us per "
            "message%s\n",
            o.mode.c_str(), static_cast<long long>(delivered), static_cast<long long>(sent), wall,
            static_cast<double>(delivered) / wall, cpu,
            cpu * 1e6 / static_cast<double>(std::max<std::int64_t>(delivered, 1)),
            ok ? "" : " (INCOMPLETE)");
        if (o.mode == "rate") print_latency(latencies);
        report_self();
        return ok ? 0 : 1;
    }

    if (o.mode == "fanout") {
        const int rooms = o.rooms, members = o.members, rate = o.rate > 0 ? o.rate : 20;
        for (int r = 0; r < rooms; ++r) {
            for (int m = 0; m < members; ++m) {
                p.conns.push_back(std::make_unique<Conn>(
                    p.loop, r * members + m, "f" + std::to_string(r) + "_" + std::to_string(m),
                    "room" + std::to_string(r)));
            }
        }
        if (!bring_up(p, o.port, std::chrono::seconds(60)))
            return std::fprintf(stderr, "bring-up failed\n"), 1;
        p.loop.run([] { return false; }, std::chrono::milliseconds(300));
        std::vector<std::int64_t> latencies;
        std::int64_t delivered = 0;
        for (auto& c : p.conns) {
            c->on_text = [&](Conn&, std::string_view text) {
                if (text.find(R"("type":"signal")") == std::string_view::npos) return;
                ++delivered;
                latencies.push_back(now_ns() - sent_at(text));
            };
        }
        const std::int64_t per_member = static_cast<std::int64_t>(rate) * o.seconds;
        const std::int64_t expected = per_member * rooms * members * (members - 1);
        std::vector<std::int64_t> sent(p.conns.size(), 0);
        const double cpu0 = cpu_seconds(o.pid);
        measure_self();
        const auto t0 = Clock::now();
        const bool ok = p.loop.run(
            [&] { return delivered == expected; }, std::chrono::seconds(o.seconds + 30),
            [&] {
                const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
                for (std::size_t i = 0; i < p.conns.size(); ++i) {
                    // Members start staggered across the first period, like real clients.
                    const double offset =
                        static_cast<double>(i) / static_cast<double>(p.conns.size()) / rate;
                    const auto due = std::min<std::int64_t>(
                        per_member, static_cast<std::int64_t>((elapsed - offset) * rate) + 1);
                    while (sent[i] < due) {
                        p.conns[i]->send(signal_frame("", now_ns()));
                        ++sent[i];
                    }
                }
            });
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        const double cpu = cpu_seconds(o.pid) - cpu0;
        std::printf(
            "fanout: %d rooms of %d, %d msg/s each: %lld of %lld deliveries in %.2f s; server CPU "
            "%.2f s, "
            "%.2f us per delivery%s\n",
            rooms, members, rate, static_cast<long long>(delivered),
            static_cast<long long>(expected), wall, cpu,
            cpu * 1e6 / static_cast<double>(std::max<std::int64_t>(delivered, 1)),
            ok ? "" : " (INCOMPLETE)");
        print_latency(latencies);
        report_self();
        return ok ? 0 : 1;
    }
    std::fprintf(stderr, "unknown mode %s\n", o.mode.c_str());
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (argc < 2) {
        std::fprintf(
            stderr,
            "usage: sig_load idle|setup|relay|rate|fanout|jitter --port P --pid PID [options]\n");
        return 2;
    }
    o.mode = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::stol(argv[++i]) : 0L; };
        if (a == "--port")
            o.port = static_cast<int>(next());
        else if (a == "--pid")
            o.pid = next();
        else if (a == "--conns")
            o.conns = static_cast<int>(next());
        else if (a == "--pairs")
            o.pairs = static_cast<int>(next());
        else if (a == "--messages")
            o.messages = static_cast<int>(next());
        else if (a == "--window")
            o.window = static_cast<int>(next());
        else if (a == "--rate")
            o.rate = static_cast<int>(next());
        else if (a == "--seconds")
            o.seconds = static_cast<int>(next());
        else if (a == "--rooms")
            o.rooms = static_cast<int>(next());
        else if (a == "--members")
            o.members = static_cast<int>(next());
        else if (a == "--tls")
            o.tls = true;
        else
            return std::fprintf(stderr, "unknown option %s\n", a.c_str()), 2;
    }
    rlimit nofile{65536, 65536};
    setrlimit(RLIMIT_NOFILE, &nofile);
    return run(o);
}
