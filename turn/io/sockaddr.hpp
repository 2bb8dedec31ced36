#pragma once
// stun::Address <-> sockaddr, and the UDP datagram calls the TURN workers
// make directly on native sockets (recvmsg/sendmsg with IP_PKTINFO, so a
// server listening on 0.0.0.0 learns, and answers from, the address each
// datagram was sent to). Linux only, like SO_REUSEPORT.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>
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

// Receives up to capacity() datagrams with one non-blocking recvmmsg, into
// buffers it keeps (64 KiB each, allocated once and touched only as far as
// datagrams fill them). Fewer than capacity() means the socket was drained,
// so an edge-triggered reader need not call again to see EAGAIN: one system
// call per wake-up instead of two.
class ReceiveBatch {
public:
    explicit ReceiveBatch(std::size_t capacity);
    ~ReceiveBatch();
    ReceiveBatch(const ReceiveBatch&) = delete;
    ReceiveBatch& operator=(const ReceiveBatch&) = delete;

    std::size_t capacity() const { return capacity_; }
    // How many datagrams arrived (0: none waiting, or an error).
    std::size_t receive(int fd);
    // The i-th of the last receive(): a truncated or unparsable one has size 0.
    const Datagram& datagram(std::size_t i) const { return datagrams_[i]; }
    std::span<const std::uint8_t> bytes(std::size_t i) const;

private:
    struct Slot;
    std::size_t capacity_;
    std::unique_ptr<std::uint8_t[]> storage_;
    std::vector<Slot> slots_;
    std::vector<mmsghdr> headers_;
    std::vector<Datagram> datagrams_;
};

// One non-blocking sendmsg; `source` (when set, for wildcard sockets) picks
// the address the datagram leaves from. False when the kernel refused (EAGAIN,
// unreachable): UDP may drop.
bool send(int fd, const stun::Address& to, const stun::Address* source,
          std::span<const std::uint8_t> bytes);

bool is_wildcard(const stun::Address& a);

// Every address of every interface of this host (getifaddrs), for the peer
// policy's "the server's own addresses" when listening on a wildcard.
// Throws std::runtime_error (start-up only) when they cannot be listed, e.g.
// under a sandbox that denies AF_NETLINK sockets: an empty list there would
// silently let peers reach this host's other addresses.
std::vector<stun::Address> interface_addresses();

}  // namespace switchboard::turn::io
