#include "turn/stun/userhash.hpp"

#include <algorithm>

namespace switchboard::turn::stun {

std::variant<Userhash, ParseError> decode_userhash(std::span<const std::uint8_t> value) {
    Userhash hash{};
    if (value.size() != hash.size()) {
        return ParseError::bad_attribute_length;
    }
    std::copy(value.begin(), value.end(), hash.begin());
    return hash;
}

}  // namespace switchboard::turn::stun
