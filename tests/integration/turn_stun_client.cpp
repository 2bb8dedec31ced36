// Decoding responses and the TurnClient of turn_support.hpp, on the
// turn/stun codec.
#include <span>

#include "tests/integration/turn_support.hpp"
#include "turn/stun/address_family.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/channel_data.hpp"
#include "turn/stun/channel_number.hpp"
#include "turn/stun/data.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/lifetime.hpp"
#include "turn/stun/requested_transport.hpp"
#include "turn/stun/text_attributes.hpp"
#include "turn/stun/xor_address.hpp"

namespace sbtest::turnit {

using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

template <class T>
std::optional<T> get(const std::variant<T, stun::ParseError>& v) {
    if (const auto* value = std::get_if<T>(&v)) return *value;
    return std::nullopt;
}

}  // namespace

// ---- responses ---------------------------------------------------------------

std::optional<StunResponse> decode_response(std::span<const std::uint8_t> bytes) {
    const auto parsed = stun::parse_message(bytes);
    const auto* view = std::get_if<stun::MessageView>(&parsed);
    if (view == nullptr) return std::nullopt;
    StunResponse r;
    r.bytes.assign(bytes.begin(), bytes.end());
    r.method = view->method();
    r.cls = view->message_class();
    r.transaction_id = view->transaction_id();
    r.has_integrity = view->message_integrity_offset().has_value();
    r.has_fingerprint = view->fingerprint_offset().has_value();
    const auto& tid = view->transaction_id();
    if (const auto* a = view->find(stun::kAttrErrorCode)) {
        if (auto e = get(stun::decode_error_code(a->value))) {
            r.error_code = e->code;
            r.reason = std::string(e->reason);
        } else {
            r.error_code = 1;  // malformed: never a success
        }
    }
    if (const auto* a = view->find(stun::kAttrRealm)) {
        if (auto t = get(stun::decode_realm(a->value))) r.realm = std::string(*t);
    }
    if (const auto* a = view->find(stun::kAttrNonce)) {
        if (auto t = get(stun::decode_nonce(a->value))) r.nonce = std::string(*t);
    }
    if (const auto* a = view->find(stun::kAttrXorMappedAddress))
        r.xor_mapped = get(stun::decode_xor_address(a->value, tid));
    if (const auto* a = view->find(stun::kAttrXorRelayedAddress))
        r.xor_relayed = get(stun::decode_xor_address(a->value, tid));
    if (const auto* a = view->find(stun::kAttrXorPeerAddress))
        r.xor_peer = get(stun::decode_xor_address(a->value, tid));
    if (const auto* a = view->find(stun::kAttrLifetime))
        r.lifetime = get(stun::decode_lifetime(a->value));
    return r;
}

std::string StunResponse::describe() const {
    std::string out =
        std::string(stun::to_string(method)) + " " + std::string(stun::to_string(cls));
    if (error_code != 0) out += " " + std::to_string(error_code) + " (" + reason + ")";
    if (xor_relayed) out += ", relayed " + xor_relayed->to_string();
    if (xor_mapped) out += ", mapped " + xor_mapped->to_string();
    if (lifetime) out += ", lifetime " + std::to_string(*lifetime);
    return out;
}

std::ostream& operator<<(std::ostream& os, const StunResponse& r) {
    return os << r.describe();
}

Bytes binding_request(const stun::TransactionId& id, bool fingerprint) {
    stun::MessageBuilder b(stun::Method::binding, stun::MessageClass::request, id);
    if (fingerprint) b.add_fingerprint();
    const auto bytes = b.bytes();
    return Bytes(bytes.begin(), bytes.end());
}

// ---- TurnClient --------------------------------------------------------------

TurnClient::TurnClient(std::unique_ptr<StunSocket> socket, std::string username,
                       std::string password)
    : socket_(std::move(socket)), username_(std::move(username)), password_(std::move(password)) {}

std::unique_ptr<TurnClient> TurnClient::connect(Proto proto, const std::string& ip,
                                                std::uint16_t port, std::string username,
                                                std::string password, std::string* error) {
    auto s = StunSocket::connect(proto, ip, port, error);
    if (!s) return nullptr;
    return std::make_unique<TurnClient>(std::move(s), std::move(username), std::move(password));
}

stun::LongTermKey TurnClient::key() const {
    return stun::long_term_key(username_, realm_, password_);
}

std::optional<StunResponse> TurnClient::transact(const stun::MessageBuilder& request,
                                                 std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    // UDP: retransmit every 500 ms (loopback rarely loses, but may).
    const auto rto = socket_->proto() == Proto::udp ? 500ms : timeout;
    while (Steady::now() < deadline) {
        if (!socket_->send(request.bytes())) return std::nullopt;
        const auto resend_at = std::min(deadline, Steady::now() + rto);
        while (Steady::now() < resend_at) {
            auto bytes = socket_->receive(std::chrono::milliseconds(remaining_ms(resend_at)));
            if (!bytes) {
                if (socket_->proto() != Proto::udp && socket_->last_error() != "timeout")
                    return std::nullopt;
                break;
            }
            auto r = decode_response(*bytes);
            if (r && r->transaction_id == request.transaction_id() &&
                (r->cls == stun::MessageClass::success_response ||
                 r->cls == stun::MessageClass::error_response)) {
                if (r->has_integrity && !realm_.empty()) {
                    const auto parsed =
                        stun::parse_message(std::span<const std::uint8_t>(r->bytes));
                    const auto k = key();
                    if (!stun::verify_message_integrity(std::get<stun::MessageView>(parsed), k))
                        integrity_ok_ = false;
                }
                return r;
            }
            inbox_.push_back(std::move(*bytes));  // data, or a stale response
        }
    }
    return std::nullopt;
}

