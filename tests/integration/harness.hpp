#pragma once
// Runs the real `switchboard` binary for integration tests: a fresh temp dir
// per server, a YAML config written into it, the process's stdout+stderr in a
// log file there, and the ephemeral port learned from the "signaling listening
// on ..." log line. Every wait is bounded; the process is SIGKILLed on
// destruction if it is still running. Single-threaded use (the test thread).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sbtest {

using namespace std::chrono_literals;

// A directory from mkdtemp, removed recursively on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Writes `text` to path()/name and returns the full path.
    std::filesystem::path write(const std::string& name, const std::string& text) const;

private:
    std::filesystem::path path_;
};

// Writes cert.pem/key.pem (self-signed, CN=`common_name`, SAN IP:127.0.0.1
// and DNS:localhost) into `dir` with the openssl CLI, replacing what is
// there. Returns false on failure.
bool make_self_signed_cert(const std::filesystem::path& dir, std::filesystem::path& cert,
                           std::filesystem::path& key,
                           const std::string& common_name = "localhost");

// A free loopback port (UDP and TCP both bindable at the time of the call).
std::uint16_t free_port();

// How the child process is started, beyond its config.
struct Launch {
    // NAME=VALUE entries added to the child's environment (NOTIFY_SOCKET, ...).
    std::vector<std::string> env;
    // Runs in the child between fork and exec (e.g. to install a seccomp
    // filter); must only make system calls.
    void (*before_exec)() = nullptr;
};

// Builds the YAML for one test server. Values are raw YAML snippets.
struct ServerConfig {
    // Raw YAML value of `auth:`; empty = omitted (mode none).
    std::string auth;
    // Raw YAML value of `turn:`.
    std::string turn =
        R"({secret: "test-secret-0123456789abcdef0123456789", listen_udp: [], listen_tcp: []})";
    // `public_host:` when non-empty.
    std::string public_host;
    // Serve wss/https with a freshly generated self-signed certificate.
    bool tls = false;
    // Extra `signaling:` keys, in order: {"max_room_members", "2"}.
    std::vector<std::pair<std::string, std::string>> signaling;
    // `signaling.static_dir`; empty = <SB_SOURCE_DIR>/www.
    std::string static_dir;
    // Appended verbatim at top level.
    std::string extra;
    std::string log_level = "debug";
    Launch launch;

    ServerConfig& set(std::string key, std::string yaml_value) {
        signaling.emplace_back(std::move(key), std::move(yaml_value));
        return *this;
    }
    ServerConfig& jwt(const std::string& secret) {
        auth = "{mode: jwt, jwt_secret: \"" + secret + "\"}";
        return *this;
    }
    // `cert`/`key` are used when tls is set.
    std::string yaml(const std::filesystem::path& cert = {},
                     const std::filesystem::path& key = {}) const;
};

class ServerProcess {
public:
    // Writes the config, starts the binary and waits (up to `startup`) for it
    // to report its listening address. Check started() afterwards.
    explicit ServerProcess(const ServerConfig& config, std::chrono::milliseconds startup = 10s);
    // Raw config text (for configs ServerConfig cannot express).
    static ServerProcess from_yaml(const std::string& yaml, std::chrono::milliseconds startup = 10s,
                                   const Launch& launch = {});
    ~ServerProcess();
    ServerProcess(ServerProcess&&) noexcept;
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;
    ServerProcess& operator=(ServerProcess&&) = delete;

    bool started() const { return port_ != 0; }
    // Why start-up failed (with the log), for test failure messages.
    const std::string& error() const { return error_; }
    std::uint16_t port() const { return port_; }
    bool tls() const { return scheme_ == "wss"; }
    const std::string& scheme() const { return scheme_; }
    const std::string& host() const { return host_; }
    const std::filesystem::path& dir() const { return dir_->path(); }
    const std::filesystem::path& config_path() const { return config_path_; }
    std::string log() const;
    int pid() const { return pid_; }

    void terminate();  // SIGTERM
    void send_signal(int sig);
    // Exit code (or 128+signal) once the process has exited, nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    bool running();

private:
    struct FromYaml {};
    ServerProcess(FromYaml, const std::string& yaml, std::chrono::milliseconds startup,
                  const Launch& launch);
    void start(const std::string& yaml, std::chrono::milliseconds startup, const Launch& launch);

    std::unique_ptr<TempDir> dir_;
    std::filesystem::path config_path_;
    std::filesystem::path log_path_;
    int pid_ = -1;
    std::optional<int> exit_code_;
    std::uint16_t port_ = 0;
    std::string scheme_;
    std::string host_;
    std::string error_;
};

struct CommandResult {
    int exit_code = -1;  // 128+signal if killed; -1 if it did not finish in time
    std::string out;
    std::string err;
};

// Runs SB_BINARY with `args`, capturing stdout and stderr, bounded by `timeout`.
CommandResult run_switchboard(const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout = 10s);

}  // namespace sbtest
