#pragma once
// STUN attribute type registry: the types this server knows (RFC 8489
// section 18.3, RFC 8656 section 18, RFC 8445 section 16.1), and the
// comprehension rule a server applies to the rest. Pure, thread-safe.

#include <cstdint>
#include <string_view>

namespace switchboard::turn::stun {

// Comprehension-required range (0x0000-0x7FFF).
inline constexpr std::uint16_t kAttrMappedAddress = 0x0001;
inline constexpr std::uint16_t kAttrUsername = 0x0006;
inline constexpr std::uint16_t kAttrMessageIntegrity = 0x0008;
inline constexpr std::uint16_t kAttrErrorCode = 0x0009;
inline constexpr std::uint16_t kAttrUnknownAttributes = 0x000A;
inline constexpr std::uint16_t kAttrChannelNumber = 0x000C;
inline constexpr std::uint16_t kAttrLifetime = 0x000D;
inline constexpr std::uint16_t kAttrXorPeerAddress = 0x0012;
inline constexpr std::uint16_t kAttrData = 0x0013;
inline constexpr std::uint16_t kAttrRealm = 0x0014;
inline constexpr std::uint16_t kAttrNonce = 0x0015;
inline constexpr std::uint16_t kAttrXorRelayedAddress = 0x0016;
inline constexpr std::uint16_t kAttrRequestedAddressFamily = 0x0017;
inline constexpr std::uint16_t kAttrEvenPort = 0x0018;
inline constexpr std::uint16_t kAttrRequestedTransport = 0x0019;
inline constexpr std::uint16_t kAttrDontFragment = 0x001A;
inline constexpr std::uint16_t kAttrMessageIntegritySha256 = 0x001C;
inline constexpr std::uint16_t kAttrPasswordAlgorithm = 0x001D;
inline constexpr std::uint16_t kAttrUserhash = 0x001E;
inline constexpr std::uint16_t kAttrXorMappedAddress = 0x0020;
inline constexpr std::uint16_t kAttrReservationToken = 0x0022;
inline constexpr std::uint16_t kAttrPriority = 0x0024;      // RFC 8445 (ICE)
inline constexpr std::uint16_t kAttrUseCandidate = 0x0025;  // RFC 8445 (ICE)

// Comprehension-optional range (0x8000-0xFFFF).
inline constexpr std::uint16_t kAttrAdditionalAddressFamily = 0x8000;
inline constexpr std::uint16_t kAttrAddressErrorCode = 0x8001;
inline constexpr std::uint16_t kAttrPasswordAlgorithms = 0x8002;
inline constexpr std::uint16_t kAttrAlternateDomain = 0x8003;
inline constexpr std::uint16_t kAttrIcmp = 0x8004;
inline constexpr std::uint16_t kAttrSoftware = 0x8022;
inline constexpr std::uint16_t kAttrAlternateServer = 0x8023;
inline constexpr std::uint16_t kAttrFingerprint = 0x8028;
inline constexpr std::uint16_t kAttrIceControlled = 0x8029;   // RFC 8445 (ICE)
inline constexpr std::uint16_t kAttrIceControlling = 0x802A;  // RFC 8445 (ICE)

// RFC 8489 section 14: "Attributes with type values between 0x0000 and
// 0x7FFF are comprehension-required attributes, which means that the STUN
// agent cannot successfully process the message unless it understands the
// attribute."
constexpr bool is_comprehension_required(std::uint16_t type) noexcept {
    return type < 0x8000;
}

// True for every constant above. A request carrying a comprehension-required
// type for which this is false gets a 420 (Unknown Attribute) listing it
// (RFC 8489 section 6.3.1.1); see unknown_attributes.hpp. The ICE attributes
// count as known: a Binding request that carries them is a connectivity
// check, which a STUN server answers without reading them.
bool is_known_attribute(std::uint16_t type) noexcept;

// "XOR-PEER-ADDRESS", for logs; "unknown" otherwise.
std::string_view attribute_name(std::uint16_t type) noexcept;

}  // namespace switchboard::turn::stun
