#include "turn/stun/text_attributes.hpp"

#include "shared/crypto.hpp"
#include "turn/stun/attribute_type.hpp"

namespace switchboard::turn::stun {
namespace {

void add_text(MessageBuilder& builder, std::uint16_t type, std::string_view text,
              std::size_t max_bytes) {
    if (text.size() > max_bytes) {
        builder.fail();
        return;
    }
    builder.add(type, shared::as_bytes(text));
}

std::variant<std::string_view, ParseError> decode_text(std::span<const std::uint8_t> value,
                                                       std::size_t max_bytes) {
    if (value.size() > max_bytes) {
        return ParseError::value_too_long;
    }
    return shared::as_text(value);
}

}  // namespace

void add_username(MessageBuilder& builder, std::string_view username) {
    add_text(builder, kAttrUsername, username, kMaxUsernameBytes);
}

void add_realm(MessageBuilder& builder, std::string_view realm) {
    add_text(builder, kAttrRealm, realm, kMaxTextBytes);
}

void add_nonce(MessageBuilder& builder, std::string_view nonce) {
    add_text(builder, kAttrNonce, nonce, kMaxTextBytes);
}

void add_software(MessageBuilder& builder, std::string_view software) {
    add_text(builder, kAttrSoftware, software, kMaxTextBytes);
}

std::variant<std::string_view, ParseError> decode_username(std::span<const std::uint8_t> value) {
    return decode_text(value, kMaxUsernameBytes);
}

std::variant<std::string_view, ParseError> decode_realm(std::span<const std::uint8_t> value) {
    return decode_text(value, kMaxTextBytes);
}

std::variant<std::string_view, ParseError> decode_nonce(std::span<const std::uint8_t> value) {
    return decode_text(value, kMaxTextBytes);
}

std::variant<std::string_view, ParseError> decode_software(std::span<const std::uint8_t> value) {
    return decode_text(value, kMaxTextBytes);
}

}  // namespace switchboard::turn::stun
