#pragma once
// One TURN allocation (RFC 8656 section 2.2): the client's 5-tuple, its
// relayed transport address (one per family for a dual allocation, section
// 7.2 ADDITIONAL-ADDRESS-FAMILY), the authenticated user, the time-to-expiry,
// the permissions (section 9) and channel bindings (section 12), plus what
// the engine keeps to answer retransmissions without redoing them and the
// bandwidth limit. A pure state machine: every method takes the time.
//
// Thread context: owned by one Engine (worker thread); not thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "shared/address.hpp"
#include "shared/clock.hpp"
#include "shared/token_bucket.hpp"
#include "turn/engine.hpp"
#include "turn/stun/message.hpp"

namespace switchboard::turn {

using TimePoint = shared::Clock::Steady::time_point;

// RFC 8656 section 2.2: "the default value of 10 minutes".
inline constexpr std::chrono::seconds kDefaultAllocationLifetime{600};
// Section 9: "The Permission Lifetime MUST be 300 seconds (= 5 minutes)."
inline constexpr std::chrono::seconds kPermissionLifetime{300};
// Section 12: "a channel binding lasts for 10 minutes unless refreshed".
inline constexpr std::chrono::seconds kChannelLifetime{600};
// RFC 8489 section 6.3.1 suggests answering retransmissions from a cache
// kept for 40 seconds (Rc * RTO + Ti of the default timers).
inline constexpr std::chrono::seconds kResponseCacheLifetime{40};
inline constexpr std::size_t kResponseCacheSize = 8;
// Bounds the memory one client can make us hold; past it, 508.
inline constexpr std::size_t kMaxPermissionsPerAllocation = 256;
// The same for channel bindings (the number range alone allows 4,096, all to
// one peer IP and so under one permission).
inline constexpr std::size_t kMaxChannelsPerAllocation = 256;

struct IpBytesHash {
    std::size_t operator()(const shared::IpBytes& ip) const noexcept;
};

// turn.max_bps_per_allocation as a bucket of bytes: a burst of one second's
// worth, at least one full 1500-byte packet; unlimited for 0.
shared::TokenBucket bandwidth_bucket(std::uint64_t bits_per_second, TimePoint now);

class Allocation {
public:
    // A relayed transport address and the id of its relay socket (the id
    // EngineSink::open_relay was given).
    struct Relay {
        AllocationId id = 0;
        stun::Address address;
    };

    // `relayed` is the first relay; its socket id is `id`, the allocation's.
    // `rest`: made with REST credentials, so the bridge may tear it down
    // (static users' allocations are exempt).
    Allocation(AllocationId id, const FiveTuple& tuple, const stun::Address& relayed,
               std::string username, std::string user, bool rest, TimePoint expires,
               std::uint64_t max_bits_per_second, TimePoint now);

    // The allocation's key (AllocationTable::find); stays the same when the
    // relay it was first opened with is deleted (a dual allocation's
    // Refresh of one family, section 8.1).
    AllocationId id() const noexcept { return id_; }
    const FiveTuple& tuple() const noexcept { return tuple_; }

    // At most one relay per family. The relay of `family`, or nullptr: a
    // peer of that family is a 443 (sections 10.2, 12.2) and cannot be sent to.
    const Relay* relay(stun::Address::Family family) const noexcept {
        const auto& slot = relays_[index(family)];
        return slot ? &*slot : nullptr;
    }
    // Adds (or replaces) the relay of `relayed`'s family. Call before the
    // allocation enters the AllocationTable, which indexes the relay ids.
    void add_relay(AllocationId id, const stun::Address& relayed);
    // The relay of `family`, taken out (AllocationTable::remove_relay).
    std::optional<Relay> take_relay(stun::Address::Family family);
    std::size_t relay_count() const noexcept {
        return static_cast<std::size_t>(relays_[0].has_value()) + relays_[1].has_value();
    }
    // IPv4 first, as the Allocate success response lists them.
    template <class Fn>
    void for_each_relay(Fn fn) const {
        for (const auto& slot : relays_) {
            if (slot) fn(*slot);
        }
    }
    // USERNAME of the creating Allocate: later requests must carry the same
    // (RFC 8656 section 5, else 441).
    const std::string& username() const noexcept { return username_; }
    // The quota/drop_user key (REST user id or static username).
    const std::string& user() const noexcept { return user_; }
    bool rest() const noexcept { return rest_; }

