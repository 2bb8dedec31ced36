// Under systemd (Type=notify, WatchdogSec=): the service manager's
// notification protocol, seen from the socket systemd would listen on, and
// the start-up refusal that the unit's address-family sandbox could cause.

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "tests/integration/http_client.hpp"
#include "tests/integration/turn_support.hpp"

namespace sbtest::turnit {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// The datagram socket a service manager listens on (NOTIFY_SOCKET).
class NotifySocket {
public:
    NotifySocket() : path_(dir_.path() / "notify") {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const std::string p = path_.string();
        if (fd_ >= 0 && p.size() < sizeof addr.sun_path) {
            std::copy(p.begin(), p.end(), addr.sun_path);
            ok_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
        }
    }
    ~NotifySocket() {
        if (fd_ >= 0) ::close(fd_);
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    bool ok() const { return ok_; }
    std::string env() const { return "NOTIFY_SOCKET=" + path_.string(); }

    // The next datagram, or nullopt after `timeout`.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) {
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, timeout.count() == 0 ? MSG_DONTWAIT : 0);
        if (n < 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }

    // Every datagram up to and including the first that holds `line` as one
    // of its lines; `found` says whether it came within `timeout`.
    std::vector<std::string> until(const std::string& line, std::chrono::milliseconds timeout,
                                   bool& found) {
        std::vector<std::string> seen;
        found = false;
        const auto deadline = Steady::now() + timeout;
        while (!found && Steady::now() < deadline) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
            auto d = receive(std::max(left, 1ms));
            if (!d) break;
            found = has_line(*d, line);
            seen.push_back(std::move(*d));
        }
        return seen;
    }

    static bool has_line(const std::string& datagram, const std::string& line) {
        return ("\n" + datagram + "\n").find("\n" + line + "\n") != std::string::npos;
    }

private:
    TempDir dir_;
    std::filesystem::path path_;
    int fd_ = -1;
    bool ok_ = false;
};

std::string datagrams_text(const std::vector<std::string>& datagrams) {
    std::string out;
    for (const auto& d : datagrams) out += "[" + d + "] ";
    return out;
}

class SystemdTest : public TurnTest {
protected:
    // Starts the server with every kind of listener (signaling, metrics, TURN
    // udp/tcp/tls) and the notify socket in its environment.
    bool start_notified(std::vector<std::string> env = {}) {
        if (!notify_.ok()) {
            ADD_FAILURE() << "cannot bind the notify socket";
            return false;
        }
        metrics_port_ = free_port();
        TurnServerSpec spec;
        spec.tls = true;
        spec.extra_top = "metrics: {listen: \"127.0.0.1:" + std::to_string(metrics_port_) + "\"}";
        env_ = std::move(env);
        env_.push_back(notify_.env());
        spec.launch.env = env_;
        return start_turn(spec);
    }

    NotifySocket notify_;
    std::vector<std::string> env_;
    std::uint16_t metrics_port_ = 0;
};

TEST_F(SystemdTest, ReadyComesOnceEveryListenerAnswers) {
    ASSERT_TRUE(start_notified());
    bool ready = false;
    const auto seen = notify_.until("READY=1", 10s, ready);
    ASSERT_TRUE(ready) << "no READY=1; datagrams: " << datagrams_text(seen) << "\nlog:\n"
                       << server_->log();
    EXPECT_NE(seen.back().find("STATUS=serving ws://127.0.0.1:" + std::to_string(server_->port()) +
                               "/ws"),
              std::string::npos)
        << seen.back();

    // On the word, with no retry: every listener answers.
    EXPECT_EQ(http_get(server_->port(), "/healthz").status, 200);
    EXPECT_EQ(http_get(metrics_port_, "/metrics").status, 200);
    const auto creds = rest_credentials("alice");
    for (const auto& [proto, port] :
         {std::pair{Proto::udp, udp_port_}, std::pair{Proto::tcp, tcp_port_},
          std::pair{Proto::tls, tls_port_}}) {
        std::string error;
        auto c =
            TurnClient::connect(proto, "127.0.0.1", port, creds.username, creds.password, &error);
        ASSERT_TRUE(c) << to_string(proto) << ": " << error;
        const auto r = c->binding();
        EXPECT_TRUE(r && r->success()) << to_string(proto);
    }
    // No watchdog was asked for, so none is sent.
    for (const auto& d : seen) EXPECT_FALSE(NotifySocket::has_line(d, "WATCHDOG=1")) << d;
}

