#include "tests/integration/turn_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace sbtest::turnit {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

// ---- coturn tools ------------------------------------------------------------

std::string coturn_tool(const std::string& name) {
    for (const char* dir : {"/usr/bin/", "/usr/local/bin/"}) {
        const std::string path = std::string(dir) + name;
        if (::access(path.c_str(), X_OK) == 0) return path;
    }
    return {};
}

Subprocess::Subprocess(std::vector<std::string> argv, fs::path output)
    : argv_(std::move(argv)), output_(std::move(output)) {
    const int fd =
        ::open(output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;
    std::vector<char*> args;
    for (auto& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fd);
    pid_ = pid;
}

Subprocess::~Subprocess() {
    kill();
}

void Subprocess::kill() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        exit_code_ = decode_status(status);
    }
}

bool Subprocess::running() {
    if (pid_ <= 0 || exit_code_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = decode_status(status);
        return false;
    }
    return true;
}

std::optional<int> Subprocess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    while (running()) {
        if (Steady::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(10ms);
    }
    return exit_code_;
}

std::string Subprocess::output() const {
    return read_text(output_);
}

std::string Subprocess::command_line() const {
    std::string out;
    for (const auto& a : argv_) out += (out.empty() ? "" : " ") + a;
    return out;
}

// ---- server ------------------------------------------------------------------

namespace {

std::uint16_t free_udp6_port() {
    const int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin6_port);
    }
    ::close(fd);
    return port;
}

}  // namespace

bool TurnTest::start_turn(const TurnServerSpec& spec) {
    fs::path cert, key;
    if (spec.tls) {
        cert_dir_ = std::make_unique<TempDir>();
        if (!make_self_signed_cert(cert_dir_->path(), cert, key)) {
            ADD_FAILURE() << "could not create a self-signed certificate with openssl";
            return false;
        }
    }
    std::string last_error;
    // free_port() only says the port was free when it looked: another
    // process on the machine may take it before the server binds. Retry
    // with fresh ports then, never on other failures.
    for (int attempt = 0; attempt < 4; ++attempt) {
        const std::uint16_t p = free_port();
        const std::uint16_t q = spec.tls ? free_port() : 0;
        const std::uint16_t p6 = spec.udp6 ? free_udp6_port() : 0;
        if (p == 0 || (spec.tls && q == 0) || (spec.udp6 && p6 == 0)) {
            last_error = "no free port";
            continue;
        }
        const std::string ps = std::to_string(p);
        std::string udp_list = spec.udp ? "\"127.0.0.1:" + ps + "\"" : "";
        if (spec.udp6)
            udp_list +=
                std::string(udp_list.empty() ? "" : ", ") + "\"[::1]:" + std::to_string(p6) + "\"";
        std::ostringstream y;
        y << "log: {level: debug}\n";
        if (spec.threads > 0) y << "threads: " << spec.threads << "\n";
        y << "signaling: {listen: \"127.0.0.1:0\", static_dir: \"\""
          << (spec.extra_signaling.empty() ? "" : ", " + spec.extra_signaling) << "}\n";
        y << "turn: {secret: \"" << kTurnSecret << "\", listen_udp: [" << udp_list
          << "], listen_tcp: [" << (spec.tcp ? "\"127.0.0.1:" + ps + "\"" : "")
          << "], listen_tls: [" << (spec.tls ? "\"127.0.0.1:" + std::to_string(q) + "\"" : "")
          << "]";
        if (spec.tls)
            y << ", tls: {cert: \"" << cert.string() << "\", key: \"" << key.string() << "\"}";
        y << ", allow_peers: " << spec.allow_peers
          << ", require_active_session: " << (spec.require_active_session ? "true" : "false")
          << ", max_allocations_per_user: " << spec.max_allocations_per_user;
        if (!spec.extra_turn.empty()) y << ", " << spec.extra_turn;
        y << "}\n";
        if (!spec.extra_top.empty()) y << spec.extra_top << "\n";
        auto server =
            std::make_unique<ServerProcess>(ServerProcess::from_yaml(y.str(), 10s, spec.launch));
        if (!server->started()) {
            last_error = server->error();
            if (last_error.find("in use") != std::string::npos) continue;
            break;
        }
        server_ = std::move(server);
        tls_ = false;
        static const std::regex line(R"(turn listening on (udp|tcp|tls) (\S+):([0-9]+))");
        const std::string log = server_->log();
        for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it) {
            const std::string kind = (*it)[1];
            const std::string host = (*it)[2];
            const auto port = static_cast<std::uint16_t>(std::stoi((*it)[3]));
            if (kind == "udp" && host == "[::1]")
                udp6_port_ = port;
            else if (kind == "udp")
                udp_port_ = port;
            else if (kind == "tcp")
                tcp_port_ = port;
            else
                tls_port_ = port;
        }
        const bool complete = (!spec.udp || udp_port_ == p) && (!spec.tcp || tcp_port_ == p) &&
                              (!spec.tls || tls_port_ == q) && (!spec.udp6 || udp6_port_ == p6);
        if (!complete) {
            ADD_FAILURE() << "the server did not report the configured TURN listeners (udp " << p
                          << ", tcp " << p << ", tls " << q << ", udp6 " << p6 << "); log:\n"
                          << log;
            return false;
        }
        return true;
    }
    ADD_FAILURE() << "server did not start: " << last_error;
    return false;
}

RestCredentials rest_credentials(const std::string& user, std::int64_t ttl_seconds,
                                 const std::string& secret) {
    RestCredentials c;
    c.username = std::to_string(unix_now() + ttl_seconds) + ":" + user;
    c.password = turn_password(secret, c.username);
    return c;
}

std::optional<double> metric_value(const std::string& text, const std::string& name,
                                   const std::string& label) {
    std::istringstream in(text);
    std::string line;
    std::optional<double> sum;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.compare(0, name.size(), name) != 0) continue;
        const std::size_t after = name.size();
        if (after >= line.size() || (line[after] != ' ' && line[after] != '{')) continue;
        std::string labels;
        std::size_t value_at = after;
        if (line[after] == '{') {
            const auto close = line.find('}', after);
            if (close == std::string::npos) continue;
            labels = line.substr(after + 1, close - after - 1);
            value_at = close + 1;
        }
        if (!label.empty() && labels.find(label) == std::string::npos) continue;
        try {
            sum = sum.value_or(0) + std::stod(line.substr(value_at));
        } catch (const std::exception&) {
            continue;
        }
    }
    return sum;
}

// ---- small helpers -----------------------------------------------------------

std::string to_string(Proto p) {
    switch (p) {
        case Proto::udp: return "udp";
        case Proto::tcp: return "tcp";
        case Proto::tls: return "tls";
    }
    return "?";
}

Bytes to_bytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

stun::Address address(const std::string& ip, std::uint16_t port) {
    auto a = stun::Address::from_ip(ip, port);
    if (!a) throw std::invalid_argument("not an IP literal: " + ip);
    return *a;
}

}  // namespace sbtest::turnit
