// STUN message decoding (RFC 8489 section 5 and 14): parse_message, then
// every attribute decoder this server uses, on whatever parsed.
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "turn/stun/address_family.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/channel_number.hpp"
#include "turn/stun/data.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/even_port.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/lifetime.hpp"
#include "turn/stun/message.hpp"
#include "turn/stun/requested_transport.hpp"
#include "turn/stun/reservation_token.hpp"
#include "turn/stun/text_attributes.hpp"
#include "turn/stun/unknown_attributes.hpp"
#include "turn/stun/xor_address.hpp"

namespace stun = switchboard::turn::stun;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parsed = stun::parse_message(std::span(data, size));
    const auto* m = std::get_if<stun::MessageView>(&parsed);
    if (m == nullptr) return 0;
    (void)stun::verify_fingerprint(*m);
    (void)stun::unknown_comprehension_required(*m);
    for (const auto& a : m->attributes()) {
        (void)stun::decode_xor_address(a.value, m->transaction_id());
        (void)stun::decode_username(a.value);
        (void)stun::decode_realm(a.value);
        (void)stun::decode_nonce(a.value);
        (void)stun::decode_error_code(a.value);
        (void)stun::decode_channel_number(a.value);
        (void)stun::decode_reservation_token(a.value);
    }
    return 0;
}
