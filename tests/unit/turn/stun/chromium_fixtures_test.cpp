// Packets captured from Chromium's own TURN client talking to switchboard
// (tests/data/stun/chromium_*.hex, made by tests/e2e/capture/): every one
// parses as what it is, its attributes decode to what Chromium meant, the
// long-term MESSAGE-INTEGRITY verifies with the capture's credentials and
// only with them, the ICE checks Chromium tunnels in Send/Data indications
// carry a FINGERPRINT and short-term integrity that verify, ChannelData
// parses with and without stream padding, and the builder reproduces
// Chromium's requests byte for byte.
//
// Chromium 156 sends no SOFTWARE and no FINGERPRINT to a TURN server, and
// REQUESTED-TRANSPORT 17 over TCP too. The expectations below record that:
// a re-capture with a Chromium that changes it should fail here, loudly.

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/channel_data.hpp"
#include "turn/stun/channel_number.hpp"
#include "turn/stun/data.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/framing.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/lifetime.hpp"
#include "turn/stun/long_term_key.hpp"
#include "turn/stun/requested_transport.hpp"
#include "turn/stun/text_attributes.hpp"
#include "turn/stun/unknown_attributes.hpp"
#include "turn/stun/xor_address.hpp"

#include "stun_test_util.hpp"

#include "shared/crypto.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <tuple>
#include <utility>