std::optional<StunResponse> TurnClient::send_authenticated(
    stun::Method method, const std::function<void(stun::MessageBuilder&)>& add) {
    stun::MessageBuilder b(method, stun::MessageClass::request, stun::TransactionId::random());
    add(b);
    stun::add_username(b, username_);
    stun::add_realm(b, realm_);
    stun::add_nonce(b, nonce_);
    const auto k = key();
    b.add_message_integrity(k);
    b.add_fingerprint();
    return transact(b);
}

std::optional<StunResponse> TurnClient::request(
    stun::Method method, const std::function<void(stun::MessageBuilder&)>& add) {
    if (realm_.empty()) {
        // RFC 8489 section 9.2.3: the first request goes without credentials;
        // the 401 carries the REALM and NONCE to use.
        stun::MessageBuilder b(method, stun::MessageClass::request, stun::TransactionId::random());
        add(b);
        b.add_fingerprint();
        auto r = transact(b);
        if (!r || r->error_code != stun::kErrorUnauthenticated || r->realm.empty() ||
            r->nonce.empty())
            return r;
        realm_ = r->realm;
        nonce_ = r->nonce;
    }
    auto r = send_authenticated(method, add);
    if (r && r->error_code == stun::kErrorStaleNonce && !r->nonce.empty()) {
        nonce_ = r->nonce;
        if (!r->realm.empty()) realm_ = r->realm;
        r = send_authenticated(method, add);
    }
    return r;
}

std::optional<StunResponse> TurnClient::allocate(std::optional<std::uint32_t> lifetime,
                                                 std::optional<stun::Address::Family> family) {
    return request(stun::Method::allocate, [&](stun::MessageBuilder& b) {
        stun::add_requested_transport(b, stun::kProtocolUdp);
        if (lifetime) stun::add_lifetime(b, *lifetime);
        if (family) stun::add_address_family(b, stun::kAttrRequestedAddressFamily, *family);
    });
}

std::optional<StunResponse> TurnClient::refresh(std::optional<std::uint32_t> lifetime) {
    return request(stun::Method::refresh, [&](stun::MessageBuilder& b) {
        if (lifetime) stun::add_lifetime(b, *lifetime);
    });
}

std::optional<StunResponse> TurnClient::create_permission(const std::vector<stun::Address>& peers) {
    return request(stun::Method::create_permission, [&](stun::MessageBuilder& b) {
        for (const auto& p : peers) stun::add_xor_address(b, stun::kAttrXorPeerAddress, p);
    });
}

std::optional<StunResponse> TurnClient::channel_bind(std::uint16_t channel,
                                                     const stun::Address& peer) {
    return request(stun::Method::channel_bind, [&](stun::MessageBuilder& b) {
        stun::add_channel_number(b, channel);
        stun::add_xor_address(b, stun::kAttrXorPeerAddress, peer);
    });
}

std::optional<StunResponse> TurnClient::binding() {
    stun::MessageBuilder b(stun::Method::binding, stun::MessageClass::request,
                           stun::TransactionId::random());
    b.add_fingerprint();
    return transact(b);
}

bool TurnClient::send_indication(const stun::Address& peer, std::span<const std::uint8_t> data) {
    stun::MessageBuilder b(stun::Method::send, stun::MessageClass::indication,
                           stun::TransactionId::random());
    stun::add_xor_address(b, stun::kAttrXorPeerAddress, peer);
    stun::add_data(b, data);
    return b.ok() && socket_->send(b.bytes());
}

bool TurnClient::send_channel_data(std::uint16_t channel, std::span<const std::uint8_t> data) {
    Bytes out;
    const auto framing =
        socket_->proto() == Proto::udp ? stun::Framing::datagram : stun::Framing::stream;
    return stun::encode_channel_data(channel, data, out, framing) && socket_->send(out);
}

std::optional<TurnClient::Incoming> TurnClient::receive_data(std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    auto decode = [&](const Bytes& bytes) -> std::optional<Incoming> {
        if (stun::looks_like_channel_data(bytes)) {
            const auto framing =
                socket_->proto() == Proto::udp ? stun::Framing::datagram : stun::Framing::stream;
            const auto parsed =
                stun::parse_channel_data(std::span<const std::uint8_t>(bytes), framing);
            const auto* cd = std::get_if<stun::ChannelData>(&parsed);
            if (!cd) return std::nullopt;
            Incoming in;
            in.channel_data = true;
            in.channel = cd->channel;
            in.payload.assign(cd->payload.begin(), cd->payload.end());
            return in;
        }
        const auto parsed = stun::parse_message(std::span<const std::uint8_t>(bytes));
        const auto* view = std::get_if<stun::MessageView>(&parsed);
        if (!view || view->method() != stun::Method::data ||
            view->message_class() != stun::MessageClass::indication)
            return std::nullopt;
        Incoming in;
        if (const auto* a = view->find(stun::kAttrXorPeerAddress))
            in.peer = get(stun::decode_xor_address(a->value, view->transaction_id()));
        if (const auto* a = view->find(stun::kAttrData)) {
            const auto d = stun::decode_data(a->value);
            in.payload.assign(d.begin(), d.end());
        }
        return in;
    };
    while (!inbox_.empty()) {
        auto bytes = std::move(inbox_.front());
        inbox_.erase(inbox_.begin());
        if (auto in = decode(bytes)) return in;
    }
    while (true) {
        const int left = remaining_ms(deadline);
        if (left == 0) return std::nullopt;
        auto bytes = socket_->receive(std::chrono::milliseconds(left));
        if (!bytes) return std::nullopt;
        if (auto in = decode(*bytes)) return in;
    }
}

}  // namespace sbtest::turnit
