#pragma once
// Network byte order reads and writes for the STUN codec (internal helper).
//
// Every multi-byte field is assembled from single bytes: received datagrams
// sit at arbitrary alignment in the I/O buffers, so a reinterpret_cast to
// uint16_t/uint32_t would be an unaligned, aliasing-violating read. Callers
// check the bounds first; these functions do not.

#include <cstddef>
#include <cstdint>
#include <span>

namespace switchboard::turn::stun::wire {

inline std::uint16_t read_u16(std::span<const std::uint8_t> bytes, std::size_t offset) noexcept {
    return static_cast<std::uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

inline std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t offset) noexcept {
    return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
           (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

inline void write_u16(std::span<std::uint8_t> bytes, std::size_t offset,
                      std::uint16_t value) noexcept {
    bytes[offset] = static_cast<std::uint8_t>(value >> 8);
    bytes[offset + 1] = static_cast<std::uint8_t>(value);
}

inline void write_u32(std::span<std::uint8_t> bytes, std::size_t offset,
                      std::uint32_t value) noexcept {
    bytes[offset] = static_cast<std::uint8_t>(value >> 24);
    bytes[offset + 1] = static_cast<std::uint8_t>(value >> 16);
    bytes[offset + 2] = static_cast<std::uint8_t>(value >> 8);
    bytes[offset + 3] = static_cast<std::uint8_t>(value);
}

// RFC 8489 section 14: attribute values are padded to a multiple of 4 bytes.
constexpr std::size_t padded(std::size_t length) noexcept {
    return (length + 3) & ~std::size_t{3};
}

}  // namespace switchboard::turn::stun::wire