namespace switchboard::turn::stun {
namespace {

using test::error_of;
using test::load_fixture;
using test::ok;
using test::to_hex;

// An ICE connectivity check Chromium tunnels through the relay.
struct IceCheck {
    std::string_view peer;           // XOR-PEER-ADDRESS of the indication
    std::string_view username;       // "receiver-ufrag:sender-ufrag"
    std::string_view ice_pwd;        // the receiving agent's: the short-term key
    std::string_view other_ice_pwd;  // the sending agent's: not the key
    std::uint16_t role;              // ICE-CONTROLLED or ICE-CONTROLLING
};

// --- capture: what the fixtures hold; write_fixtures.mjs prints this block ----------
// TURN REST credentials minted by a server with a throwaway secret: safe to
// publish. The server hands each 5-tuple its own nonce. The peer is the
// other RTCPeerConnection's relayed address; the relayed one is this side's.
constexpr std::string_view kUsername = "1795263066:capture-mwqb4tck5uym";
constexpr std::string_view kRealm = "switchboard";
constexpr std::string_view kPassword = "lSMFXvTIyRzaw/pWc7qndVm1QuI=";
constexpr std::string_view kUdpNonce = "AAAAAAAAFwaHrA3PrB6HUojoh_I";
constexpr std::string_view kTcpNonce = "AAAAAAAAFwm_E8hLZS1GgNeEl4g";
constexpr std::string_view kUdpPeer = "10.200.0.1:27192";
constexpr std::string_view kTcpPeer = "10.200.0.1:20993";
constexpr std::string_view kUdpRelayed = "10.200.0.1:29753";
constexpr std::string_view kTcpRelayed = "10.200.0.1:20312";
constexpr std::string_view kBindingMapped = "10.200.0.1:42519";
constexpr std::size_t kUdpChannelPayload = 66;
constexpr std::size_t kTcpChannelPayload = 66;
constexpr IceCheck kSendCheck = {"10.200.0.1:29753", "v1xN:zGLq", "Cq9dVMCOrsHxVCOc5bVAJcVy",
                                 "ePJxWNmCUhM7h6TErrP85zFu", kAttrIceControlled};
constexpr IceCheck kDataCheck = {"10.200.0.1:29753", "zGLq:v1xN", "ePJxWNmCUhM7h6TErrP85zFu",
                                 "Cq9dVMCOrsHxVCOc5bVAJcVy", kAttrIceControlling};
// --- end of capture --------------------------------------------------------------------

std::vector<std::uint16_t> types_of(const MessageView& message) {
    std::vector<std::uint16_t> types;
    for (const Attribute& attribute : message.attributes()) {
        types.push_back(attribute.type);
    }
    return types;
}

std::string_view text(const MessageView& message, std::uint16_t type) {
    const Attribute* attribute = message.find(type);
    return attribute == nullptr ? std::string_view("<missing>") : shared::as_text(attribute->value);
}

Address address(std::string_view text) {
    const auto parsed = Address::parse(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Address{});
}

std::optional<Address> xor_address_of(const MessageView& message, std::uint16_t type) {
    const Attribute* attribute = message.find(type);
    if (attribute == nullptr) {
        ADD_FAILURE() << attribute_name(type) << " missing";
        return std::nullopt;
    }
    return ok(decode_xor_address(attribute->value, message.transaction_id()));
}

// --- every fixture: size, type, attributes in order ------------------------------

struct Shape {
    std::string file;
    std::size_t size;
    Method method;
    MessageClass cls;
    std::vector<std::uint16_t> types;
};

std::vector<Shape> shapes() {
    using enum MessageClass;
    const auto authenticated = [](std::vector<std::uint16_t> types) {
        types.insert(types.end(), {kAttrUsername, kAttrRealm, kAttrNonce, kAttrMessageIntegrity});
        return types;
    };
    std::vector<Shape> out;
    const auto add = [&out](std::string file, std::size_t size, Method method, MessageClass cls,
                            std::vector<std::uint16_t> types) {
        out.push_back({std::move(file), size, method, cls, std::move(types)});
    };
    add("chromium_udp_binding.hex", 20, Method::binding, request, {});
    add("chromium_udp_binding_success.hex", 32, Method::binding, success_response,
        {kAttrXorMappedAddress});
    add("chromium_udp_send_indication.hex", 132, Method::send, indication,
        {kAttrXorPeerAddress, kAttrData});
    add("chromium_udp_data_indication.hex", 136, Method::data, indication,
        {kAttrXorPeerAddress, kAttrData});
    for (const std::string transport : {"udp", "tcp"}) {
        const std::string prefix = "chromium_" + transport + "_";
        add(prefix + "allocate_unauth.hex", 28, Method::allocate, request,
            {kAttrRequestedTransport});
        add(prefix + "allocate_401.hex", 92, Method::allocate, error_response,
            {kAttrErrorCode, kAttrRealm, kAttrNonce});
        add(prefix + "allocate_auth.hex", 136, Method::allocate, request,
            authenticated({kAttrRequestedTransport}));
        add(prefix + "allocate_success.hex", 76, Method::allocate, success_response,
            {kAttrXorRelayedAddress, kAttrLifetime, kAttrXorMappedAddress, kAttrMessageIntegrity});
        add(prefix + "create_permission.hex", 140, Method::create_permission, request,
            authenticated({kAttrXorPeerAddress}));
        add(prefix + "channel_bind.hex", 148, Method::channel_bind, request,
            authenticated({kAttrChannelNumber, kAttrXorPeerAddress}));
        add(prefix + "refresh_delete.hex", 136, Method::refresh, request,
            authenticated({kAttrLifetime}));
    }
    return out;
}

TEST(ChromiumFixtures, EveryMessageParsesAsWhatItIs) {
    for (const Shape& shape : shapes()) {
        SCOPED_TRACE(shape.file);
        const auto bytes = load_fixture(shape.file);
        EXPECT_EQ(bytes.size(), shape.size);
        const auto message = ok(parse_message(bytes));
        ASSERT_TRUE(message);
        EXPECT_EQ(message->method(), shape.method);
        EXPECT_EQ(message->message_class(), shape.cls);
        EXPECT_EQ(types_of(*message), shape.types);
        // Nothing a server would answer with 420, and no FINGERPRINT at all.
        EXPECT_TRUE(unknown_comprehension_required(*message).empty());
        EXPECT_FALSE(message->fingerprint_offset());
        EXPECT_FALSE(verify_fingerprint(*message));
    }
}

// --- long-term credentials ---------------------------------------------------------

struct Authenticated {
    std::string file;
    std::string_view nonce;
};

const Authenticated kAuthenticated[] = {
    {"chromium_udp_allocate_auth.hex", kUdpNonce},
    {"chromium_udp_allocate_success.hex", {}},  // the server's answer, keyed alike
    {"chromium_udp_create_permission.hex", kUdpNonce},
    {"chromium_udp_channel_bind.hex", kUdpNonce},
    {"chromium_udp_refresh_delete.hex", kUdpNonce},
    {"chromium_tcp_allocate_auth.hex", kTcpNonce},
    {"chromium_tcp_allocate_success.hex", {}},
    {"chromium_tcp_create_permission.hex", kTcpNonce},
    {"chromium_tcp_channel_bind.hex", kTcpNonce},
    {"chromium_tcp_refresh_delete.hex", kTcpNonce},
};

TEST(ChromiumFixtures, LongTermIntegrityVerifiesOnlyWithTheCapturedCredentials) {
    const LongTermKey key = long_term_key(kUsername, kRealm, kPassword);
    for (const Authenticated& fixture : kAuthenticated) {
        SCOPED_TRACE(fixture.file);
        auto bytes = load_fixture(fixture.file);
        const auto message = ok(parse_message(bytes));
        ASSERT_TRUE(message);
        if (!fixture.nonce.empty()) {
            EXPECT_EQ(ok(decode_username(message->find(kAttrUsername)->value)), kUsername);
            EXPECT_EQ(ok(decode_realm(message->find(kAttrRealm)->value)), kRealm);
            EXPECT_EQ(ok(decode_nonce(message->find(kAttrNonce)->value)), fixture.nonce);
        }
        EXPECT_TRUE(verify_message_integrity(*message, key));
        // The credential without its base64 padding, another realm, and the
        // password used directly as a short-term key all fail.
        EXPECT_FALSE(verify_message_integrity(
            *message, long_term_key(kUsername, kRealm, kPassword.substr(0, kPassword.size() - 1))));
        EXPECT_FALSE(
            verify_message_integrity(*message, long_term_key(kUsername, "Switchboard", kPassword)));
        EXPECT_FALSE(verify_message_integrity(*message, shared::as_bytes(kPassword)));

        // One flipped bit (in the first attribute's value) breaks it.
        bytes[24] ^= 0x01;
        const auto tampered = ok(parse_message(bytes));
        ASSERT_TRUE(tampered);
        EXPECT_FALSE(verify_message_integrity(*tampered, key));
    }
}

TEST(ChromiumFixtures, ChallengeAndRetry) {
    for (const auto& [transport, nonce] : {std::pair{"udp", kUdpNonce}, {"tcp", kTcpNonce}}) {
        SCOPED_TRACE(transport);
        const std::string prefix = std::string("chromium_") + transport + "_allocate_";
        const auto unauth_bytes = load_fixture(prefix + "unauth.hex");
        const auto challenge_bytes = load_fixture(prefix + "401.hex");
        const auto retry_bytes = load_fixture(prefix + "auth.hex");
        const auto success_bytes = load_fixture(prefix + "success.hex");
        const auto unauth = ok(parse_message(unauth_bytes));
        const auto challenge = ok(parse_message(challenge_bytes));
        const auto retry = ok(parse_message(retry_bytes));
        const auto success = ok(parse_message(success_bytes));
        ASSERT_TRUE(unauth && challenge && retry && success);

        // REQUESTED-TRANSPORT is UDP (the relay's transport) over TCP too.
        EXPECT_EQ(ok(decode_requested_transport(unauth->find(kAttrRequestedTransport)->value)),
                  kProtocolUdp);
        EXPECT_FALSE(
            verify_message_integrity(*unauth, long_term_key(kUsername, kRealm, kPassword)));

        EXPECT_EQ(challenge->transaction_id(), unauth->transaction_id());
        const auto error = ok(decode_error_code(challenge->find(kAttrErrorCode)->value));
        ASSERT_TRUE(error);
        EXPECT_EQ(error->code, kErrorUnauthenticated);
        EXPECT_EQ(error->reason, "Unauthenticated");
        EXPECT_EQ(ok(decode_realm(challenge->find(kAttrRealm)->value)), kRealm);
        EXPECT_EQ(ok(decode_nonce(challenge->find(kAttrNonce)->value)), nonce);

        // Chromium retries with a new transaction, echoing REALM and NONCE.
        EXPECT_NE(retry->transaction_id(), unauth->transaction_id());
        EXPECT_EQ(text(*retry, kAttrRealm), text(*challenge, kAttrRealm));
        EXPECT_EQ(text(*retry, kAttrNonce), text(*challenge, kAttrNonce));
        EXPECT_EQ(ok(decode_requested_transport(retry->find(kAttrRequestedTransport)->value)),
                  kProtocolUdp);

        EXPECT_EQ(success->transaction_id(), retry->transaction_id());
        EXPECT_EQ(ok(decode_lifetime(success->find(kAttrLifetime)->value)), 600u);
        const auto relayed = xor_address_of(*success, kAttrXorRelayedAddress);
        EXPECT_EQ(relayed,
                  address(std::string_view(transport) == "udp" ? kUdpRelayed : kTcpRelayed));
    }
}

// --- the builder writes what Chromium wrote -------------------------------------

struct Rebuilt {
    std::string file;
    Method method;
    std::string_view nonce;  // empty: no credentials
    std::function<void(MessageBuilder&)> leading;
};

std::vector<Rebuilt> rebuilt_requests() {
    std::vector<Rebuilt> out = {
        {"chromium_udp_binding.hex", Method::binding, {}, [](MessageBuilder&) {}},
    };
    for (const auto& [transport, nonce, peer] :
         {std::tuple{"udp", kUdpNonce, kUdpPeer}, {"tcp", kTcpNonce, kTcpPeer}}) {
        const std::string prefix = std::string("chromium_") + transport + "_";
        const Address to = address(peer);
        const auto udp = [](MessageBuilder& b) { add_requested_transport(b, kProtocolUdp); };
        out.push_back({prefix + "allocate_unauth.hex", Method::allocate, {}, udp});
        out.push_back({prefix + "allocate_auth.hex", Method::allocate, nonce, udp});
        out.push_back({prefix + "create_permission.hex", Method::create_permission, nonce,
                       [to](MessageBuilder& b) { add_xor_address(b, kAttrXorPeerAddress, to); }});
        const auto channel = [to](MessageBuilder& b) {
            add_channel_number(b, 0x4000);
            add_xor_address(b, kAttrXorPeerAddress, to);
        };
        out.push_back({prefix + "channel_bind.hex", Method::channel_bind, nonce, channel});
        out.push_back({prefix + "refresh_delete.hex", Method::refresh, nonce,
                       [](MessageBuilder& b) { add_lifetime(b, 0); }});
    }
    return out;
}

TEST(ChromiumFixtures, BuilderReproducesChromiumRequestsByteForByte) {
    // From the expected values, not from decoding the fixture: this checks
    // the decoders' reading and the encoders' writing at once. Chromium pads
    // with zeros and puts USERNAME, REALM, NONCE after the method's own
    // attributes, as the builder's callers do.
    for (const Rebuilt& request : rebuilt_requests()) {
        SCOPED_TRACE(request.file);
        const auto expected = load_fixture(request.file);
        const auto message = ok(parse_message(expected));
        ASSERT_TRUE(message);
        MessageBuilder builder(request.method, MessageClass::request, message->transaction_id());
        request.leading(builder);
        if (!request.nonce.empty()) {
            add_username(builder, kUsername);
            add_realm(builder, kRealm);
            add_nonce(builder, request.nonce);
            builder.add_message_integrity(long_term_key(kUsername, kRealm, kPassword));
        }
        ASSERT_TRUE(builder.ok());
        EXPECT_EQ(to_hex(builder.bytes()), to_hex(expected));
    }
}

TEST(ChromiumFixtures, PermissionAndChannelAreForThePeersRelayedAddress) {
    for (const auto& [transport, peer] : {std::pair{"udp", kUdpPeer}, {"tcp", kTcpPeer}}) {
        SCOPED_TRACE(transport);
        const std::string prefix = std::string("chromium_") + transport + "_";
        const auto permission_bytes = load_fixture(prefix + "create_permission.hex");
        const auto bind_bytes = load_fixture(prefix + "channel_bind.hex");
        const auto refresh_bytes = load_fixture(prefix + "refresh_delete.hex");
        const auto permission = ok(parse_message(permission_bytes));
        const auto bind = ok(parse_message(bind_bytes));
        const auto refresh = ok(parse_message(refresh_bytes));
        ASSERT_TRUE(permission && bind && refresh);
        EXPECT_EQ(xor_address_of(*permission, kAttrXorPeerAddress), address(peer));
        EXPECT_EQ(xor_address_of(*bind, kAttrXorPeerAddress), address(peer));
        // Chromium numbers its channels from 0x4000 up.
        EXPECT_EQ(ok(decode_channel_number(bind->find(kAttrChannelNumber)->value)), 0x4000);
        // Closing the RTCPeerConnection deletes the allocation.
        EXPECT_EQ(ok(decode_lifetime(refresh->find(kAttrLifetime)->value)), 0u);
    }
}

TEST(ChromiumFixtures, BindingRequestAndResponse) {
    const auto request_bytes = load_fixture("chromium_udp_binding.hex");
    const auto response_bytes = load_fixture("chromium_udp_binding_success.hex");
    const auto request = ok(parse_message(request_bytes));
    const auto response = ok(parse_message(response_bytes));
    ASSERT_TRUE(request && response);
    EXPECT_EQ(response->transaction_id(), request->transaction_id());
    // The capture proxy's upstream socket, which is what the server saw.
    EXPECT_EQ(xor_address_of(*response, kAttrXorMappedAddress), address(kBindingMapped));
}

// --- indications: ICE checks inside DATA ---------------------------------------------

const std::pair<const char*, IceCheck> kIndications[] = {
    {"chromium_udp_send_indication.hex", kSendCheck},
    {"chromium_udp_data_indication.hex", kDataCheck},
};

TEST(ChromiumFixtures, IndicationsCarryIceChecksWithIntegrityAndFingerprint) {
    for (const auto& [file, check] : kIndications) {
        SCOPED_TRACE(file);
        auto bytes = load_fixture(file);
        const auto outer = ok(parse_message(bytes));
        ASSERT_TRUE(outer);
        // Indications are not authenticated (RFC 8656 sections 10 and 11).
        EXPECT_FALSE(outer->message_integrity_offset());
        EXPECT_EQ(xor_address_of(*outer, kAttrXorPeerAddress), address(check.peer));

        const auto payload = decode_data(outer->find(kAttrData)->value);
        const auto inner = ok(parse_message(payload));
        ASSERT_TRUE(inner);
        EXPECT_EQ(inner->method(), Method::binding);
        EXPECT_EQ(inner->message_class(), MessageClass::request);
        EXPECT_EQ(ok(decode_username(inner->find(kAttrUsername)->value)), check.username);
        EXPECT_NE(inner->find(check.role), nullptr);
        EXPECT_NE(inner->find(kAttrPriority), nullptr);
        // GOOG-NETWORK-INFO (0xC057) is comprehension-optional: no 420.
        EXPECT_NE(inner->find(0xC057), nullptr);
        EXPECT_TRUE(unknown_comprehension_required(*inner).empty());

        EXPECT_TRUE(verify_fingerprint(*inner));
        EXPECT_TRUE(verify_message_integrity(*inner, shared::as_bytes(check.ice_pwd)));
        EXPECT_FALSE(verify_message_integrity(*inner, shared::as_bytes(check.other_ice_pwd)));

        // Re-wrapping the payload gives the indication back.
        MessageBuilder builder(outer->method(), outer->message_class(), outer->transaction_id());
        add_xor_address(builder, kAttrXorPeerAddress, address(check.peer));
        add_data(builder, payload);
        ASSERT_TRUE(builder.ok());
        EXPECT_EQ(to_hex(builder.bytes()), to_hex(bytes));

        // A flipped bit in the check's USERNAME breaks both of its checks.
        const std::size_t username_at = (payload.data() - bytes.data()) + 24;
        bytes[username_at] ^= 0x01;
        const auto tampered_outer = ok(parse_message(bytes));
        ASSERT_TRUE(tampered_outer);
        const auto tampered = ok(parse_message(tampered_outer->find(kAttrData)->value));
        ASSERT_TRUE(tampered);
        EXPECT_FALSE(verify_fingerprint(*tampered));
        EXPECT_FALSE(verify_message_integrity(*tampered, shared::as_bytes(check.ice_pwd)));
    }
}

// --- ChannelData ----------------------------------------------------------------------

TEST(ChromiumFixtures, ChannelDataOverUdpIsUnpadded) {
    const auto bytes = load_fixture("chromium_udp_channel_data.hex");
    static_assert(kUdpChannelPayload % 4 != 0, "the capture should pick a length padding changes");
    ASSERT_EQ(bytes.size(), 4 + kUdpChannelPayload);  // no padding
    const auto message = ok(parse_channel_data(bytes, Framing::datagram));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->channel, 0x4000);
    EXPECT_EQ(message->payload.size(), kUdpChannelPayload);
    // An encrypted DTLS 1.3 record: RFC 9147 section 4, unified header 0b001xxxxx.
    EXPECT_EQ(message->payload[0] & 0xE0, 0x20);
    EXPECT_TRUE(looks_like_channel_data(bytes));
    EXPECT_FALSE(looks_like_stun(bytes));
    // The same bytes could not come from a stream: there they must be padded.
    EXPECT_EQ(error_of(parse_channel_data(bytes, Framing::stream)), ParseError::length_mismatch);
    // Over UDP, padding "MAY be included".
    auto padded = bytes;
    padded.resize((bytes.size() + 3) & ~std::size_t{3}, 0);
    const auto with_padding = ok(parse_channel_data(padded, Framing::datagram));
    ASSERT_TRUE(with_padding);
    EXPECT_EQ(to_hex(with_padding->payload), to_hex(message->payload));

