#pragma once
// Maps request targets to files under `static_dir` for the built-in test
// page. Pure path logic (no sockets): percent-decoding, traversal refusal,
// index.html for directories, content types.

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::signaling {

// The file a GET for `target` ("/", "/app.js?x=1") should serve, or nullopt
// when the target is malformed or would leave `root` ("..", encoded or not,
// NUL, backslash). The file may not exist; the caller opens it.
std::optional<std::string> resolve_static_path(std::string_view root, std::string_view target);

// Content-Type for a file name by extension; application/octet-stream when unknown.
std::string_view content_type_for(std::string_view path);

// RFC 3986 percent-decoding; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in);

}  // namespace switchboard::signaling
