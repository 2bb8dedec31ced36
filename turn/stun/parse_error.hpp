#pragma once
// Why a STUN message, attribute value, ChannelData message or stream frame
// was refused. Every value is something a remote peer can cause, so each one
// maps to a reply or a silent drop plus a counter, never to an exception.
//
// Converts to std::error_code (category "stun") for logs and metrics, like
// the project's other error enums (shared/jwt.hpp).

#include <system_error>
#include <type_traits>

namespace switchboard::turn::stun {

enum class ParseError {
    // Message framing (RFC 8489 section 5, section 6.3).
    too_short = 1,        // fewer than 20 bytes, or a value/frame cut short
    not_stun,             // the two most significant bits are not zero
    bad_magic_cookie,     // not 0x2112A442
    bad_length,           // the Length field is not a multiple of 4
    length_mismatch,      // the Length field disagrees with the bytes received
    truncated_attribute,  // an attribute runs past the end of the message
    too_many_attributes,  // more than kMaxAttributes
    // Attribute values (RFC 8489 section 14, RFC 8656 section 18).
    bad_attribute_length,  // the value has the wrong size for its type
    bad_attribute_value,   // a field is out of range (error class, ICMP type, ...)
    bad_address_family,    // neither 0x01 (IPv4) nor 0x02 (IPv6)
    value_too_long,        // a text value over its limit (USERNAME 513 bytes, ...)
    bad_channel_number,    // outside 0x4000-0x7FFF (see channel_number.hpp)
    // Streams (RFC 8656 section 12.5, RFC 6062 framing over TCP/TLS).
    not_stun_or_channel_data,  // first byte starts neither a STUN message nor ChannelData
    frame_too_large,           // the frame announced is over the caller's limit
};

const std::error_category& stun_category() noexcept;
std::error_code make_error_code(ParseError error) noexcept;

}  // namespace switchboard::turn::stun

namespace std {
template <>
struct is_error_code_enum<switchboard::turn::stun::ParseError> : true_type {};
}  // namespace std