    std::vector<std::uint8_t> out;
    ASSERT_TRUE(encode_channel_data(0x4000, message->payload, out, Framing::datagram));
    EXPECT_EQ(to_hex(out), to_hex(bytes));
}

TEST(ChromiumFixtures, ChannelDataOverTcpIsPadded) {
    const auto bytes = load_fixture("chromium_tcp_channel_data.hex");
    static_assert(kTcpChannelPayload % 4 != 0, "the capture should pick a length padding changes");
    const std::size_t unpadded = 4 + kTcpChannelPayload;
    ASSERT_EQ(bytes.size(), (unpadded + 3) & ~std::size_t{3});
    const auto message = ok(parse_channel_data(bytes, Framing::stream));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->channel, 0x4000);
    EXPECT_EQ(message->payload.size(), kTcpChannelPayload);
    EXPECT_EQ(message->payload[0] & 0xE0, 0x20);
    for (std::size_t i = unpadded; i < bytes.size(); ++i) {
        EXPECT_EQ(bytes[i], 0) << "Chromium pads with zeros";
    }
    EXPECT_EQ(error_of(parse_channel_data(std::span(bytes).first(unpadded), Framing::stream)),
              ParseError::length_mismatch);
    EXPECT_TRUE(ok(parse_channel_data(bytes, Framing::datagram)));