    TimePoint expires() const noexcept { return expires_; }
    void set_expires(TimePoint expires) noexcept { expires_ = expires; }
    bool expired(TimePoint now) const noexcept { return now >= expires_; }

    // The creating Allocate's transaction and success response: "the server
    // ... MUST" answer a retransmission of it with the same response, not a
    // second allocation (RFC 8656 section 7.2, RFC 8489 section 6.3.1).
    void set_allocate_response(const stun::TransactionId& id, std::vector<std::uint8_t> response);
    const std::vector<std::uint8_t>* allocate_response(const stun::TransactionId& id) const;

    // Permissions, by peer IP (the port is ignored, section 9). Each keeps
    // the peer policy's verdict on its IP, taken when it was installed, so
    // the data path does not scan the deny list per packet; false means the
    // IP is only reachable through the relay-to-relay exception, which the
    // data path re-checks per packet (it holds for one IP and port).
    struct Permission {
        TimePoint expires;
        bool policy_allows = false;
    };
    // nullptr when there is none or it has expired.
    const Permission* permission(const shared::IpBytes& ip, TimePoint now) const;
    bool has_permission(const shared::IpBytes& ip, TimePoint now) const {
        return permission(ip, now) != nullptr;
    }
    bool has_permission_entry(const shared::IpBytes& ip) const;
    std::size_t permission_count() const noexcept { return permissions_.size(); }
    // Installs or refreshes for kPermissionLifetime.
    void install_permission(const shared::IpBytes& ip, TimePoint now, bool policy_allows = true);

    // Channels (section 12): a number bound to one peer cannot be rebound
    // to another, a peer bound to one number cannot get another; binding
    // the same pair again refreshes it; a new binding past
    // kMaxChannelsPerAllocation live ones is `full`.
    enum class BindResult { ok, number_taken, peer_taken, full };
    BindResult bind_channel(std::uint16_t number, const stun::Address& peer, TimePoint now);
    const stun::Address* channel_peer(std::uint16_t number, TimePoint now) const;
    std::optional<std::uint16_t> channel_for(const stun::Address& peer, TimePoint now) const;
    std::size_t channel_count() const noexcept { return channels_.size(); }

    bool admit(std::size_t bytes, TimePoint now) {
        return bucket_.try_take(now, static_cast<double>(bytes));
    }

    // The last kResponseCacheSize responses, for kResponseCacheLifetime.
    const std::vector<std::uint8_t>* cached_response(const stun::TransactionId& id,
                                                     TimePoint now) const;
    void cache_response(const stun::TransactionId& id, std::span<const std::uint8_t> bytes,
                        TimePoint now);

    // Drops expired permissions, channels and cached responses.
    void expire(TimePoint now);

private:
    void sweep_channels(TimePoint now);
    struct Channel {
        stun::Address peer;
        TimePoint expires;
    };
    struct CachedResponse {
        stun::TransactionId id;
        std::vector<std::uint8_t> bytes;
        TimePoint expires;
    };

    void unbind(std::uint16_t number);
    static std::size_t index(stun::Address::Family family) noexcept {
        return family == stun::Address::Family::v4 ? 0 : 1;
    }

    AllocationId id_;
    FiveTuple tuple_;
    std::array<std::optional<Relay>, 2> relays_;  // [0] IPv4, [1] IPv6
    std::string username_;
    std::string user_;
    bool rest_;
    TimePoint expires_;
    stun::TransactionId allocate_id_;
    std::vector<std::uint8_t> allocate_response_;
    std::unordered_map<shared::IpBytes, Permission, IpBytesHash> permissions_;
    std::unordered_map<std::uint16_t, Channel> channels_;
    std::unordered_map<stun::Address, std::uint16_t> channel_by_peer_;
    shared::TokenBucket bucket_;
    std::array<CachedResponse, kResponseCacheSize> cache_{};
    std::size_t cache_next_ = 0;
};

}  // namespace switchboard::turn
