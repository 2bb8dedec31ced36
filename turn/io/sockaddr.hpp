#pragma once
// stun::Address <-> sockaddr, and the UDP datagram calls the TURN workers
// make directly on native sockets (recvmsg/sendmsg with IP_PKTINFO, so a
// server listening on 0.0.0.0 learns, and answers from, the address each
// datagram was sent to). Linux only, like SO_REUSEPORT.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "turn/stun/address.hpp"

namespace switchboard::turn::io {

socklen_t to_sockaddr(const stun::Address& a, sockaddr_storage& out);
std::optional<stun::Address> from_sockaddr(const sockaddr* sa);

// Enables IP_PKTINFO / IPV6_RECVPKTINFO on a UDP socket (for wildcard binds).
bool enable_pktinfo(int fd, bool v6);

struct Datagram {
    std::size_t size = 0;
    stun::Address from;
    std::optional<stun::Address> to;  // the destination address, when PKTINFO is on
};

// One non-blocking recvmsg. nullopt when nothing is waiting (EAGAIN) or on
// error; `error` is set for real errors.
std::optional<Datagram> receive(int fd, std::span<std::uint8_t> buffer, bool& error);

// One non-blocking sendmsg; `source` (when set, for wildcard sockets) picks
// the address the datagram leaves from. False when the kernel refused (EAGAIN,
// unreachable): UDP may drop.
bool send(int fd, const stun::Address& to, const stun::Address* source,
          std::span<const std::uint8_t> bytes);

bool is_wildcard(const stun::Address& a);

// Every address of every interface of this host (getifaddrs), for the peer
// policy's "the server's own addresses" when listening on a wildcard.
std::vector<stun::Address> interface_addresses();

}  // namespace switchboard::turn::io
