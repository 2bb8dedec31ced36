#include "turn/stun/unknown_attributes.hpp"

#include "turn/stun/attribute_type.hpp"
#include "turn/stun/wire.hpp"

#include <algorithm>

namespace switchboard::turn::stun {

std::vector<std::uint16_t> unknown_comprehension_required(const MessageView& message) {
    std::vector<std::uint16_t> unknown;
    for (const Attribute& attribute : message.attributes()) {
        if (is_comprehension_required(attribute.type) && !is_known_attribute(attribute.type) &&
            std::find(unknown.begin(), unknown.end(), attribute.type) == unknown.end()) {
            unknown.push_back(attribute.type);
        }
    }
    return unknown;
}

// RFC 8489 section 14.13:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |      Attribute 1 Type         |       Attribute 2 Type        |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |      Attribute 3 Type         |       Attribute 4 Type    ...
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "Note: In [RFC3489], this field was padded to 32 by duplicating the last
// attribute. In this version of the specification, the normal padding rules
// for attributes are used instead."
void add_unknown_attributes(MessageBuilder& builder, std::span<const std::uint16_t> types) {
    const std::span<std::uint8_t> out = builder.append(kAttrUnknownAttributes, types.size() * 2);
    for (std::size_t i = 0; i < types.size() && !out.empty(); ++i) {
        wire::write_u16(out, 2 * i, types[i]);
    }
}

std::variant<std::vector<std::uint16_t>, ParseError> decode_unknown_attributes(
    std::span<const std::uint8_t> value) {
    if (value.size() % 2 != 0) {
        return ParseError::bad_attribute_length;
    }
    std::vector<std::uint16_t> types;
    types.reserve(value.size() / 2);
    for (std::size_t i = 0; i < value.size(); i += 2) {
        types.push_back(wire::read_u16(value, i));
    }
    return types;
}

}  // namespace switchboard::turn::stun
