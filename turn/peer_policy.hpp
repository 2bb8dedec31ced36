#pragma once
// Which peers an allocation may talk to (RFC 8656 sections 10.2, 11.2, 12.2:
// "The server MAY impose restrictions on the IP address and port values
// allowed in the XOR-PEER-ADDRESS attribute; if a value is not allowed, the
// server rejects the request with a 403 (Forbidden) error").
//
// Secure by default (DESIGN.md rule 6, coturn CVE-2020-26262): loopback,
// private, link-local, CGN, documentation, benchmarking, multicast, reserved
// and the server's own addresses are denied unless `allow_peers` lists them.
// IPv6 spellings of an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64
// 64:ff9b::/96, 6to4 2002::/16) are judged as that IPv4 address, so
// ::ffff:127.0.0.1 is loopback too.
//
// The relay-to-relay exception (a live relayed address on this server is
// always a valid peer) needs SharedState and is the caller's check, made
// after this one says no.
//
// Thread context: const after construction, thread-safe.

#include <vector>

#include "shared/address.hpp"
#include "shared/config.hpp"

namespace switchboard::turn {

class PeerPolicy {
public:
    explicit PeerPolicy(const shared::TurnConfig& config);

    // The IPv4 address embedded in an IPv6 spelling, in IPv4-mapped form;
    // `ip` unchanged otherwise.
    static shared::IpBytes normalize(const shared::IpBytes& ip) noexcept;

    // The built-in deny list (`deny_peers: default`).
    static std::vector<shared::Cidr> default_deny_list();

    // allow_peers matches the address or its normalized form => true;
    // otherwise false if the deny list (default or configured, plus the
    // server's own non-wildcard addresses) matches either form.
    bool allowed(const shared::IpBytes& ip) const;
    // True when `allow_peers` names the address: the operator's explicit
    // word overrides every deny rule, the server's own addresses included.
    bool explicitly_allowed(const shared::IpBytes& ip) const;
    // Denies one more address of this server (start-up only): the io layer
    // adds every interface address when a listener is a wildcard, since the
    // config then names none of them.
    void add_own_address(const shared::IpBytes& ip) { deny_.push_back(shared::Cidr{ip, 128}); }

private:
    std::vector<shared::Cidr> deny_;
    std::vector<shared::Cidr> allow_;
};

}  // namespace switchboard::turn
