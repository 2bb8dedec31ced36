// WebSocket load generator for signaling servers speaking PROTOCOL.md v1.
//
//   ws_load idle  --port P [--host H] [--conns N] [--pid PID] [--hold SECONDS]
//       Opens N connections, logs each in (userId u<i>) and joins room r<i/8>,
//       then reports the server's RSS (from /proc/PID/status) with all N idle.
//   ws_load relay --port P [--pairs N] [--messages M] [--pid PID]
//       N pairs in N rooms; each sender sends M signals (ack:false) to its
//       peer; reports delivered messages per second and the server's CPU time.
//
// Single-threaded Asio; every phase has a deadline, so it always ends.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string mode;
    std::string host = "127.0.0.1";
    std::string port;
    int conns = 1000;
    int pairs = 50;
    int messages = 2000;
    long pid = 0;
    int hold = 0;
};

long proc_field_kb(long pid, const std::string& field) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    }
    return -1;
}

double proc_cpu_seconds(long pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    std::vector<std::string> fields;
    while (rest >> field) fields.push_back(field);
    // fields[11], [12] are utime, stime (fields 14 and 15 of stat, 1-based).
    return (std::stod(fields.at(11)) + std::stod(fields.at(12))) /
           static_cast<double>(sysconf(_SC_CLK_TCK));
}

class Client : public std::enable_shared_from_this<Client> {
public:
    Client(asio::io_context& ioc, const Options& o, std::string user, std::string room)
        : ws_(ioc), opts_(o), user_(std::move(user)), room_(std::move(room)) {}

    void start(tcp::resolver::results_type const& endpoints) {
        beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
        beast::get_lowest_layer(ws_).async_connect(
            endpoints, [self = shared_from_this()](beast::error_code ec, auto) {
                if (ec) return self->fail("connect", ec);
                beast::get_lowest_layer(self->ws_).expires_never();
                self->ws_.set_option(
                    websocket::stream_base::timeout::suggested(beast::role_type::client));
                self->ws_.async_handshake(self->opts_.host, "/ws", [self](beast::error_code ec2) {
                    if (ec2) return self->fail("handshake", ec2);
                    self->send("{\"type\":\"login\",\"id\":1,\"userId\":\"" + self->user_ + "\"}");
                    self->send("{\"type\":\"join\",\"id\":2,\"roomId\":\"" + self->room_ + "\"}");
                    self->do_read();
                });
            });
    }

    void send(std::string text) {
        queue_.push_back(std::move(text));
        if (queue_.size() == 1) write_next();
    }

    bool joined() const { return joined_; }
    bool failed() const { return failed_; }
    long received_signals() const { return signals_; }
    void close() {
        beast::error_code ec;
        beast::get_lowest_layer(ws_).socket().close(ec);
    }

private:
    void write_next() {
        ws_.async_write(asio::buffer(queue_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->fail("write", ec);
                            self->queue_.erase(self->queue_.begin());
                            if (!self->queue_.empty()) self->write_next();
                        });
    }

    void do_read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->fail("read", ec);
            const auto text = beast::buffers_to_string(self->buffer_.data());
            self->buffer_.consume(self->buffer_.size());
            if (text.find("\"type\":\"join\"") != std::string::npos &&
                text.find("\"success\":true") != std::string::npos) {
                self->joined_ = true;
            } else if (text.rfind("{\"type\":\"signal\",\"roomId\"", 0) == 0) {
                ++self->signals_;
            }
            self->do_read();
        });
    }

    void fail(const char* what, beast::error_code ec) {
        if (!failed_ && ec != asio::error::operation_aborted && !closing_) {
            std::fprintf(stderr, "%s %s: %s\n", user_.c_str(), what, ec.message().c_str());
        }
        failed_ = true;
    }

    websocket::stream<beast::tcp_stream> ws_;
    const Options& opts_;
    std::string user_, room_;
    beast::flat_buffer buffer_;
    std::vector<std::string> queue_;
    bool joined_ = false, failed_ = false, closing_ = false;
    long signals_ = 0;
};

// Runs the io_context until pred() or the deadline.
template <class Pred>
bool run_until(asio::io_context& ioc, Pred pred, std::chrono::seconds deadline) {
    const auto until = Clock::now() + deadline;
    while (!pred() && Clock::now() < until) {
        ioc.run_for(std::chrono::milliseconds(20));
        if (ioc.stopped()) ioc.restart();
    }
    return pred();
}

