#include "turn/stun/dont_fragment.hpp"

#include "turn/stun/attribute_type.hpp"

namespace switchboard::turn::stun {

void add_dont_fragment(MessageBuilder& builder) {
    builder.append(kAttrDontFragment, 0);
}

std::optional<ParseError> check_dont_fragment(std::span<const std::uint8_t> value) noexcept {
    if (!value.empty()) {
        return ParseError::bad_attribute_length;
    }
    return std::nullopt;
}

}  // namespace switchboard::turn::stun
