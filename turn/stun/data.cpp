#include "turn/stun/data.hpp"

#include "turn/stun/attribute_type.hpp"

namespace switchboard::turn::stun {

void add_data(MessageBuilder& builder, std::span<const std::uint8_t> payload) {
    builder.add(kAttrData, payload);
}

}  // namespace switchboard::turn::stun
