#include "turn/stun/error_code.hpp"

#include "shared/crypto.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/mapped_address.hpp"

#include <algorithm>

namespace switchboard::turn::stun {
namespace {

// RFC 8489 section 14.8:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |           Reserved, should be 0         |Class|     Number    |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |      Reason Phrase (variable)                                ..
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "The Class represents the hundreds digit of the error code. The value
// MUST be between 3 and 6. The Number represents the binary encoding of the
// error code modulo 100, and its value MUST be between 0 and 99."
//
// RFC 8656 section 18.12, ADDRESS-ERROR-CODE, puts the family in the first
// byte of the reserved bits:
//
//    |  Family       |    Reserved             |Class|     Number    |
std::span<std::uint8_t> append_error(MessageBuilder& builder, std::uint16_t type,
                                     std::uint16_t code, std::string_view reason) {
    if (code < 300 || code > 699) {
        builder.fail();
        return {};
    }
    if (reason.empty()) {
        reason = default_reason_phrase(code);
    }
    if (reason.size() > kMaxReasonPhraseBytes) {
        builder.fail();
        return {};
    }
    const std::span<std::uint8_t> out = builder.append(type, 4 + reason.size());
    if (out.empty()) {
        return {};
    }
    out[2] = static_cast<std::uint8_t>(code / 100);
    out[3] = static_cast<std::uint8_t>(code % 100);
    std::copy(reason.begin(), reason.end(), out.begin() + 4);
    return out;
}

}  // namespace

std::string_view default_reason_phrase(std::uint16_t code) noexcept {
    switch (code) {
        case kErrorTryAlternate: return "Try Alternate";
        case kErrorBadRequest: return "Bad Request";
        case kErrorUnauthenticated: return "Unauthenticated";
        case kErrorForbidden: return "Forbidden";
        case kErrorUnknownAttribute: return "Unknown Attribute";
        case kErrorAllocationMismatch: return "Allocation Mismatch";
        case kErrorStaleNonce: return "Stale Nonce";
        case kErrorAddressFamilyNotSupported: return "Address Family not Supported";
        case kErrorWrongCredentials: return "Wrong Credentials";
        case kErrorUnsupportedTransportProtocol: return "Unsupported Transport Protocol";
        case kErrorPeerAddressFamilyMismatch: return "Peer Address Family Mismatch";
        case kErrorConnectionAlreadyExists: return "Connection Already Exists";
        case kErrorConnectionTimeoutOrFailure: return "Connection Timeout or Failure";
        case kErrorAllocationQuotaReached: return "Allocation Quota Reached";
        case kErrorServerError: return "Server Error";
        case kErrorInsufficientCapacity: return "Insufficient Capacity";
        default: return {};
    }
}

void add_error_code(MessageBuilder& builder, std::uint16_t code, std::string_view reason) {
    append_error(builder, kAttrErrorCode, code, reason);
}

void add_address_error_code(MessageBuilder& builder, Address::Family family, std::uint16_t code,
                            std::string_view reason) {
    const std::span<std::uint8_t> out = append_error(builder, kAttrAddressErrorCode, code, reason);
    if (!out.empty()) {
        out[0] = family == Address::Family::v4 ? kFamilyIpv4 : kFamilyIpv6;
    }
}

std::variant<ErrorCodeAttribute, ParseError> decode_error_code(
    std::span<const std::uint8_t> value) {
    if (value.size() < 4) {
        return ParseError::bad_attribute_length;
    }
    const unsigned error_class = value[2] & 0x07;
    const unsigned number = value[3];
    if (error_class < 3 || error_class > 6 || number > 99) {
        return ParseError::bad_attribute_value;
    }
    if (value.size() - 4 > kMaxReasonPhraseBytes) {
        return ParseError::value_too_long;
    }
    return ErrorCodeAttribute{static_cast<std::uint16_t>(error_class * 100 + number),
                              shared::as_text(value.subspan(4))};
}

std::variant<AddressErrorCodeAttribute, ParseError> decode_address_error_code(
    std::span<const std::uint8_t> value) {
    auto decoded = decode_error_code(value);
    if (const ParseError* error = std::get_if<ParseError>(&decoded)) {
        return *error;
    }
    const ErrorCodeAttribute& error = std::get<ErrorCodeAttribute>(decoded);
    switch (value[0]) {
        case kFamilyIpv4:
            return AddressErrorCodeAttribute{Address::Family::v4, error.code, error.reason};
        case kFamilyIpv6:
            return AddressErrorCodeAttribute{Address::Family::v6, error.code, error.reason};
        default: return ParseError::bad_address_family;
    }
}

}  // namespace switchboard::turn::stun
