#pragma once
// Which event loops are alive, for the service manager's watchdog.
//
// The watchdog timer calls next_round() once per period: it says which loops
// have not answered the previous round's probe, then starts a new round. The
// caller posts answer(loop, round) onto each loop; a loop that is wedged (a
// handler that never returns, a deadlock) never runs it, so it shows up as
// stuck one period later and the keep-alive is held back: the service
// manager then restarts the process.
//
// Thread context: add() and next_round() on one thread (start-up, then the
// watchdog timer); answer() from the loops' own threads.

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace switchboard::app {

class LivenessMonitor {
public:
    // Start-up only. Returns the loop's index for answer().
    std::size_t add(std::string name);

    struct Round {
        std::uint64_t id;                // pass to answer()
        std::vector<std::string> stuck;  // loops that did not answer the previous round
    };
    Round next_round();
    void answer(std::size_t loop, std::uint64_t round);

    std::size_t size() const { return names_.size(); }

private:
    std::vector<std::string> names_;
    std::deque<std::atomic<std::uint64_t>> answered_;  // the last round each loop answered
    std::uint64_t round_ = 0;  // 0: no probe sent yet, so nobody can be late
};

}  // namespace switchboard::app
