#include "app/liveness.hpp"

namespace switchboard::app {

std::size_t LivenessMonitor::add(std::string name) {
    names_.push_back(std::move(name));
    answered_.emplace_back(0);
    return names_.size() - 1;
}

LivenessMonitor::Round LivenessMonitor::next_round() {
    Round round{++round_, {}};
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (answered_[i].load(std::memory_order_acquire) < round.id - 1)
            round.stuck.push_back(names_[i]);
    }
    return round;
}

void LivenessMonitor::answer(std::size_t loop, std::uint64_t round) {
    // A late answer to an old round must not hide a newer one missing.
    auto seen = answered_[loop].load(std::memory_order_relaxed);
    while (seen < round &&
           !answered_[loop].compare_exchange_weak(seen, round, std::memory_order_release)) {
    }
}

}  // namespace switchboard::app
