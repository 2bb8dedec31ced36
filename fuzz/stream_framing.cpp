// TURN over TCP/TLS: cutting a byte stream into STUN messages and padded
// ChannelData (stun::next_frame), as turn/io/stream_connection.cpp does,
// and decoding each ChannelData frame.
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "turn/stun/channel_data.hpp"
#include "turn/stun/framing.hpp"

namespace stun = switchboard::turn::stun;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> rest(data, size);
    while (!rest.empty()) {
        const auto next = stun::next_frame(rest);
        const auto* frame = std::get_if<stun::Frame>(&next);
        if (frame == nullptr) break;
        if (frame->size == 0 || frame->size > rest.size())
            __builtin_trap();  // framing must advance, within bounds
        (void)stun::parse_channel_data(rest.first(frame->size), stun::Framing::stream);
        rest = rest.subspan(frame->size);
    }
    return 0;
}
