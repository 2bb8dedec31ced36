#include "turn/stun/integrity.hpp"

#include "shared/crypto.hpp"
#include "turn/stun/wire.hpp"

#include <algorithm>
#include <vector>

namespace switchboard::turn::stun {
namespace {

constexpr std::uint32_t kFingerprintXor = 0x5354554e;

// The message up to `attribute_offset`, with its Length field set as if the
// attribute starting there (of `attribute_size` bytes, header included) were
// the last one: the input of the HMAC or CRC. RFC 8489 section 14.5: "the
// Length field of the STUN message header is adjusted to point to the end of
// the MESSAGE-INTEGRITY attribute"; section 14.7 for FINGERPRINT likewise.
std::span<const std::uint8_t> covered_bytes(std::span<const std::uint8_t> message,
                                            std::size_t attribute_offset,
                                            std::size_t attribute_size) {
    const std::span<const std::uint8_t> prefix = message.first(attribute_offset);
    const auto length = static_cast<std::uint16_t>(attribute_offset + attribute_size - kHeaderSize);
    if (wire::read_u16(message, 2) == length) {
        return prefix;  // nothing follows: the bytes can be used as they are
    }
    thread_local std::vector<std::uint8_t> scratch;
    scratch.assign(prefix.begin(), prefix.end());
    wire::write_u16(scratch, 2, length);
    return scratch;
}

std::span<const std::uint8_t> value_at(std::span<const std::uint8_t> message,
                                       std::size_t attribute_offset) {
    const std::size_t length = wire::read_u16(message, attribute_offset + 2);
    return message.subspan(attribute_offset + kAttributeHeaderSize, length);
}

}  // namespace

bool verify_message_integrity(const MessageView& message, std::span<const std::uint8_t> key) {
    const auto offset = message.message_integrity_offset();
    if (!offset) {
        return false;
    }
    const std::span<const std::uint8_t> received = value_at(message.bytes(), *offset);
    const shared::Sha1Digest expected =
        shared::hmac_sha1(key, covered_bytes(message.bytes(), *offset, 4 + 20));
    return shared::constant_time_equal(shared::as_text(received), shared::as_text(expected));
}

// RFC 8489 section 14.6: "The MESSAGE-INTEGRITY-SHA256 attribute can be
// present in any STUN message type. The MESSAGE-INTEGRITY-SHA256 attribute
// contains an HMAC-SHA256 ... The value will be at most 32 bytes, but it
// MUST be at least 16 bytes and MUST be a multiple of 4 bytes." A truncated
// value is compared with the same prefix of the full HMAC.
bool verify_message_integrity_sha256(const MessageView& message,
                                     std::span<const std::uint8_t> key) {
    const auto offset = message.message_integrity_sha256_offset();
    if (!offset) {
        return false;
    }
    const std::span<const std::uint8_t> received = value_at(message.bytes(), *offset);
    const shared::Sha256Digest expected = shared::hmac_sha256(
        key, covered_bytes(message.bytes(), *offset, 4 + wire::padded(received.size())));
    return shared::constant_time_equal(
        shared::as_text(received),
        shared::as_text(std::span<const std::uint8_t>(expected).first(received.size())));
}

bool verify_fingerprint(const MessageView& message) {
    const auto offset = message.fingerprint_offset();
    if (!offset) {
        return false;
    }
    const std::uint32_t received = wire::read_u32(message.bytes(), *offset + kAttributeHeaderSize);
    const std::uint32_t expected =
        shared::crc32(covered_bytes(message.bytes(), *offset, 4 + 4)) ^ kFingerprintXor;
    return received == expected;
}

}  // namespace switchboard::turn::stun
