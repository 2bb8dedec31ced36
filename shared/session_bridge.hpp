#pragma once
// Where signaling and TURN meet (DESIGN.md rule 4, turn.require_active_session).
//
// The signaling side says which users are active (a live session, attached
// or inside its resume window, that is in at least one room) and when a user
// stops being so, at which point the user's TURN relays must go. The TURN
// workers ask is_active() on every authenticated request, and must not wait
// for the signaling side to answer them.
//
//   signaling loop                        TURN worker i (its own thread)
//   --------------                        ------------------------------
//   set_active("alice")  -> active set    View::is_active("alice"): not in
//                                         its copy, so it asks the set once
//                                         (a small mutex) and keeps the answer
//   set_inactive("bob")  -> active set,
//                           and pending
//   flush() ---- Batch {bob, "left"} ---> sink i posts it to the worker:
//                                         View::apply: bob out of its copy,
//                                         bob's REST allocations torn down
//
// So an activation costs the signaling side a set insert and no message (a
// join is frequent; most joiners never touch TURN, and a worker learns of
// one when it first asks), while each deactivation, which must reach every
// worker to tear relays down, goes in a batch: one post per worker per
// flush, i.e. per turn of the signaling loop (on_pending schedules it). A
// worker's copy answers every later request without a lock. Its copy is
// never ahead of the truth: a user is copied only while active, and every
// deactivation reaches the worker after whatever it copied before.
// Teardown costs that user's allocations only (the engine's index).
//
// Thread contract:
// - add_sink(), on_pending(): start-up, before anything else;
// - set_active(), set_inactive(), flush(): the signaling loop's thread;
// - is_active_now(): any thread;
// - a View: one worker thread (the one its sink posts to).
// Static TURN users (turn.static_users) never pass through here: their
// allocations are not the bridge's to tear down.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace switchboard::shared {

class SessionBridge {
public:
    // A user that is no longer active, and why (for the log).
    struct Gone {
        std::string user;
        std::string reason;
    };
    using Batch = std::shared_ptr<const std::vector<Gone>>;
    // Hands a batch to one worker; the worker applies it to its View in order.
    using Sink = std::function<void(Batch)>;

    void add_sink(Sink sink) { sinks_.push_back(std::move(sink)); }
    // Called when the first change after a flush is queued: the owner of the
    // signaling loop schedules flush() at the end of the loop's turn.
    void on_pending(std::function<void()> fn) { on_pending_ = std::move(fn); }

    void set_active(std::string_view user);
    void set_inactive(std::string_view user, std::string_view reason);
    // Sends the deactivations since the last flush, as one batch, to every sink.
    void flush();
    bool has_pending() const { return !pending_.empty(); }

    // The authoritative answer, as of the signaling side's last change.
    bool is_active_now(std::string_view user) const;

    class View {
    public:
        explicit View(const SessionBridge& bridge) : bridge_(&bridge) {}

        // Applies `batch`; calls on_gone(user, reason) for each user in it.
        void apply(const std::vector<Gone>& batch,
                   const std::function<void(const std::string&, const std::string&)>& on_gone);
        // From this worker's copy; a user not in it is looked up once and
        // kept while active.
        bool is_active(std::string_view user) const;
        std::size_t size() const { return active_.size(); }

    private:
        const SessionBridge* bridge_;
        mutable std::unordered_set<std::string> active_;  // a cache of the bridge's set
    };

private:
    std::vector<Sink> sinks_;
    std::function<void()> on_pending_;
    std::vector<Gone> pending_;
    mutable std::mutex mutex_;  // guards active_
    std::unordered_set<std::string> active_;
};

}  // namespace switchboard::shared
