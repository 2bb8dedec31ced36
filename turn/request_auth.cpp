#include "turn/request_auth.hpp"

#include <string_view>

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/text_attributes.hpp"

namespace switchboard::turn {
namespace {

// The attribute's value as text, or nullopt when absent or malformed.
template <class Decode>
std::optional<std::string_view> text_attribute(const stun::MessageView& message, std::uint16_t type,
                                               Decode decode) {
    const stun::Attribute* attribute = message.find(type);
    if (attribute == nullptr) {
        return std::nullopt;
    }
    const auto decoded = decode(attribute->value);
    if (const auto* text = std::get_if<std::string_view>(&decoded)) {
        return *text;
    }
    return std::nullopt;
}

}  // namespace

std::variant<Credentials, std::vector<std::uint8_t>> authenticate_request(EngineContext& context,
                                                                          const Request& request) {
    const stun::MessageView& message = request.message;

    // "If the request does not contain a MESSAGE-INTEGRITY or
    // MESSAGE-INTEGRITY-SHA256 attribute, the server MUST generate an error
    // response with an error code of 401 (Unauthenticated). This response
    // MUST include a REALM value. ... The response MUST include a NONCE".
    if (!message.message_integrity_offset() && !message.message_integrity_sha256_offset()) {
        return context.challenge(request, stun::kErrorUnauthenticated);
    }

    // "If the message contains a MESSAGE-INTEGRITY or a
    // MESSAGE-INTEGRITY-SHA256 attribute, but is missing either the USERNAME
    // or USERHASH, REALM, or NONCE attribute, the server MUST generate an
    // error response with an error code of 400 (Bad Request). This response
    // SHOULD NOT include a USERNAME, USERHASH, NONCE, or REALM attribute."
    // USERHASH is not supported (no browser sends it): a request with it
    // and no USERNAME is missing its USERNAME.
    const auto username = text_attribute(message, stun::kAttrUsername, stun::decode_username);
    const auto realm = text_attribute(message, stun::kAttrRealm, stun::decode_realm);
    const auto nonce = text_attribute(message, stun::kAttrNonce, stun::decode_nonce);
    if (!username || !realm || !nonce) {
        return std::move(context.error(request, stun::kErrorBadRequest)).finish();
    }

    // "If the NONCE is no longer valid, the server MUST generate an error
    // response with an error code of 438 (Stale Nonce). This response MUST
    // include NONCE, REALM ... The NONCE attribute value MUST be valid."
    // Checked before the credentials (RFC 8489 lists it after them): it is
    // one HMAC against several per secret, and a client with a nonce bound
    // to another 5-tuple must fetch a new one whatever its password. The
    // nonce carries no "nonce cookie" (security features are not offered),
    // so no PASSWORD-ALGORITHMS is due.
    if (!context.nonces.valid(*nonce, request.from)) {
        return context.challenge(request, stun::kErrorStaleNonce);
    }

    // "If the value of the USERNAME or USERHASH attribute is not valid, the
    // server MUST generate an error response with an error code of 401
    // (Unauthenticated)." ... and if the computed MESSAGE-INTEGRITY "does
    // not match ..., the server MUST reject the request with an error
    // response. This response MUST use an error code of 401".
    // REALM itself is not compared: the key is computed with our realm, so
    // another realm cannot produce a matching MAC.
    const bool allocating = message.method() == stun::Method::allocate;
    AuthResult result = context.authenticator.authenticate(message, *username, allocating);
    switch (result.status) {
        case AuthStatus::ok: return std::move(result.credentials);
        case AuthStatus::unauthenticated:
            return context.challenge(request, stun::kErrorUnauthenticated);
        case AuthStatus::expired:
            // A 401 makes a browser fetch fresh credentials; the MAC was
            // right, but a 401 carries no MESSAGE-INTEGRITY (9.2.4: "SHOULD
            // NOT").
            context.metrics.credential_refusal(CredentialRefusal::expired);
            return context.challenge(request, stun::kErrorUnauthenticated, "Credential Expired");
        case AuthStatus::too_far:
            context.metrics.credential_refusal(CredentialRefusal::expiry_too_far);
            return context.challenge(request, stun::kErrorUnauthenticated,
                                     "Credential Expiry Too Far");
        case AuthStatus::inactive: {
            context.metrics.credential_refusal(CredentialRefusal::inactive);
            // The credential is genuine but its owner's signaling session
            // is gone: an authorization refusal, not an authentication one,
            // so 403, integrity-protected like any authenticated answer.
            const Request authenticated{request.from, request.message, &result.credentials};
            return std::move(context.error(authenticated, stun::kErrorForbidden, "Session Ended"))
                .finish();
        }
    }
    return context.challenge(request, stun::kErrorUnauthenticated);
}

}  // namespace switchboard::turn
