#include "turn/stun/attribute_type.hpp"

namespace switchboard::turn::stun {

std::string_view attribute_name(std::uint16_t type) noexcept {
    switch (type) {
        case kAttrMappedAddress: return "MAPPED-ADDRESS";
        case kAttrUsername: return "USERNAME";
        case kAttrMessageIntegrity: return "MESSAGE-INTEGRITY";
        case kAttrErrorCode: return "ERROR-CODE";
        case kAttrUnknownAttributes: return "UNKNOWN-ATTRIBUTES";
        case kAttrChannelNumber: return "CHANNEL-NUMBER";
        case kAttrLifetime: return "LIFETIME";
        case kAttrXorPeerAddress: return "XOR-PEER-ADDRESS";
        case kAttrData: return "DATA";
        case kAttrRealm: return "REALM";
        case kAttrNonce: return "NONCE";
        case kAttrXorRelayedAddress: return "XOR-RELAYED-ADDRESS";
        case kAttrRequestedAddressFamily: return "REQUESTED-ADDRESS-FAMILY";
        case kAttrEvenPort: return "EVEN-PORT";
        case kAttrRequestedTransport: return "REQUESTED-TRANSPORT";
        case kAttrDontFragment: return "DONT-FRAGMENT";
        case kAttrMessageIntegritySha256: return "MESSAGE-INTEGRITY-SHA256";
        case kAttrPasswordAlgorithm: return "PASSWORD-ALGORITHM";
        case kAttrUserhash: return "USERHASH";
        case kAttrXorMappedAddress: return "XOR-MAPPED-ADDRESS";
        case kAttrReservationToken: return "RESERVATION-TOKEN";
        case kAttrPriority: return "PRIORITY";
        case kAttrUseCandidate: return "USE-CANDIDATE";
        case kAttrAdditionalAddressFamily: return "ADDITIONAL-ADDRESS-FAMILY";
        case kAttrAddressErrorCode: return "ADDRESS-ERROR-CODE";
        case kAttrPasswordAlgorithms: return "PASSWORD-ALGORITHMS";
        case kAttrAlternateDomain: return "ALTERNATE-DOMAIN";
        case kAttrIcmp: return "ICMP";
        case kAttrSoftware: return "SOFTWARE";
        case kAttrAlternateServer: return "ALTERNATE-SERVER";
        case kAttrFingerprint: return "FINGERPRINT";
        case kAttrIceControlled: return "ICE-CONTROLLED";
        case kAttrIceControlling: return "ICE-CONTROLLING";
        default: return "unknown";
    }
}

bool is_known_attribute(std::uint16_t type) noexcept {
    return attribute_name(type) != "unknown";
}

}  // namespace switchboard::turn::stun
