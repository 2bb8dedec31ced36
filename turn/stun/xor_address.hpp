#pragma once
// XOR-MAPPED-ADDRESS (0x0020, RFC 8489 section 14.2), XOR-PEER-ADDRESS
// (0x0012, RFC 8656 section 18.3) and XOR-RELAYED-ADDRESS (0x0016, RFC 8656
// section 18.5): one encoding, three types. Pure, thread-safe.

#include "turn/stun/address.hpp"
#include "turn/stun/builder.hpp"
#include "turn/stun/message.hpp"
#include "turn/stun/parse_error.hpp"

#include <cstdint>
#include <span>
#include <variant>

namespace switchboard::turn::stun {

// The obfuscation itself; applying it twice gives the address back.
Address xor_address(const Address& address, const TransactionId& transaction_id) noexcept;

// `type`: kAttrXorMappedAddress, kAttrXorPeerAddress or kAttrXorRelayedAddress.
// Uses the builder's transaction id.
void add_xor_address(MessageBuilder& builder, std::uint16_t type, const Address& address);

// Same checks as decode_mapped_address.
std::variant<Address, ParseError> decode_xor_address(std::span<const std::uint8_t> value,
                                                     const TransactionId& transaction_id);

}  // namespace switchboard::turn::stun
