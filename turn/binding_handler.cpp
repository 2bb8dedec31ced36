// Binding (RFC 8489 section 6.3.1): the STUN server part, on every
// transport, without authentication.
#include "turn/handlers.hpp"

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/unknown_attributes.hpp"
#include "turn/stun/xor_address.hpp"

namespace switchboard::turn {

std::vector<std::uint8_t> handle_binding(EngineContext& context, const Request& request) {
    // Section 6.3.1: "If the request contains one or more unknown
    // comprehension-required attributes, the server replies with an error
    // response with an error code of 420 (Unknown Attribute) and includes an
    // UNKNOWN-ATTRIBUTES attribute in the response that lists the unknown
    // comprehension-required attributes."
    const auto unknown = stun::unknown_comprehension_required(request.message);
    if (!unknown.empty()) {
        Reply reply = context.error(request, stun::kErrorUnknownAttribute);
        stun::add_unknown_attributes(reply.builder(), unknown);
        return std::move(reply).finish();
    }
    // Section 6.3.1.1: "the server MUST add an XOR-MAPPED-ADDRESS attribute
    // to the response... The value of the attribute is the source transport
    // address of the request". No SOFTWARE: nothing to configure it yet,
    // and the version is nobody's business by default.
    Reply reply = Reply::success(request);
    stun::add_xor_address(reply.builder(), stun::kAttrXorMappedAddress, request.from.client);
    return std::move(reply).finish();
}

}  // namespace switchboard::turn
