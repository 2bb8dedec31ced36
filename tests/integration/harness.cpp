#include "tests/integration/harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#ifndef SB_BINARY
#error "SB_BINARY must name the switchboard binary"
#endif
#ifndef SB_SOURCE_DIR
#error "SB_SOURCE_DIR must name the repository root"
#endif

namespace sbtest {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sb-it-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    return p;
}

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Child side of fork: never returns.
[[noreturn]] void exec_child(const std::vector<std::string>& args, int out_fd, int err_fd,
                             const Launch& launch = {}) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (const auto& entry : launch.env) ::putenv(const_cast<char*>(entry.c_str()));
    if (launch.before_exec != nullptr) launch.before_exec();
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

bool make_self_signed_cert(const fs::path& dir, fs::path& cert, fs::path& key,
                           const std::string& common_name) {
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    std::vector<std::string> args = {"/usr/bin/openssl",
                                     "req",
                                     "-x509",
                                     "-newkey",
                                     "rsa:2048",
                                     "-nodes",
                                     "-keyout",
                                     key.string(),
                                     "-out",
                                     cert.string(),
                                     "-days",
                                     "2",
                                     "-subj",
                                     "/CN=" + common_name,
                                     "-addext",
                                     "subjectAltName=IP:127.0.0.1,DNS:localhost"};
    fs::path log = dir / "openssl.log";
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    pid_t pid = ::fork();
    if (pid == 0) exec_child(args, fd, fd);
    ::close(fd);
    if (pid < 0) return false;
    int status = 0;
    // openssl with an RSA-2048 keygen finishes in well under a second; bound it anyway.
    auto deadline = Steady::now() + 30s;
    while (true) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (Steady::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return decode_status(status) == 0 && fs::exists(cert) && fs::exists(key);
}

std::uint16_t free_port() {
    // Bind TCP on port 0, then check the same port is free for UDP too.
    for (int attempt = 0; attempt < 20; ++attempt) {
        int t = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        if (::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(t);
            continue;
        }
        socklen_t len = sizeof a;
        ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len);
        int u = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        bool udp_ok = ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(u);
        ::close(t);
        if (udp_ok) return ntohs(a.sin_port);
    }
    return 0;
}

std::string ServerConfig::yaml(const fs::path& cert, const fs::path& key) const {
    std::ostringstream y;
    y << "log: {level: " << log_level << "}\n";
    if (!public_host.empty()) y << "public_host: \"" << public_host << "\"\n";
    y << "signaling:\n";
    y << "  listen: \"127.0.0.1:0\"\n";
    y << "  static_dir: \""
      << (static_dir.empty() ? std::string(SB_SOURCE_DIR) + "/www" : static_dir) << "\"\n";
    if (tls) y << "  tls: {cert: \"" << cert.string() << "\", key: \"" << key.string() << "\"}\n";
    for (const auto& [k, v] : signaling) y << "  " << k << ": " << v << "\n";
    if (!auth.empty()) y << "auth: " << auth << "\n";
    if (!turn.empty()) y << "turn: " << turn << "\n";
    if (!extra.empty()) y << extra << "\n";
    return y.str();
}

ServerProcess::ServerProcess(const ServerConfig& config, std::chrono::milliseconds startup)
    : dir_(std::make_unique<TempDir>()) {
    fs::path cert, key;
    if (config.tls && !make_self_signed_cert(dir_->path(), cert, key)) {
        error_ = "could not create a self-signed certificate with openssl: " +
                 read_file(dir_->path() / "openssl.log");
        return;
    }
    start(config.yaml(cert, key), startup, config.launch);
}

ServerProcess::ServerProcess(FromYaml, const std::string& yaml, std::chrono::milliseconds startup,
                             const Launch& launch)
    : dir_(std::make_unique<TempDir>()) {
    start(yaml, startup, launch);
}

ServerProcess ServerProcess::from_yaml(const std::string& yaml, std::chrono::milliseconds startup,
                                       const Launch& launch) {
    return ServerProcess(FromYaml{}, yaml, startup, launch);
}

ServerProcess::ServerProcess(ServerProcess&& o) noexcept
    : dir_(std::move(o.dir_)),
      config_path_(std::move(o.config_path_)),
      log_path_(std::move(o.log_path_)),
      pid_(std::exchange(o.pid_, -1)),
      exit_code_(o.exit_code_),
      port_(o.port_),
      scheme_(std::move(o.scheme_)),
      host_(std::move(o.host_)),
      error_(std::move(o.error_)) {}

void ServerProcess::start(const std::string& yaml, std::chrono::milliseconds startup,
                          const Launch& launch) {
    config_path_ = dir_->write("switchboard.yaml", yaml);
    log_path_ = dir_->path() / "server.log";
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_ = "cannot open log file";
        return;
    }
    std::vector<std::string> args = {SB_BINARY, "--config", config_path_.string()};
    pid_t pid = ::fork();
    if (pid == 0) exec_child(args, fd, fd, launch);
    ::close(fd);
    if (pid < 0) {
        error_ = "fork failed";
        return;
    }
    pid_ = pid;

    static const std::regex listening(R"(signaling listening on (wss?)://([^\s/]+):([0-9]+))");
    auto deadline = Steady::now() + startup;
    while (Steady::now() < deadline) {
        std::string text = read_file(log_path_);
        std::smatch m;
        if (std::regex_search(text, m, listening)) {
            scheme_ = m[1];
            host_ = m[2];
            port_ = static_cast<std::uint16_t>(std::stoi(m[3]));
            return;
        }
        if (!running()) {
            error_ = "switchboard exited with code " + std::to_string(exit_code_.value_or(-1)) +
                     " before listening; config:\n" + yaml + "\nlog:\n" + text;
            return;
        }
        std::this_thread::sleep_for(5ms);
    }
    error_ =
        "switchboard did not log 'signaling listening on ...' within the start-up deadline; "
        "config:\n" +
        yaml + "\nlog:\n" + read_file(log_path_);
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

std::string ServerProcess::log() const {
    return log_path_.empty() ? std::string() : read_file(log_path_);
}

void ServerProcess::terminate() {
    send_signal(SIGTERM);
}

void ServerProcess::send_signal(int sig) {
    if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

bool ServerProcess::running() {
    if (pid_ <= 0 || exit_code_) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exit_code_ = decode_status(status);
        return false;
    }
    return true;
}

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = Steady::now() + timeout;
    while (running()) {
        if (Steady::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
    return exit_code_;
}

CommandResult run_switchboard(const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout) {
    CommandResult result;
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return result;
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        return result;
    }
    std::vector<std::string> argv = {SB_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = ::fork();
    if (pid == 0) exec_child(argv, out_pipe[1], err_pipe[1]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);

    auto deadline = Steady::now() + timeout;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_fds = 2;
    while (open_fds > 0) {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
        if (left <= 0) break;
        int n = ::poll(fds, 2, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buf[4096];
            ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
            if (r > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(r));
            } else {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    for (auto& f : fds) {
        if (f.fd >= 0) ::close(f.fd);
    }
    int status = 0;
    while (true) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            result.exit_code = decode_status(status);
            break;
        }
        if (Steady::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            result.exit_code = -1;
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    return result;
}

}  // namespace sbtest
