#include "signaling/static_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>
#include <utility>

namespace switchboard::signaling {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return std::nullopt;
        const int hi = hex_value(in[i + 1]);
        const int lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::optional<std::string> resolve_static_path(std::string_view root, std::string_view target) {
    if (root.empty() || target.empty() || target.front() != '/') return std::nullopt;
    target = target.substr(0, target.find_first_of("?#"));
    auto decoded = percent_decode(target);
    if (!decoded) return std::nullopt;
    // Refuse, rather than normalize, anything that could climb out of root:
    // a legitimate page never needs it.
    std::string path;
    std::size_t start = 1;
    while (start <= decoded->size()) {
        const auto end = std::min(decoded->find('/', start), decoded->size());
        const std::string_view segment(decoded->data() + start, end - start);
        if (segment == ".." || segment == ".") return std::nullopt;
        if (segment.find('\0') != std::string_view::npos ||
            segment.find('\\') != std::string_view::npos) {
            return std::nullopt;
        }
        if (!segment.empty()) {
            // Hidden files (.git, .env) are never served.
            if (segment.front() == '.') return std::nullopt;
            path += '/';
            path += segment;
        }
        start = end + 1;
    }
    const bool directory = decoded->back() == '/';
    std::string result(root);
    while (result.size() > 1 && result.back() == '/') result.pop_back();
    result += path;
    if (directory || path.empty()) result += "/index.html";
    return result;
}

StaticFile& StaticFile::operator=(StaticFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = other.size_;
    }
    return *this;
}

StaticFile::~StaticFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<StaticFile> open_static_file(std::string_view root, const std::string& path,
                                           std::uint64_t max_size) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path real_root = fs::canonical(fs::path(root), ec);
    if (ec) return std::nullopt;
    const fs::path real = fs::canonical(fs::path(path), ec);
    if (ec) return std::nullopt;
    // Inside, component by component ("/srv/www2" is not inside "/srv/www").
    const auto [root_end, ignored] =
        std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end());
    if (root_end != real_root.end()) return std::nullopt;
    const int fd = ::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::uint64_t>(st.st_size) > max_size) {
        ::close(fd);
        return std::nullopt;
    }
    return StaticFile(fd, static_cast<std::uint64_t>(st.st_size));
}

std::string_view content_type_for(std::string_view path) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes = {{
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
        {".wasm", "application/wasm"},
    }};
    const auto dot = path.rfind('.');
    const auto slash = path.rfind('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
        return "application/octet-stream";
    }
    const auto ext = path.substr(dot);
    for (const auto& [e, type] : kTypes) {
        if (e == ext) return type;
    }
    return "application/octet-stream";
}

}  // namespace switchboard::signaling
