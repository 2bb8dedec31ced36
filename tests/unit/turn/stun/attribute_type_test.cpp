#include "turn/stun/attribute_type.hpp"

#include <gtest/gtest.h>

namespace switchboard::turn::stun {
namespace {

TEST(AttributeType, ComprehensionRange) {
    EXPECT_TRUE(is_comprehension_required(0x0000));
    EXPECT_TRUE(is_comprehension_required(kAttrUsername));
    EXPECT_TRUE(is_comprehension_required(0x7FFF));
    EXPECT_FALSE(is_comprehension_required(0x8000));
    EXPECT_FALSE(is_comprehension_required(kAttrFingerprint));
    EXPECT_FALSE(is_comprehension_required(0xFFFF));
}

TEST(AttributeType, KnownTypes) {
    const std::uint16_t known[] = {kAttrMappedAddress,
                                   kAttrUsername,
                                   kAttrMessageIntegrity,
                                   kAttrErrorCode,
                                   kAttrUnknownAttributes,
                                   kAttrChannelNumber,
                                   kAttrLifetime,
                                   kAttrXorPeerAddress,
                                   kAttrData,
                                   kAttrRealm,
                                   kAttrNonce,
                                   kAttrXorRelayedAddress,
                                   kAttrRequestedAddressFamily,
                                   kAttrEvenPort,
                                   kAttrRequestedTransport,
                                   kAttrDontFragment,
                                   kAttrMessageIntegritySha256,
                                   kAttrPasswordAlgorithm,
                                   kAttrUserhash,
                                   kAttrXorMappedAddress,
                                   kAttrReservationToken,
                                   kAttrPriority,
                                   kAttrUseCandidate,
                                   kAttrAdditionalAddressFamily,
                                   kAttrAddressErrorCode,
                                   kAttrPasswordAlgorithms,
                                   kAttrAlternateDomain,
                                   kAttrIcmp,
                                   kAttrSoftware,
                                   kAttrAlternateServer,
                                   kAttrFingerprint,
                                   kAttrIceControlled,
                                   kAttrIceControlling};
    for (const std::uint16_t type : known) {
        EXPECT_TRUE(is_known_attribute(type)) << std::hex << type;
        EXPECT_NE(attribute_name(type), "unknown") << std::hex << type;
    }
    // RFC 3489 leftovers and unassigned types are unknown.
    for (const std::uint16_t type :
         {0x0000, 0x0002, 0x0003, 0x0004, 0x0005, 0x0007, 0x000B, 0x0031, 0x7FFF, 0x8005, 0xFFFF}) {
        EXPECT_FALSE(is_known_attribute(type)) << std::hex << type;
    }
    EXPECT_EQ(attribute_name(kAttrXorPeerAddress), "XOR-PEER-ADDRESS");
}

}  // namespace
}  // namespace switchboard::turn::stun
