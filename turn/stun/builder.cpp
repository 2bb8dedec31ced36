#include "turn/stun/builder.hpp"

#include "shared/crypto.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/wire.hpp"

#include <algorithm>

namespace switchboard::turn::stun {
namespace {

// Large enough for every response this server sends but a Data indication,
// so that building one allocates once.
constexpr std::size_t kInitialCapacity = 256;

// RFC 8489 section 14.7: the CRC is XOR'ed with 0x5354554e ("STUN"), so
// that a packet of another protocol that also ends in a CRC-32 does not pass
// for a STUN message with a FINGERPRINT.
constexpr std::uint32_t kFingerprintXor = 0x5354554e;

}  // namespace

MessageBuilder::MessageBuilder(Method method, MessageClass cls, const TransactionId& transaction_id)
    : MessageBuilder(method, cls, transaction_id, {}) {}

MessageBuilder::MessageBuilder(Method method, MessageClass cls, const TransactionId& transaction_id,
                               std::vector<std::uint8_t> buffer)
    : buffer_(std::move(buffer)), transaction_id_(transaction_id) {
    buffer_.clear();
    buffer_.reserve(kInitialCapacity);
    buffer_.resize(kHeaderSize);
    wire::write_u16(buffer_, 0, make_message_type(method, cls));
    wire::write_u16(buffer_, 2, 0);
    wire::write_u32(buffer_, 4, kMagicCookie);
    std::copy(transaction_id.bytes.begin(), transaction_id.bytes.end(), buffer_.begin() + 8);
}

void MessageBuilder::update_length() noexcept {
    wire::write_u16(buffer_, 2, static_cast<std::uint16_t>(buffer_.size() - kHeaderSize));
}

std::span<std::uint8_t> MessageBuilder::append_unchecked(std::uint16_t type, std::size_t length) {
    const std::size_t needed = kAttributeHeaderSize + wire::padded(length);
    if (!ok_ || length > 0xFFFF || needed > kMaxMessageLength - (buffer_.size() - kHeaderSize)) {
        ok_ = false;
        return {};
    }
    const std::size_t offset = buffer_.size();
    buffer_.resize(offset + needed, 0);  // zero value and padding
    wire::write_u16(buffer_, offset, type);
    wire::write_u16(buffer_, offset + 2, static_cast<std::uint16_t>(length));
    update_length();
    return std::span<std::uint8_t>(buffer_).subspan(offset + kAttributeHeaderSize, length);
}

std::span<std::uint8_t> MessageBuilder::append(std::uint16_t type, std::size_t length) {
    // Receivers ignore what follows MESSAGE-INTEGRITY (section 14.5), so
    // adding it would silently lose it.
    if (stage_ != Stage::open || type == kAttrMessageIntegrity ||
        type == kAttrMessageIntegritySha256 || type == kAttrFingerprint) {
        ok_ = false;
        return {};
    }
    return append_unchecked(type, length);
}

void MessageBuilder::add(std::uint16_t type, std::span<const std::uint8_t> value) {
    const std::span<std::uint8_t> out = append(type, value.size());
    if (!out.empty()) {
        std::copy(value.begin(), value.end(), out.begin());
    }
}

// RFC 8489 section 14.5: "The text used as input to HMAC is the STUN
// message, up to and including the attribute preceding the
// MESSAGE-INTEGRITY attribute. The Length field of the STUN message header
// is adjusted to point to the end of the MESSAGE-INTEGRITY attribute."
// Appending the attribute first makes the Length right; the HMAC then covers
// the bytes before it.
void MessageBuilder::add_message_integrity(std::span<const std::uint8_t> key) {
    if (stage_ != Stage::open) {
        ok_ = false;
        return;
    }
    const std::size_t covered = buffer_.size();
    const std::span<std::uint8_t> out = append_unchecked(kAttrMessageIntegrity, 20);
    if (out.empty()) {
        return;
    }
    const shared::Sha1Digest mac =
        shared::hmac_sha1(key, std::span<const std::uint8_t>(buffer_).first(covered));
    std::copy(mac.begin(), mac.end(), out.begin());
    stage_ = Stage::after_integrity;
}

void MessageBuilder::add_message_integrity_sha256(std::span<const std::uint8_t> key) {
    if (stage_ != Stage::open && stage_ != Stage::after_integrity) {
        ok_ = false;
        return;
    }
    const std::size_t covered = buffer_.size();
    const std::span<std::uint8_t> out = append_unchecked(kAttrMessageIntegritySha256, 32);
    if (out.empty()) {
        return;
    }
    const shared::Sha256Digest mac =
        shared::hmac_sha256(key, std::span<const std::uint8_t>(buffer_).first(covered));
    std::copy(mac.begin(), mac.end(), out.begin());
    stage_ = Stage::after_integrity_sha256;
}

// RFC 8489 section 14.7: "The value of the attribute is computed as the
// CRC-32 of the STUN message up to (but excluding) the FINGERPRINT attribute
// itself, XOR'ed with the 32-bit value 0x5354554e. ... prior to computation
// of the CRC, this value must be correct and include the CRC attribute as
// part of the message length."
void MessageBuilder::add_fingerprint() {
    if (stage_ == Stage::closed) {
        ok_ = false;
        return;
    }
    const std::size_t covered = buffer_.size();
    const std::span<std::uint8_t> out = append_unchecked(kAttrFingerprint, 4);
    if (out.empty()) {
        return;
    }
    const std::uint32_t crc =
        shared::crc32(std::span<const std::uint8_t>(buffer_).first(covered)) ^ kFingerprintXor;
    wire::write_u32(out, 0, crc);
    stage_ = Stage::closed;
}

}  // namespace switchboard::turn::stun
