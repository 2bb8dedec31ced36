#pragma once
// Maps request targets to files under `static_dir` for the built-in test
// page: percent-decoding, traversal refusal, index.html for directories,
// content types (pure path logic), and opening the file (no sockets).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::signaling {

// The file a GET for `target` ("/", "/app.js?x=1") should serve, or nullopt
// when the target is malformed or would leave `root` ("..", encoded or not,
// NUL, backslash). The file may not exist; the caller opens it.
std::optional<std::string> resolve_static_path(std::string_view root, std::string_view target);

// A static file opened for sending: read-only, closed on destruction.
class StaticFile {
public:
    StaticFile(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
    StaticFile(StaticFile&& other) noexcept : fd_(other.fd_), size_(other.size_) { other.fd_ = -1; }
    StaticFile& operator=(StaticFile&& other) noexcept;
    StaticFile(const StaticFile&) = delete;
    StaticFile& operator=(const StaticFile&) = delete;
    ~StaticFile();
    int fd() const { return fd_; }
    std::uint64_t size() const { return size_; }

private:
    int fd_;
    std::uint64_t size_;
};

// Opens `path` (from resolve_static_path) if it is a regular file of at most
// `max_size` bytes whose real location, symlinks resolved, is inside `root`'s
// real location: a symlink within static_dir is followed only while it stays
// there. Never blocks (a FIFO is refused, not waited on). nullopt otherwise.
std::optional<StaticFile> open_static_file(std::string_view root, const std::string& path,
                                           std::uint64_t max_size);

// Content-Type for a file name by extension; application/octet-stream when unknown.
std::string_view content_type_for(std::string_view path);

// RFC 3986 percent-decoding; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in);

}  // namespace switchboard::signaling
