#include "turn/engine_metrics.hpp"

#include <string>

namespace switchboard::turn {
namespace {

constexpr std::array<stun::Method, 7> kMethods = {
    stun::Method::binding,      stun::Method::allocate, stun::Method::refresh,
    stun::Method::send,         stun::Method::data,     stun::Method::create_permission,
    stun::Method::channel_bind,
};

constexpr std::array<const char*, kDropReasonCount> kDropReasons = {
    "malformed",       "no_allocation", "no_permission", "forbidden_peer",
    "unknown_channel", "bandwidth",     "unexpected",    "rate_limited",
};

constexpr std::array<const char*, kCredentialRefusalCount> kRefusals = {"expired", "expiry_too_far",
                                                                        "inactive"};

std::size_t method_index(stun::Method method) noexcept {
    for (std::size_t i = 0; i < kMethods.size(); ++i) {
        if (kMethods[i] == method) {
            return i;
        }
    }
    return kMethods.size();
}

}  // namespace

EngineMetrics::EngineMetrics(shared::Metrics& registry)
    : allocations(registry.gauge("switchboard_turn_allocations", "Live TURN allocations.")),
      allocations_total(
          registry.counter("switchboard_turn_allocations_total", "TURN allocations created.")),
      packets_to_peer(registry.counter("switchboard_turn_relayed_packets_total",
                                       "Datagrams relayed, by direction.",
                                       {{"direction", "to_peer"}})),
      bytes_to_peer(registry.counter("switchboard_turn_relayed_bytes_total",
                                     "Payload bytes relayed, by direction.",
                                     {{"direction", "to_peer"}})),
      packets_from_peer(registry.counter("switchboard_turn_relayed_packets_total",
                                         "Datagrams relayed, by direction.",
                                         {{"direction", "from_peer"}})),
      bytes_from_peer(registry.counter("switchboard_turn_relayed_bytes_total",
                                       "Payload bytes relayed, by direction.",
                                       {{"direction", "from_peer"}})),
      registry_(registry) {
    for (std::size_t i = 0; i <= kMethods.size(); ++i) {
        const std::string method =
            i < kMethods.size() ? std::string(stun::to_string(kMethods[i])) : "unknown";
        requests_[i] =
            &registry.counter("switchboard_turn_requests_total",
                              "STUN requests received, by method.", {{"method", method}});
    }
    for (std::size_t i = 0; i < kRefusals.size(); ++i) {
        refusals_[i] = &registry.counter("switchboard_turn_credential_refusals_total",
                                         "Requests with a valid MAC refused, by reason.",
                                         {{"reason", kRefusals[i]}});
    }
    for (std::size_t i = 0; i < kDropReasons.size(); ++i) {
        dropped_[i] = &registry.counter("switchboard_turn_dropped_total",
                                        "Packets dropped without a reply, by reason.",
                                        {{"reason", kDropReasons[i]}});
    }
}

shared::Counter& EngineMetrics::request(stun::Method method) noexcept {
    return *requests_[method_index(method)];
}

shared::Counter& EngineMetrics::error(std::uint16_t code) {
    auto& slot = errors_[code];
    if (slot == nullptr) {
        slot = &registry_.counter("switchboard_turn_errors_total",
                                  "STUN error responses sent, by code.",
                                  {{"code", std::to_string(code)}});
    }
    return *slot;
}

}  // namespace switchboard::turn
