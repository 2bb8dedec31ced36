#include "turn/stun/message.hpp"

#include "shared/crypto.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/wire.hpp"

#include <algorithm>

namespace switchboard::turn::stun {
namespace {

// Where the attribute walk is relative to the integrity attributes. RFC 8489
// section 14.5: "With the exception of the MESSAGE-INTEGRITY-SHA256 and
// FINGERPRINT attributes, which appear after MESSAGE-INTEGRITY, agents MUST
// ignore all other attributes that follow MESSAGE-INTEGRITY." Section 14.6
// says the same of MESSAGE-INTEGRITY-SHA256 with FINGERPRINT as the only
// exception, and section 14.7 makes FINGERPRINT the last attribute.
enum class Stage { open, after_integrity, after_integrity_sha256, after_fingerprint };

bool accepted_in(Stage stage, std::uint16_t type) noexcept {
    switch (stage) {
        case Stage::open: return true;
        case Stage::after_integrity:
            return type == kAttrMessageIntegritySha256 || type == kAttrFingerprint;
        case Stage::after_integrity_sha256: return type == kAttrFingerprint;
        case Stage::after_fingerprint: return false;
    }
    return false;
}

// The sizes integrity.hpp relies on, checked once here. RFC 8489: an
// HMAC-SHA1 is 20 bytes (section 14.5); MESSAGE-INTEGRITY-SHA256 "will be at
// most 32 bytes, but it MUST be at least 16 bytes and MUST be a multiple of
// 4 bytes" (section 14.6); FINGERPRINT is a 32-bit CRC (section 14.7).
bool integrity_length_ok(std::uint16_t type, std::size_t length) noexcept {
    switch (type) {
        case kAttrMessageIntegrity: return length == 20;
        case kAttrMessageIntegritySha256: return length >= 16 && length <= 32 && length % 4 == 0;
        case kAttrFingerprint: return length == 4;
        default: return true;
    }
}

}  // namespace

std::string_view to_string(Method method) noexcept {
    switch (method) {
        case Method::binding: return "Binding";
        case Method::allocate: return "Allocate";
        case Method::refresh: return "Refresh";
        case Method::send: return "Send";
        case Method::data: return "Data";
        case Method::create_permission: return "CreatePermission";
        case Method::channel_bind: return "ChannelBind";
    }
    return "unknown";
}

std::string_view to_string(MessageClass cls) noexcept {
    switch (cls) {
        case MessageClass::request: return "request";
        case MessageClass::indication: return "indication";
        case MessageClass::success_response: return "success response";
        case MessageClass::error_response: return "error response";
    }
    return "unknown";
}

TransactionId TransactionId::random() {
    TransactionId id;
    shared::random_bytes(id.bytes);
    return id;
}

TransactionId TransactionId::random(shared::RandomPool& pool) {
    TransactionId id;
    pool.fill(id.bytes);
    return id;
}

const Attribute* MessageView::find(std::uint16_t type) const noexcept {
    for (const Attribute& attribute : attributes()) {
        if (attribute.type == type) {
            return &attribute;
        }
    }
    return nullptr;
}

// RFC 8489 section 5:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |0 0|     STUN Message Type     |         Message Length        |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                         Magic Cookie                          |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                                                               |
//    |                     Transaction ID (96 bits)                  |
//    |                                                               |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "The message length MUST contain the size of the message in bytes, not
// including the 20-byte STUN header. Since all STUN attributes are padded to
// a multiple of 4 bytes, the last 2 bits of this field are always zero."
//
// Section 14, each attribute:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |         Type                  |            Length             |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                         Value (variable)                ....
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "The value in the Length field MUST contain the length of the Value part
// of the attribute, prior to padding, measured in bytes. Since STUN aligns
// attributes on 32-bit boundaries, attributes whose content is not a
// multiple of 4 bytes are padded with 1, 2, or 3 bytes of padding so that
// its value contains a multiple of 4 bytes. The padding bits MUST be set to
// zero on sending and MUST be ignored by the receiver." (RFC 5769's vectors
// pad with spaces, so ignoring them is not optional.)
std::variant<MessageView, ParseError> parse_message(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kHeaderSize) {
        return ParseError::too_short;
    }
    if ((bytes[0] & 0xC0) != 0) {
        return ParseError::not_stun;
    }
    if (wire::read_u32(bytes, 4) != kMagicCookie) {
        return ParseError::bad_magic_cookie;
    }
    const std::size_t length = wire::read_u16(bytes, 2);
    if (length % 4 != 0) {
        return ParseError::bad_length;
    }
    if (length != bytes.size() - kHeaderSize) {
        return ParseError::length_mismatch;
    }

    MessageView view;
    view.bytes_ = bytes;
    view.type_ = wire::read_u16(bytes, 0);
    std::copy_n(bytes.begin() + 8, view.transaction_id_.bytes.size(),
                view.transaction_id_.bytes.begin());

    Stage stage = Stage::open;
    std::size_t walked = 0;
    std::size_t offset = kHeaderSize;
    while (offset < bytes.size()) {
        if (bytes.size() - offset < kAttributeHeaderSize) {
            return ParseError::truncated_attribute;
        }
        if (++walked > kMaxAttributes) {
            return ParseError::too_many_attributes;
        }
        const std::uint16_t type = wire::read_u16(bytes, offset);
        const std::size_t value_length = wire::read_u16(bytes, offset + 2);
        const std::size_t value_offset = offset + kAttributeHeaderSize;
        if (wire::padded(value_length) > bytes.size() - value_offset) {
            return ParseError::truncated_attribute;
        }
        // Ignored attributes are still walked, so that a malformed tail is
        // refused whatever precedes it.
        if (accepted_in(stage, type)) {
            if (!integrity_length_ok(type, value_length)) {
                return ParseError::bad_attribute_length;
            }
            if (type == kAttrMessageIntegrity) {
                view.integrity_ = offset;
                stage = Stage::after_integrity;
            } else if (type == kAttrMessageIntegritySha256) {
                view.integrity_sha256_ = offset;
                stage = Stage::after_integrity_sha256;
            } else if (type == kAttrFingerprint) {
                view.fingerprint_ = offset;
                stage = Stage::after_fingerprint;
            }
            view.attributes_[view.count_++] =
                Attribute{type, bytes.subspan(value_offset, value_length), offset};
        }
        offset = value_offset + wire::padded(value_length);
    }
    return view;
}

bool looks_like_stun(std::span<const std::uint8_t> bytes) noexcept {
    return bytes.size() >= kHeaderSize && (bytes[0] & 0xC0) == 0 &&
           wire::read_u32(bytes, 4) == kMagicCookie;
}

}  // namespace switchboard::turn::stun
