// Allocate (RFC 8656 section 7.2). Authentication, the retransmission of
// the creating request and 420 are the Engine's (handlers.hpp); this file
// walks the numbered checks of "Receiving an Allocate Request" and then
// creates the allocation.
//
// Choices the RFC leaves open, made here:
// - EVEN-PORT: the relay is reopened until its port is even (a few tries,
//   else 508). With the R bit, also until the next-higher port can be bound:
//   the io layer binds it and holds it (HeldPort) for 30 s (section 7.2:
//   "the server SHOULD hold the reservation for approximately 30 seconds")
//   under a random RESERVATION-TOKEN, process-wide, since the Allocate that
//   presents the token may land on another worker. Because the port is
//   bound, nothing else, in this process or another, can take it meanwhile.
//   A reservation is charged to its user's quota and the total like an
//   allocation (486 past max_allocations_per_user, 508 past
//   max_allocations): one user looping Allocate(R) + Refresh(0) holds no
//   more ports than its quota. The Allocate that presents the token takes
//   the charge over (its user's, if another user made the reservation).
// - RESERVATION-TOKEN: unknown or expired, 508 (step 5).
// - ADDITIONAL-ADDRESS-FAMILY (IPv6, step 9): a dual allocation, an IPv4
//   and an IPv6 relay (each its own relay socket id, one allocation for
//   quotas and lifetime), both XOR-RELAYED-ADDRESS in the response, IPv4
//   first. Where relays of a family can bind is relay_bind_address()
//   (turn/relay_address.hpp). When only IPv4 can be allocated, the IPv4
//   allocation succeeds and the response carries ADDRESS-ERROR-CODE
//   (section 18.12) for IPv6: 440 when the server has no IPv6 address to
//   relay from, 508 when no IPv6 port was free, the two codes step 9 names
//   for a partially met request. EVEN-PORT (without R) applies to both.
// - Draining (Engine::stop_accepting): 508 Insufficient Capacity, the code
//   a client treats as "try another server", with a reason saying why.
#include <algorithm>

#include "shared/crypto.hpp"
#include "turn/handlers.hpp"
#include "turn/relay_address.hpp"
#include "turn/stun/address_family.hpp"
#include "turn/stun/attribute_type.hpp"
#include "turn/stun/dont_fragment.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/even_port.hpp"
#include "turn/stun/lifetime.hpp"
#include "turn/stun/requested_transport.hpp"
#include "turn/stun/reservation_token.hpp"
#include "turn/stun/xor_address.hpp"

