#pragma once
// A transport address (IP and port) as STUN and TURN carry it: the value of
// the address attributes, an allocation's relayed address, a permission's
// peer. Pure value type, no Asio: io/ converts to and from endpoints.
//
// The IP is always 16 bytes; an IPv4 address is stored IPv4-mapped
// (::ffff:a.b.c.d), as shared/address.hpp stores it, so `bytes` can be
// checked against the peer policy's shared::Cidr directly. `family` is what
// goes on the wire, so an IPv6 address that happens to be IPv4-mapped keeps
// family v6 unless the caller builds it with from_ipv4().

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::turn::stun {

struct Address {
    enum class Family : std::uint8_t { v4, v6 };

    Family family = Family::v4;
    std::array<std::uint8_t, 16> bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0};
    std::uint16_t port = 0;

    static Address from_ipv4(const std::array<std::uint8_t, 4>& ip, std::uint16_t port) noexcept;
    static Address from_ipv6(const std::array<std::uint8_t, 16>& ip, std::uint16_t port) noexcept;

    // "192.0.2.1" (v4) or an IPv6 literal without brackets ("2001:db8::1",
    // v6; "::ffff:192.0.2.1" stays v6). nullopt if not an IP literal.
    static std::optional<Address> from_ip(std::string_view ip, std::uint16_t port);

    // "192.0.2.1:3478" or "[2001:db8::1]:3478". nullopt otherwise.
    static std::optional<Address> parse(std::string_view text);

    // The last four bytes: the IPv4 address when family is v4.
    std::array<std::uint8_t, 4> ipv4() const noexcept;

    // "192.0.2.1", "2001:db8::1" (RFC 5952).
    std::string ip_string() const;
    // "192.0.2.1:3478", "[2001:db8::1]:3478".
    std::string to_string() const;

    bool operator==(const Address&) const = default;
};

struct AddressHash {
    std::size_t operator()(const Address& address) const noexcept;
};

}  // namespace switchboard::turn::stun

template <>
struct std::hash<switchboard::turn::stun::Address> : switchboard::turn::stun::AddressHash {};
