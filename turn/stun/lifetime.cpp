#include "turn/stun/lifetime.hpp"

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/wire.hpp"

namespace switchboard::turn::stun {

void add_lifetime(MessageBuilder& builder, std::uint32_t seconds) {
    const std::span<std::uint8_t> out = builder.append(kAttrLifetime, 4);
    if (!out.empty()) {
        wire::write_u32(out, 0, seconds);
    }
}

std::variant<std::uint32_t, ParseError> decode_lifetime(std::span<const std::uint8_t> value) {
    if (value.size() != 4) {
        return ParseError::bad_attribute_length;
    }
    return wire::read_u32(value, 0);
}

}  // namespace switchboard::turn::stun