namespace switchboard::turn {
namespace {

constexpr int kEvenPortAttempts = 16;
constexpr auto kReservationLifetime = std::chrono::seconds(30);

std::uint64_t token_value(const stun::ReservationToken& t) {
    std::uint64_t v = 0;
    for (const auto b : t) v = (v << 8) | b;
    return v;
}

// What the checks established, for creating the allocation.
struct AllocateParams {
    stun::Address::Family family = stun::Address::Family::v4;
    bool even_port = false;
    bool reserve_next = false;           // EVEN-PORT with the R bit
    std::optional<std::uint64_t> token;  // RESERVATION-TOKEN presented
    bool additional_ipv6 = false;
    std::optional<std::uint32_t> lifetime;
};

// An error code, or the parameters.
using Checked = std::variant<std::uint16_t, AllocateParams>;

// Can a relay of `family` be opened for a request that arrived on `from`?
bool family_supported(const shared::TurnConfig& config, const FiveTuple& from,
                      stun::Address::Family family) {
    return relay_bind_address(config, from.server, family).has_value();
}

Checked check_request(EngineContext& context, const Request& request) {
    const stun::MessageView& message = request.message;
    AllocateParams params;

    // "2. The server checks if the 5-tuple is currently in use by an
    // existing allocation. If yes, the server rejects the request with a
    // 437 (Allocation Mismatch) error." (A retransmission of the creating
    // request never gets here.)
    if (context.allocations.find(request.from) != nullptr) {
        return stun::kErrorAllocationMismatch;
    }

    // "3. The server checks if the request contains a REQUESTED-TRANSPORT
    // attribute. If the REQUESTED-TRANSPORT attribute is not included or is
    // malformed, the server rejects the request with a 400 (Bad Request)
    // error. Otherwise, if the attribute indicates an unsupported transport
    // protocol, the server rejects the request with a 442 (Unsupported
    // Transport Protocol) error."
    const stun::Attribute* transport = message.find(stun::kAttrRequestedTransport);
    if (transport == nullptr) {
        return stun::kErrorBadRequest;
    }
    const auto protocol = stun::decode_requested_transport(transport->value);
    if (!std::holds_alternative<std::uint8_t>(protocol)) {
        return stun::kErrorBadRequest;
    }
    if (std::get<std::uint8_t>(protocol) != stun::kProtocolUdp) {
        return stun::kErrorUnsupportedTransportProtocol;
    }

    // "4. The request may contain a DONT-FRAGMENT attribute. If it does, but
    // the server does not support sending UDP datagrams with the DF bit set
    // to 1 ..., then the server treats the DONT-FRAGMENT attribute in the
    // Allocate request as an unknown comprehension-required attribute."
    // Accepted: whether relay sockets set DF is the io layer's business
    // (EngineSink carries no per-packet flag).
    if (const auto* df = message.find(stun::kAttrDontFragment)) {
        if (stun::check_dont_fragment(df->value)) {
            return stun::kErrorBadRequest;
        }
    }

    const stun::Attribute* token = message.find(stun::kAttrReservationToken);
    const stun::Attribute* even_port = message.find(stun::kAttrEvenPort);
    const stun::Attribute* requested_family = message.find(stun::kAttrRequestedAddressFamily);
    const stun::Attribute* additional_family = message.find(stun::kAttrAdditionalAddressFamily);

    // "5. The server checks if the request contains a RESERVATION-TOKEN
    // attribute. If yes, and the request also contains an EVEN-PORT or
    // REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY attribute, the
    // server rejects the request with a 400 (Bad Request) error. Otherwise,
    // it checks to see if the token is valid ... If the token is not valid
    // for some reason, the server rejects the request with a 508
    // (Insufficient Capacity) error."
    if (token != nullptr) {
        const auto decoded = stun::decode_reservation_token(token->value);
        if (even_port != nullptr || requested_family != nullptr || additional_family != nullptr ||
            !std::holds_alternative<stun::ReservationToken>(decoded)) {
            return stun::kErrorBadRequest;
        }
        // Validity is checked (and the reservation taken) when the relay opens.
        params.token = token_value(std::get<stun::ReservationToken>(decoded));
    }

    // "6. The server checks if the request contains both
    // REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY attributes. If
    // yes, then the server rejects the request with a 400 (Bad Request)
    // error."
    if (requested_family != nullptr && additional_family != nullptr) {
        return stun::kErrorBadRequest;
    }

    // "7. If the server does not support the address family requested by
    // the client in REQUESTED-ADDRESS-FAMILY, or if the allocation of the
    // requested address family is disabled by local policy, it MUST
    // generate an Allocate error response, and it MUST include an
    // ERROR-CODE attribute with the 440 (Address Family not Supported)
    // response code. If the REQUESTED-ADDRESS-FAMILY attribute is absent and
    // the server does not support the IPv4 address family, the server MUST
    // include an ERROR-CODE attribute with the 440 ... response code."
    if (requested_family != nullptr) {
        const auto family = stun::decode_address_family(requested_family->value);
        if (const auto* error = std::get_if<stun::ParseError>(&family)) {
            return *error == stun::ParseError::bad_address_family
                       ? stun::kErrorAddressFamilyNotSupported
                       : stun::kErrorBadRequest;
        }
        params.family = std::get<stun::Address::Family>(family);
    }
    // With a RESERVATION-TOKEN the family is the reserved address's (the
    // request may not name one, step 5).
    if (!params.token && !family_supported(context.config.turn, request.from, params.family)) {
        return stun::kErrorAddressFamilyNotSupported;
    }

    // "8. The server checks if the request contains an EVEN-PORT attribute
    // with the R bit set to 1. If yes, and the request also contains an
    // ADDITIONAL-ADDRESS-FAMILY attribute, the server rejects the request
    // with a 400 (Bad Request) error. Otherwise, the server checks if it can
    // satisfy the request ... If the server cannot satisfy the request,
    // then the server rejects the request with a 508 (Insufficient
    // Capacity) error."
    if (even_port != nullptr) {
        const auto decoded = stun::decode_even_port(even_port->value);
        if (!std::holds_alternative<stun::EvenPort>(decoded)) {
            return stun::kErrorBadRequest;
        }
        if (std::get<stun::EvenPort>(decoded).reserve_next) {
            if (additional_family != nullptr) {
                return stun::kErrorBadRequest;
            }
            params.reserve_next = true;
        }
        params.even_port = true;
    }

    // "9. The server checks if the request contains an
    // ADDITIONAL-ADDRESS-FAMILY attribute. If yes, and the attribute value
    // is 0x01 (IPv4 address family), then the server rejects the request
    // with a 400 (Bad Request) error. Otherwise, the server checks if it can
    // allocate relayed transport addresses of both address types." That
    // check is made when the relays open (open_additional_relay).
    if (additional_family != nullptr) {
        const auto family = stun::decode_address_family(additional_family->value);
        if (!std::holds_alternative<stun::Address::Family>(family) ||
            std::get<stun::Address::Family>(family) != stun::Address::Family::v6) {
            return stun::kErrorBadRequest;
        }
        params.additional_ipv6 = true;
    }

    if (const auto* lifetime = message.find(stun::kAttrLifetime)) {
        const auto seconds = stun::decode_lifetime(lifetime->value);
        if (!std::holds_alternative<std::uint32_t>(seconds)) {
            return stun::kErrorBadRequest;
        }
        params.lifetime = std::get<std::uint32_t>(seconds);
    }
    return params;
}

// A relay socket just opened, and with the R bit the next-higher port,
// held for the reservation.
struct OpenedRelay {
    stun::Address address;
    std::unique_ptr<HeldPort> next;
};

// A new relay (not a reserved one): reopened until EVEN-PORT holds.
std::optional<OpenedRelay> open_relay(EngineSink& sink, AllocationId id,
                                      stun::Address::Family family, const AllocateParams& params,
                                      const FiveTuple& from) {
    // "If the request contains an EVEN-PORT attribute, then the relayed
    // transport address MUST have an even port number." The sink picks the
    // port; reopen until it is even and, with the R bit, until the next port
    // can be held.
    const int attempts = params.even_port ? kEvenPortAttempts : 1;
    for (int i = 0; i < attempts; ++i) {
        const auto relayed = sink.open_relay(id, family, from);
        if (!relayed || !params.even_port) {
            return relayed ? std::optional(OpenedRelay{*relayed, nullptr}) : std::nullopt;
        }
        if (relayed->port % 2 == 0 && relayed->port < 0xFFFF) {
            if (!params.reserve_next) {
                return OpenedRelay{*relayed, nullptr};
            }
            auto next = *relayed;
            next.port = static_cast<std::uint16_t>(relayed->port + 1);
            if (auto held = sink.hold_port(next)) {
                return OpenedRelay{*relayed, std::move(held)};
            }
        }
        sink.close_relay(id);
    }
    return std::nullopt;
}

std::uint16_t refusal_code(SharedState::Reserve reserve) {
    return reserve == SharedState::Reserve::user_exceeded ? stun::kErrorAllocationQuotaReached
                                                          : stun::kErrorInsufficientCapacity;
}

// The address clients are told: external_address (1:1 NAT) with the relay
// port, when it is of the relay's family.
stun::Address advertised_address(const shared::TurnConfig& config, const stun::Address& local) {
    if (config.external_address.empty()) {
        return local;
    }
    const auto external = stun::Address::from_ip(config.external_address, local.port);
    return external && external->family == local.family ? *external : local;
}

// The IPv6 relay of a dual allocation (step 9): "If the server can
// partially meet the request, i.e., if it can only allocate one relayed
// transport address of a specific address type, then it includes
// ADDRESS-ERROR-CODE attribute in the success response ... The error code
// value signaled in the ADDRESS-ERROR-CODE attribute could be 440 (Address
// Family not Supported) or 508 (Insufficient Capacity)."
struct AdditionalRelay {
    std::optional<Allocation::Relay> relay;  // advertised address
    std::uint16_t error = 0;                 // when relay is nullopt
};

AdditionalRelay open_additional_relay(EngineContext& context, EngineSink& sink,
                                      const AllocateParams& params, const FiveTuple& from) {
    constexpr auto kFamily = stun::Address::Family::v6;
    if (!family_supported(context.config.turn, from, kFamily)) {
        return {std::nullopt, stun::kErrorAddressFamilyNotSupported};
    }
    const AllocationId id = context.next_allocation_id();
    const auto opened = open_relay(sink, id, kFamily, params, from);
    if (!opened) {
        return {std::nullopt, stun::kErrorInsufficientCapacity};
    }
    return {Allocation::Relay{id, advertised_address(context.config.turn, opened->address)}, 0};
}

}  // namespace

std::chrono::seconds granted_lifetime(const shared::TurnConfig& config,
                                      std::optional<std::uint32_t> requested) {
    // "If the request contains a LIFETIME attribute, then the server
    // computes the minimum of the client's proposed lifetime and the
    // server's maximum allowed lifetime. If this computed value is greater
    // than the default lifetime, then the server uses the computed lifetime
    // as the initial value of the time-to-expiry field. Otherwise, the
    // server uses the default lifetime." A configured maximum below the
    // default wins over the default: the operator asked for it.
    const auto max =
        std::chrono::duration_cast<std::chrono::seconds>(config.max_allocation_lifetime);
    const std::chrono::seconds proposed(requested.value_or(0));
    const auto computed = std::min(proposed, max);
    return std::min(std::max(computed, kDefaultAllocationLifetime),
                    std::max(max, std::chrono::seconds(1)));
}

std::vector<std::uint8_t> handle_allocate(EngineContext& context, const Request& request,
                                          EngineSink& sink) {
    // "10. At any point, the server MAY choose to reject the request with a
    // 486 (Allocation Quota Reached) error if it feels the client is trying
    // to exceed some locally defined allocation quota." A draining server
    // refuses first of all.
    if (!context.accepting) {
        return std::move(
                   context.error(request, stun::kErrorInsufficientCapacity, "Server Shutting Down"))
            .finish();
    }
    const Checked checked = check_request(context, request);
    if (const auto* code = std::get_if<std::uint16_t>(&checked)) {
        return std::move(context.error(request, *code)).finish();
    }
    const auto& params = std::get<AllocateParams>(checked);
    const Credentials& credentials = *request.credentials;

    // "If all the checks pass, the server creates the allocation. The
    // 5-tuple is set to the 5-tuple from the Allocate request, while the
    // list of permissions and the list of channels are initially empty."
    // The quota is charged first: a new one, or the reservation's.
    const AllocationId id = context.next_allocation_id();
    std::optional<OpenedRelay> opened;
    if (params.token) {
        // "If the request contains a RESERVATION-TOKEN, the server uses the
        // previously reserved transport address corresponding to the
        // included token."
        auto taken =
            context.shared.take_reservation(*params.token, credentials.user, context.now());
        if (taken.status != SharedState::Reserve::ok) {
            return std::move(context.error(request, refusal_code(taken.status))).finish();
        }
        if (!taken.port) {  // unknown or expired: nothing was charged
            return std::move(context.error(request, stun::kErrorInsufficientCapacity)).finish();
        }
        if (const auto relayed = sink.open_held_relay(id, std::move(taken.port))) {
            opened = OpenedRelay{*relayed, nullptr};
        }
    } else {
        if (const auto reserve = context.shared.reserve_allocation(credentials.user);
            reserve != SharedState::Reserve::ok) {
            return std::move(context.error(request, refusal_code(reserve))).finish();
        }
        opened = open_relay(sink, id, params.family, params, request.from);
    }
    // "If the R bit was set to 1 in the EVEN-PORT attribute ..., the server
    // adds a RESERVATION-TOKEN attribute" for the next-higher port, which it
    // holds from now on, charged to this user like an allocation.
    std::optional<stun::ReservationToken> token;
    std::uint16_t refused = stun::kErrorInsufficientCapacity;
    if (opened && opened->next) {
        token.emplace();
        shared::random_bytes(*token);
        if (const auto reserve = context.shared.add_reservation(
                token_value(*token), credentials.user, std::move(opened->next),
                context.now() + kReservationLifetime);
            reserve != SharedState::Reserve::ok) {
            sink.close_relay(id);
            opened.reset();
            refused = refusal_code(reserve);
        }
    }
    if (!opened) {
        context.shared.release_allocation(credentials.user);
        return std::move(context.error(request, refused)).finish();
    }
    const stun::Address relayed = advertised_address(context.config.turn, opened->address);
    const AdditionalRelay additional =
        params.additional_ipv6 ? open_additional_relay(context, sink, params, request.from)
                               : AdditionalRelay{};
    const auto lifetime = granted_lifetime(context.config.turn, params.lifetime);
    const TimePoint now = context.now();

    // "The server then generates a success response ... containing:
    //  o  An XOR-RELAYED-ADDRESS attribute containing the relayed transport
    //     address or two XOR-RELAYED-ADDRESS attributes containing the
    //     relayed transport addresses. (IPv4 first: the dual request's
    //     first family is IPv4, step 6.)
    //  o  A LIFETIME attribute containing the current value of the
    //     time-to-expiry timer.
    //  o  An XOR-MAPPED-ADDRESS attribute containing the client's IP address
    //     and port (from the 5-tuple)."
    Reply reply = Reply::success(request);
    stun::add_xor_address(reply.builder(), stun::kAttrXorRelayedAddress, relayed);
    if (additional.relay) {
        stun::add_xor_address(reply.builder(), stun::kAttrXorRelayedAddress,
                              additional.relay->address);
    }
    if (token) {
        stun::add_reservation_token(reply.builder(), *token);
    }
    if (additional.error != 0) {
        stun::add_address_error_code(reply.builder(), stun::Address::Family::v6, additional.error);
    }
    stun::add_lifetime(reply.builder(), static_cast<std::uint32_t>(lifetime.count()));
    stun::add_xor_address(reply.builder(), stun::kAttrXorMappedAddress, request.from.client);
    auto response = std::move(reply).finish();

    auto allocation = std::make_unique<Allocation>(
        id, request.from, relayed, credentials.username, credentials.user, credentials.rest,
        now + lifetime, context.config.turn.max_bps_per_allocation, now);
    if (additional.relay) {
        allocation->add_relay(additional.relay->id, additional.relay->address);
        context.shared.add_relayed(additional.relay->address);
    }
    allocation->set_allocate_response(request.message.transaction_id(), response);
    context.allocations.insert(std::move(allocation));
    context.shared.add_relayed(relayed);
    context.metrics.allocations.inc();
    context.metrics.allocations_total.inc();
    return response;
}

}  // namespace switchboard::turn
