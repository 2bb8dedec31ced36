// RFC 8489 section 9.2.2 key derivation. RFC 5769 section 2.4
// (rfc5769_test.cpp) checks it against a real MESSAGE-INTEGRITY.

#include "turn/stun/long_term_key.hpp"

#include "stun_test_util.hpp"

namespace switchboard::turn::stun {
namespace {

TEST(LongTermKey, Md5OfUsernameRealmPassword) {
    // Known answers computed with Python's hashlib.md5 over the joined string.
    EXPECT_EQ(test::to_hex(long_term_key("", "", "")),  // MD5("::")
              "45 01 c0 91 b0 36 6d 76 ea 32 18 b6 cf dd 80 97");
    EXPECT_EQ(test::to_hex(long_term_key("1700000000:alice", "switchboard", "secret")),
              "65 33 da aa 37 fc 60 59 aa 51 ce cb a8 1f 16 97");
}

TEST(LongTermKey, EveryPartMatters) {
    const LongTermKey key = long_term_key("user", "realm", "pass");
    EXPECT_NE(key, long_term_key("user", "realm", "pas"));
    EXPECT_NE(key, long_term_key("user", "realn", "pass"));
    EXPECT_NE(key, long_term_key("usex", "realm", "pass"));
    // The key is the MD5 of the joined string, so a colon inside a part is
    // indistinguishable from a separator (RFC 8489 leaves it so; REST
    // usernames "<expiry>:<user>" rely on it being plain concatenation).
    EXPECT_EQ(long_term_key("a:b", "c", "d"), long_term_key("a", "b:c", "d"));
    EXPECT_EQ(long_term_key("a", "b", "c:d"), long_term_key("a:b", "c", "d"));
}

}  // namespace
}  // namespace switchboard::turn::stun