    std::vector<std::uint8_t> out;
    ASSERT_TRUE(encode_channel_data(0x4000, message->payload, out, Framing::stream));
    EXPECT_EQ(to_hex(out), to_hex(bytes));
}

TEST(ChromiumFixtures, TcpStreamCutsBackIntoChromiumsFrames) {
    // The TCP messages back to back, as one read might return them.
    const std::pair<const char*, FrameKind> frames[] = {
        {"chromium_tcp_allocate_unauth.hex", FrameKind::stun},
        {"chromium_tcp_allocate_auth.hex", FrameKind::stun},
        {"chromium_tcp_create_permission.hex", FrameKind::stun},
        {"chromium_tcp_channel_bind.hex", FrameKind::stun},
        {"chromium_tcp_channel_data.hex", FrameKind::channel_data},
        {"chromium_tcp_refresh_delete.hex", FrameKind::stun},
    };
    std::vector<std::uint8_t> stream;
    std::vector<std::size_t> sizes;
    for (const auto& [file, kind] : frames) {
        const auto bytes = load_fixture(file);
        stream.insert(stream.end(), bytes.begin(), bytes.end());
        sizes.push_back(bytes.size());
    }
    std::span<const std::uint8_t> rest(stream);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        SCOPED_TRACE(frames[i].first);
        const auto next = next_frame(rest);
        const Frame* frame = std::get_if<Frame>(&next);
        ASSERT_NE(frame, nullptr);
        EXPECT_EQ(frame->kind, frames[i].second);
        ASSERT_EQ(frame->size, sizes[i]);
        rest = rest.subspan(frame->size);
    }
    EXPECT_TRUE(rest.empty());
}

}  // namespace
}  // namespace switchboard::turn::stun
