// The signaling protocol parser (signaling/protocol/parser.hpp): every
// WebSocket text message a client sends goes through it first.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signaling/protocol/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)switchboard::signaling::protocol::parse_request(
        std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
