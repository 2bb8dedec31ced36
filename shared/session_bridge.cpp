#include "shared/session_bridge.hpp"

namespace switchboard::shared {

void SessionBridge::set_active(std::string_view user) {
    std::lock_guard lock(mutex_);
    active_.emplace(user);
}

void SessionBridge::set_inactive(std::string_view user, std::string_view reason) {
    {
        std::lock_guard lock(mutex_);
        if (active_.erase(std::string(user)) == 0) return;
    }
    if (pending_.empty() && on_pending_) on_pending_();
    pending_.push_back({std::string(user), std::string(reason)});
}

void SessionBridge::flush() {
    if (pending_.empty()) return;
    auto batch = std::make_shared<const std::vector<Gone>>(std::move(pending_));
    pending_.clear();
    for (const auto& sink : sinks_) sink(batch);
}

bool SessionBridge::is_active_now(std::string_view user) const {
    std::lock_guard lock(mutex_);
    return active_.contains(std::string(user));
}

void SessionBridge::View::apply(
    const std::vector<Gone>& batch,
    const std::function<void(const std::string&, const std::string&)>& on_gone) {
    for (const auto& gone : batch) {
        active_.erase(gone.user);
        if (on_gone) on_gone(gone.user, gone.reason);
    }
}

bool SessionBridge::View::is_active(std::string_view user) const {
    if (active_.contains(std::string(user))) return true;
    if (!bridge_->is_active_now(user)) return false;
    active_.emplace(user);
    return true;
}

}  // namespace switchboard::shared
