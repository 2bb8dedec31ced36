#include "turn/stun/long_term_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace switchboard::turn::stun {

LongTermKey long_term_key(std::string_view username, std::string_view realm,
                          std::string_view password) {
    std::string input;
    input.reserve(username.size() + realm.size() + password.size() + 2);
    input.append(username).append(1, ':').append(realm).append(1, ':').append(password);

    LongTermKey key{};
    unsigned int written = 0;
    const int ok = EVP_Digest(input.data(), input.size(), key.data(), &written, EVP_md5(), nullptr);
    // The input holds the password: do not leave it in freed memory.
    OPENSSL_cleanse(input.data(), input.size());
    if (ok != 1 || written != key.size()) {
        (void)std::fprintf(stderr,
                           "switchboard: fatal: OpenSSL MD5 failed; refusing to continue\n");
        std::abort();
    }
    return key;
}

}  // namespace switchboard::turn::stun
