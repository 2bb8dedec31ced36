// The static-path resolver (signaling/static_files.hpp): a request target
// must never map outside the static directory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signaling/static_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    const auto path = switchboard::signaling::resolve_static_path("/srv/www", target);
    if (!path) return 0;
    // Inside the root, with no way up and nothing hidden.
    if (path->rfind("/srv/www/", 0) != 0 || path->find("/..") != std::string::npos ||
        path->find("/.") != std::string::npos || path->find('\0') != std::string::npos ||
        path->find('\\') != std::string::npos)
        __builtin_trap();
    (void)switchboard::signaling::content_type_for(*path);
    return 0;
}
