#include "turn/peer_policy.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace switchboard::turn {
namespace {

// IANA special-purpose registries (RFC 6890 and successors) minus what a
// browser peer legitimately uses. Public addresses only, by default.
constexpr std::array<std::string_view, 29> kDefaultDeny = {
    "0.0.0.0/8",           // "this network" (RFC 791); 0.0.0.0 reaches the host itself
    "10.0.0.0/8",          // private (RFC 1918)
    "100.64.0.0/10",       // carrier-grade NAT (RFC 6598)
    "127.0.0.0/8",         // loopback
    "169.254.0.0/16",      // link-local, cloud metadata 169.254.169.254
    "172.16.0.0/12",       // private (RFC 1918)
    "192.0.0.0/24",        // IETF protocol assignments
    "192.0.2.0/24",        // TEST-NET-1
    "192.88.99.0/24",      // 6to4 relay anycast (deprecated, RFC 7526)
    "192.168.0.0/16",      // private (RFC 1918)
    "198.18.0.0/15",       // benchmarking (RFC 2544)
    "198.51.100.0/24",     // TEST-NET-2
    "203.0.113.0/24",      // TEST-NET-3
    "224.0.0.0/4",         // multicast
    "240.0.0.0/4",         // reserved
    "255.255.255.255/32",  // limited broadcast
    "::/128",              // unspecified
    "::1/128",             // loopback
    "64:ff9b:1::/48",      // local-use NAT64 (RFC 8215)
    "100::/64",            // discard-only (RFC 6666)
    "2001:db8::/32",       // documentation
    "2001::/32",           // Teredo: embeds an obfuscated IPv4 we do not unpick
    "2001:10::/28",        // ORCHID (deprecated)
    "2001:20::/28",        // ORCHIDv2
    "fc00::/7",            // unique local (RFC 4193)
    "fe80::/10",           // link-local
    "fec0::/10",           // site-local (deprecated, RFC 3879)
    "ff00::/8",            // multicast
    "3fff::/20",           // documentation (RFC 9637)
};

bool matches(const std::vector<shared::Cidr>& list, const shared::IpBytes& ip) {
    return std::any_of(list.begin(), list.end(),
                       [&](const shared::Cidr& cidr) { return cidr.contains(ip); });
}

shared::IpBytes mapped(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, a, b, c, d};
}

// The literal parses: a bad one would be a programmer error caught by the
// tests (PeerPolicyTest.DefaultListParses), never by a peer.
void add_own(std::vector<shared::Cidr>& list, std::string_view host) {
    const auto ip = shared::parse_ip(host);
    if (!ip) {
        return;
    }
    const bool wildcard = std::all_of(ip->begin(), ip->end(), [](auto b) { return b == 0; }) ||
                          *ip == mapped(0, 0, 0, 0);
    if (!wildcard) {
        list.push_back(shared::Cidr{*ip, 128});
    }
}

}  // namespace

std::vector<shared::Cidr> PeerPolicy::default_deny_list() {
    std::vector<shared::Cidr> list;
    list.reserve(kDefaultDeny.size());
    for (const auto text : kDefaultDeny) {
        if (const auto cidr = shared::parse_cidr(text)) {
            list.push_back(*cidr);
        }
    }
    return list;
}

PeerPolicy::PeerPolicy(const shared::TurnConfig& config) : allow_(config.allow_peers) {
    if (config.deny_peers_default) {
        deny_ = default_deny_list();
    }
    deny_.insert(deny_.end(), config.deny_peers.begin(), config.deny_peers.end());
    // The server's own addresses: a relay that sends to its own listeners
    // turns a TURN server into a loop or a way around its own access rules.
    for (const auto* list : {&config.listen_udp, &config.listen_tcp, &config.listen_tls}) {
        for (const auto& endpoint : *list) {
            add_own(deny_, endpoint.host);
        }
    }
    add_own(deny_, config.relay_address);
    add_own(deny_, config.external_address);
}

shared::IpBytes PeerPolicy::normalize(const shared::IpBytes& ip) noexcept {
    const auto zero = [&](std::size_t from, std::size_t to) {
        return std::all_of(ip.begin() + from, ip.begin() + to, [](auto b) { return b == 0; });
    };
    // IPv4-compatible ::a.b.c.d (RFC 4291 section 2.5.5.1, deprecated);
    // also maps :: and ::1 into 0.0.0.0/8, which is denied as well.
    if (zero(0, 12)) {
        return mapped(ip[12], ip[13], ip[14], ip[15]);
    }
    // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
    if (ip[0] == 0x00 && ip[1] == 0x64 && ip[2] == 0xFF && ip[3] == 0x9B && zero(4, 12)) {
        return mapped(ip[12], ip[13], ip[14], ip[15]);
    }
    // 6to4 2002:AABB:CCDD::/48 (RFC 3056): the IPv4 is bytes 2..5.
    if (ip[0] == 0x20 && ip[1] == 0x02) {
        return mapped(ip[2], ip[3], ip[4], ip[5]);
    }
    return ip;  // includes IPv4-mapped ::ffff:a.b.c.d, already the IPv4 form
}

bool PeerPolicy::explicitly_allowed(const shared::IpBytes& ip) const {
    return matches(allow_, ip) || matches(allow_, normalize(ip));
}

bool PeerPolicy::allowed(const shared::IpBytes& ip) const {
    const shared::IpBytes normal = normalize(ip);
    if (explicitly_allowed(ip)) {
        return true;
    }
    return !matches(deny_, ip) && !matches(deny_, normal);
}

}  // namespace switchboard::turn
