#include "turn/relay_address.hpp"

#include <algorithm>

namespace switchboard::turn {
namespace {

bool is_wildcard(const stun::Address& a) {
    if (a.family == stun::Address::Family::v4) {
        const auto v4 = a.ipv4();
        return std::all_of(v4.begin(), v4.end(), [](auto b) { return b == 0; });
    }
    return std::all_of(a.bytes.begin(), a.bytes.end(), [](auto b) { return b == 0; });
}

}  // namespace

std::optional<stun::Address> relay_bind_address(const shared::TurnConfig& config,
                                                const stun::Address& arrived_on,
                                                stun::Address::Family family) {
    using Family = stun::Address::Family;
    if (const auto relay = stun::Address::from_ip(config.relay_address, 0)) {
        if (relay->family == Family::v6 && is_wildcard(*relay)) {
            return family == Family::v6 ? *relay : stun::Address::from_ipv4({0, 0, 0, 0}, 0);
        }
        if (relay->family == family) {
            return relay;
        }
    }
    if (arrived_on.family == family && !is_wildcard(arrived_on)) {
        auto ip = arrived_on;
        ip.port = 0;
        return ip;
    }
    for (const auto& endpoint : config.listen_udp) {
        const auto listen = stun::Address::from_ip(endpoint.host, 0);
        if (listen && listen->family == family && !is_wildcard(*listen)) {
            return listen;
        }
    }
    return std::nullopt;
}

}  // namespace switchboard::turn