int idle(const Options& o) {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(o.host, o.port);
    const long rss_before = o.pid ? proc_field_kb(o.pid, "VmRSS") : -1;
    std::vector<std::shared_ptr<Client>> clients;
    const auto t0 = Clock::now();
    for (int i = 0; i < o.conns; ++i) {
        clients.push_back(
            std::make_shared<Client>(ioc, o, "u" + std::to_string(i), "r" + std::to_string(i / 8)));
        clients.back()->start(endpoints);
        if (i % 100 == 99) ioc.run_for(std::chrono::milliseconds(5));  // let handshakes progress
    }
    auto all_joined = [&] {
        for (auto& c : clients)
            if (!c->joined() && !c->failed()) return false;
        return true;
    };
    run_until(ioc, all_joined, std::chrono::seconds(60));
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    int joined = 0;
    for (auto& c : clients) joined += c->joined();
    // Let the server settle (allocator, queues) before sampling.
    run_until(
        ioc, [] { return false; }, std::chrono::seconds(2));
    std::printf("connections joined: %d/%d in %.2f s\n", joined, o.conns, secs);
    if (o.pid) {
        const long rss = proc_field_kb(o.pid, "VmRSS");
        std::printf(
            "server RSS: before %ld KiB, with %d idle connections %ld KiB (%.1f KiB per "
            "connection)\n",
            rss_before, joined, rss, joined ? double(rss - rss_before) / joined : 0.0);
    }
    if (o.hold > 0)
        run_until(
            ioc, [] { return false; }, std::chrono::seconds(o.hold));
    for (auto& c : clients) c->close();
    ioc.run_for(std::chrono::milliseconds(200));
    return joined == o.conns ? 0 : 1;
}

int relay(const Options& o) {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(o.host, o.port);
    std::vector<std::shared_ptr<Client>> senders, receivers;
    for (int i = 0; i < o.pairs; ++i) {
        const std::string room = "bench" + std::to_string(i);
        senders.push_back(std::make_shared<Client>(ioc, o, "s" + std::to_string(i), room));
        receivers.push_back(std::make_shared<Client>(ioc, o, "d" + std::to_string(i), room));
        senders.back()->start(endpoints);
        receivers.back()->start(endpoints);
    }
    auto all_joined = [&] {
        for (auto* v : {&senders, &receivers})
            for (auto& c : *v)
                if (!c->joined()) return false;
        return true;
    };
    if (!run_until(ioc, all_joined, std::chrono::seconds(30))) {
        std::fprintf(stderr, "not every client joined\n");
        return 1;
    }
    const std::string candidate =
        R"({"candidate":"candidate:842163049 1 udp 1677729535 198.51.100.7 53127 typ srflx raddr 10.0.0.2 rport 53127 generation 0","sdpMid":"0","sdpMLineIndex":0})";
    const double cpu0 = o.pid ? proc_cpu_seconds(o.pid) : 0;
    const auto t0 = Clock::now();
    for (int m = 0; m < o.messages; ++m) {
        for (int i = 0; i < o.pairs; ++i) {
            senders[i]->send(R"({"type":"signal","ack":false,"to":"d)" + std::to_string(i) +
                             R"(","data":)" + candidate + "}");
        }
        if (m % 50 == 49) ioc.poll();
    }
    const long expected = static_cast<long>(o.pairs) * o.messages;
    auto delivered = [&] {
        long n = 0;
        for (auto& r : receivers) n += r->received_signals();
        return n;
    };
    run_until(
        ioc, [&] { return delivered() >= expected; }, std::chrono::seconds(120));
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = o.pid ? proc_cpu_seconds(o.pid) - cpu0 : 0;
    std::printf("delivered %ld/%ld signals in %.2f s: %.0f msg/s", delivered(), expected, secs,
                delivered() / secs);
    if (o.pid)
        std::printf(", server CPU %.2f s (%.1f us per message)", cpu,
                    cpu * 1e6 / std::max(1L, delivered()));
    std::printf("\n");
    for (auto* v : {&senders, &receivers})
        for (auto& c : *v) c->close();
    ioc.run_for(std::chrono::milliseconds(200));
    return delivered() == expected ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: ws_load idle|relay --port P [--conns N] [--pairs N] [--messages M] "
                     "[--pid PID] [--hold S]\n");
        return 2;
    }
    o.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--port")
            o.port = v;
        else if (k == "--host")
            o.host = v;
        else if (k == "--conns")
            o.conns = std::stoi(v);
        else if (k == "--pairs")
            o.pairs = std::stoi(v);
        else if (k == "--messages")
            o.messages = std::stoi(v);
        else if (k == "--pid")
            o.pid = std::stol(v);
        else if (k == "--hold")
            o.hold = std::stoi(v);
    }
    if (o.port.empty()) return 2;
    return o.mode == "idle" ? idle(o) : relay(o);
}