TEST_F(SystemdTest, NoReadyWhenTheLastListenerCannotBind) {
    ASSERT_TRUE(notify_.ok());
    // The metrics listener is bound last: hold its port.
    const int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(holder, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(holder, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(holder, 1), 0);
    ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    const std::string yaml =
        "log: {level: debug}\nsignaling: {listen: \"127.0.0.1:0\", static_dir: \"\"}\n"
        "turn: {secret: \"" +
        kTurnSecret +
        "\", listen_udp: [\"127.0.0.1:0\"], listen_tcp: []}\n"
        "metrics: {listen: \"127.0.0.1:" +
        std::to_string(ntohs(addr.sin_port)) + "\"}\n";
    Launch launch;
    launch.env = {notify_.env()};
    auto server = ServerProcess::from_yaml(yaml, 10s, launch);
    const auto code = server.wait_exit(10s);
    ::close(holder);
    ASSERT_TRUE(code) << "still running with its metrics port taken";
    EXPECT_EQ(*code, 1) << server.log();
    // Whatever it sent is in the socket's queue by now.
    while (const auto d = notify_.receive(0ms))
        EXPECT_FALSE(NotifySocket::has_line(*d, "READY=1")) << *d;
}

TEST_F(SystemdTest, ReloadIsBracketedByReloadingAndReady) {
    ASSERT_TRUE(start_notified());
    bool found = false;
    notify_.until("READY=1", 10s, found);
    ASSERT_TRUE(found);
    server_->send_signal(SIGHUP);
    const auto seen = notify_.until("READY=1", 10s, found);
    ASSERT_TRUE(found) << "no READY=1 after SIGHUP: " << datagrams_text(seen);
    ASSERT_GE(seen.size(), 2u) << datagrams_text(seen);
    EXPECT_TRUE(NotifySocket::has_line(seen.front(), "RELOADING=1")) << datagrams_text(seen);
    EXPECT_NE(seen.front().find("MONOTONIC_USEC="), std::string::npos) << datagrams_text(seen);
    EXPECT_NE(server_->log().find("configuration reloaded"), std::string::npos);
}

TEST_F(SystemdTest, DrainSaysStoppingAndExitsZero) {
    ASSERT_TRUE(start_notified());
    bool found = false;
    notify_.until("READY=1", 10s, found);
    ASSERT_TRUE(found);
    server_->terminate();
    const auto seen = notify_.until("STOPPING=1", 10s, found);
    EXPECT_TRUE(found) << datagrams_text(seen);
    const auto code = server_->wait_exit(10s);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
}

TEST_F(SystemdTest, WatchdogKeepAliveComesEveryHalfPeriod) {
    // WatchdogSec=400ms: a keep-alive every 200 ms while every loop answers.
    ASSERT_TRUE(start_notified({"WATCHDOG_USEC=400000"}));
    bool found = false;
    notify_.until("READY=1", 10s, found);
    ASSERT_TRUE(found);
    const auto t0 = Steady::now();
    int pings = 0;
    for (int i = 0; i < 3; ++i) {
        const auto seen = notify_.until("WATCHDOG=1", 5s, found);
        ASSERT_TRUE(found) << "keep-alive " << i << " missing: " << datagrams_text(seen)
                           << "\nlog:\n"
                           << server_->log();
        ++pings;
    }
    EXPECT_EQ(pings, 3);
    // Three keep-alives at 200 ms take at least ~400 ms after the first; a
    // loop that pinged without waiting would be far quicker.
    EXPECT_GE(Steady::now() - t0, 350ms);
}

// ---- AF_NETLINK ---------------------------------------------------------

// What RestrictAddressFamilies= without AF_NETLINK does to the process: a
// seccomp filter that fails socket(AF_NETLINK, ...) with EAFNOSUPPORT.
void deny_netlink_sockets() {
#if defined(__x86_64__)
    constexpr std::uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
    constexpr std::uint32_t kArch = AUDIT_ARCH_AARCH64;
#endif
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EAFNOSUPPORT & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) != 0) {
        ::_exit(125);
    }
}

std::string turn_yaml(const std::string& udp_host) {
    return "log: {level: debug}\nsignaling: {listen: \"127.0.0.1:0\", static_dir: \"\"}\n"
           "turn: {secret: \"" +
           kTurnSecret + "\", listen_udp: [\"" + udp_host + ":" + std::to_string(free_port()) +
           "\"], listen_tcp: []}\n";
}

TEST(InterfaceAddresses, AWildcardListenerRefusesToStartWhenTheyCannotBeListed) {
    Launch launch;
    launch.before_exec = deny_netlink_sockets;
    auto server = ServerProcess::from_yaml(turn_yaml("0.0.0.0"), 10s, launch);
    const auto code = server.wait_exit(10s);
    ASSERT_TRUE(code) << "started with an empty own-address list; log:\n" << server.log();
    EXPECT_EQ(*code, 1) << server.log();
    EXPECT_NE(server.log().find("cannot list this host's addresses"), std::string::npos)
        << server.log();
    EXPECT_NE(server.log().find("AF_NETLINK"), std::string::npos) << server.log();
}

TEST(InterfaceAddresses, SpecificListenersNeedNoListAndStartUnderTheSameSandbox) {
    Launch launch;
    launch.before_exec = deny_netlink_sockets;
    auto server = ServerProcess::from_yaml(turn_yaml("127.0.0.1"), 10s, launch);
    ASSERT_TRUE(server.started()) << server.error();
    EXPECT_EQ(http_get(server.port(), "/healthz").status, 200);
}

}  // namespace
}  // namespace sbtest::turnit
