#pragma once
// ERROR-CODE (0x0009, RFC 8489 section 14.8) and ADDRESS-ERROR-CODE (0x8001,
// RFC 8656 section 18.12), which adds an address family to the same layout.
// Pure, thread-safe.

#include "turn/stun/address.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace switchboard::turn::stun {

// The codes a STUN/TURN server sends (RFC 8489 section 14.8, RFC 8656
// section 19, RFC 6062 section 6.3).
inline constexpr std::uint16_t kErrorTryAlternate = 300;
inline constexpr std::uint16_t kErrorBadRequest = 400;
inline constexpr std::uint16_t kErrorUnauthenticated = 401;
inline constexpr std::uint16_t kErrorForbidden = 403;
inline constexpr std::uint16_t kErrorUnknownAttribute = 420;
inline constexpr std::uint16_t kErrorAllocationMismatch = 437;
inline constexpr std::uint16_t kErrorStaleNonce = 438;
inline constexpr std::uint16_t kErrorAddressFamilyNotSupported = 440;
inline constexpr std::uint16_t kErrorWrongCredentials = 441;
inline constexpr std::uint16_t kErrorUnsupportedTransportProtocol = 442;
inline constexpr std::uint16_t kErrorPeerAddressFamilyMismatch = 443;
inline constexpr std::uint16_t kErrorConnectionAlreadyExists = 446;
inline constexpr std::uint16_t kErrorConnectionTimeoutOrFailure = 447;
inline constexpr std::uint16_t kErrorAllocationQuotaReached = 486;
inline constexpr std::uint16_t kErrorServerError = 500;
inline constexpr std::uint16_t kErrorInsufficientCapacity = 508;

// Reason phrases are "fewer than 128 characters (which can be as long as 509
// bytes when encoding them or 763 bytes when decoding them)".
inline constexpr std::size_t kMaxReasonPhraseBytes = 763;

struct ErrorCodeAttribute {
    std::uint16_t code = 0;   // 300..699
    std::string_view reason;  // points into the message when decoded
    bool operator==(const ErrorCodeAttribute&) const = default;
};

struct AddressErrorCodeAttribute {
    Address::Family family = Address::Family::v4;
    std::uint16_t code = 0;
    std::string_view reason;
    bool operator==(const AddressErrorCodeAttribute&) const = default;
};

// The RFC's phrase for each constant above ("Stale Nonce"); "" otherwise.
std::string_view default_reason_phrase(std::uint16_t code) noexcept;

// An empty `reason` sends default_reason_phrase(code). Refuses
// (builder.fail()) a code outside 300..699 or a reason over the bound.
void add_error_code(MessageBuilder& builder, std::uint16_t code, std::string_view reason = {});
void add_address_error_code(MessageBuilder& builder, Address::Family family, std::uint16_t code,
                            std::string_view reason = {});

// bad_attribute_length under 4 bytes; bad_attribute_value for a class
// outside 3..6 or a number over 99; value_too_long for a long reason. The
// reserved bits are ignored.
std::variant<ErrorCodeAttribute, ParseError> decode_error_code(std::span<const std::uint8_t> value);
// Also bad_address_family for a family other than 0x01 or 0x02.
std::variant<AddressErrorCodeAttribute, ParseError> decode_address_error_code(
    std::span<const std::uint8_t> value);

}  // namespace switchboard::turn::stun
