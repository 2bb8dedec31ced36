#pragma once
// DATA (0x0013, RFC 8656 section 18.4): the application data of Send and
// Data indications. Pure, thread-safe.
//
// "The value portion of this attribute is variable length and consists of
// the application data (that is, the data that would immediately follow the
// UDP header if the data was sent directly between the client and the
// peer)."

#include "turn/stun/builder.hpp"

#include <cstdint>
#include <span>

namespace switchboard::turn::stun {

// The payload's size is the peer's choice: a payload that would take the
// message past 64 KiB is refused (builder.ok() turns false).
void add_data(MessageBuilder& builder, std::span<const std::uint8_t> payload);

// Any length, including zero, is valid: the value is the payload.
inline std::span<const std::uint8_t> decode_data(std::span<const std::uint8_t> value) noexcept {
    return value;
}

}  // namespace switchboard::turn::stun
