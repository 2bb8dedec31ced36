#pragma once
// Address parsing for the configuration and the TURN peer policy. Pure: POSIX
// inet_pton/inet_ntop only, no Asio, so the loader and the policy code stay
// unit-testable without sockets.
//
// Every IP address is held as 16 bytes, IPv4 as IPv4-mapped IPv6
// (::ffff:a.b.c.d). One representation means one CIDR match routine, and a
// dual-stack socket's mapped peer address matches the same IPv4 rule as a
// native IPv4 peer.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::shared {

using IpBytes = std::array<std::uint8_t, 16>;

// A dotted IPv4 ("10.0.0.1", stored mapped) or an IPv6 literal without
// brackets ("::1", "::ffff:10.0.0.1"). Host names are not resolved here.
std::optional<IpBytes> parse_ip(std::string_view text);
bool is_ipv4_mapped(const IpBytes& ip);
// 127.0.0.0/8 (mapped) or ::1.
bool is_loopback(const IpBytes& ip);
// Mapped addresses print as dotted IPv4; others in RFC 5952 form.
std::string format_ip(const IpBytes& ip);

// A host as it stands before ":port" or in a URL: an IPv6 literal in
// brackets (RFC 3986 section 3.2.2), anything else (a name, IPv4, an
// already bracketed literal) as it is.
std::string url_host(std::string_view host);
// "127.0.0.1:8080", "[::1]:3478": every host:port this project prints.
std::string format_endpoint(std::string_view host, std::uint16_t port);

// A listen address. `host` is an IP literal, IPv6 kept without brackets.
struct Endpoint {
    std::string host;
    std::uint16_t port = 0;

    // "127.0.0.1:8080", "[::1]:3478".
    std::string to_string() const;
    bool operator==(const Endpoint&) const = default;
};

// "127.0.0.1:8080", "[::1]:3478", "0.0.0.0:0" (port 0 = ephemeral, for tests).
// The host must be an IP literal: the addresses are bound, not looked up, and
// a name that resolves differently at bind time is a surprise nobody wants in
// a server's listen list. IPv6 must be bracketed so the port is unambiguous.
std::optional<Endpoint> parse_endpoint(std::string_view text);

// An address block. IPv4 blocks are stored in mapped form with the prefix
// shifted by 96, so "10.0.0.0/8" is ::ffff:10.0.0.0/104 and never matches a
// native IPv6 address.
struct Cidr {
    IpBytes network{};             // host bits cleared
    unsigned prefix_length = 128;  // 0..128, in the 128-bit space

    bool contains(const IpBytes& ip) const;
    // "10.0.0.0/8", "fc00::/7": the normalized block (host bits cleared).
    std::string to_string() const;
    bool operator==(const Cidr&) const = default;
};

// "10.0.0.0/8", "::1/128", "127.0.0.1" (= /32), "fe80::1" (= /128). Host
// bits below the prefix are cleared ("10.1.2.3/8" is 10.0.0.0/8), as Go's
// net.ParseCIDR and coturn do.
std::optional<Cidr> parse_cidr(std::string_view text);

}  // namespace switchboard::shared
