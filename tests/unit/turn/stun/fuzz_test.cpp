// Fuzz-style robustness: 100,000 random, truncated, bit-flipped and
// structurally plausible inputs through every decoder. Nothing may crash,
// read out of bounds (run under -fsanitize=address,undefined to see it), or
// return views outside its input. Fixed seed: failures reproduce.

#include "turn/stun/address_family.hpp"
#include "turn/stun/channel_data.hpp"
#include "turn/stun/channel_number.hpp"
#include "turn/stun/dont_fragment.hpp"
#include "turn/stun/error_code.hpp"
#include "turn/stun/even_port.hpp"
#include "turn/stun/framing.hpp"
#include "turn/stun/icmp.hpp"
#include "turn/stun/integrity.hpp"
#include "turn/stun/lifetime.hpp"
#include "turn/stun/mapped_address.hpp"
#include "turn/stun/password_algorithm.hpp"
#include "turn/stun/requested_transport.hpp"
#include "turn/stun/reservation_token.hpp"
#include "turn/stun/text_attributes.hpp"
#include "turn/stun/unknown_attributes.hpp"
#include "turn/stun/userhash.hpp"
#include "turn/stun/xor_address.hpp"

#include "stun_test_util.hpp"

#include <cstdio>
#include <random>

namespace switchboard::turn::stun {
namespace {

constexpr int kIterations = 100'000;

// How far the inputs got, so that the test fails if the generator stops
// reaching the deeper code (a fuzz loop that only exercises the first
// length check proves little).
struct Reach {
    int messages = 0;      // parsed as STUN
    int attributes = 0;    // attributes decoded
    int verified = 0;      // MESSAGE-INTEGRITY or FINGERPRINT still valid
    int channel_data = 0;  // parsed as ChannelData
    int frames = 0;        // stream frames cut
};
Reach reach;

bool inside(std::span<const std::uint8_t> inner, std::span<const std::uint8_t> outer) {
    return inner.empty() || (inner.data() >= outer.data() &&
                             inner.data() + inner.size() <= outer.data() + outer.size());
}

// Runs every attribute decoder on `value`; the results are not checked, only
// that decoding terminates without touching memory it must not.
void decode_everything(std::span<const std::uint8_t> value, const TransactionId& id) {
    (void)decode_mapped_address(value);
    (void)decode_xor_address(value, id);
    (void)decode_username(value);
    (void)decode_realm(value);
    (void)decode_nonce(value);
    (void)decode_software(value);
    (void)decode_error_code(value);
    (void)decode_address_error_code(value);
    (void)decode_unknown_attributes(value);
    (void)decode_lifetime(value);
    (void)decode_requested_transport(value);
    (void)decode_channel_number(value);
    (void)check_dont_fragment(value);
    (void)decode_even_port(value);
    (void)decode_reservation_token(value);
    (void)decode_address_family(value);
    (void)decode_icmp(value);
    (void)decode_userhash(value);
    (void)decode_password_algorithm(value);
    const auto algorithms = decode_password_algorithms(value);
    if (const auto* list = std::get_if<std::vector<PasswordAlgorithm>>(&algorithms)) {
        for (const PasswordAlgorithm& algorithm : *list) {
            EXPECT_TRUE(inside(algorithm.parameters, value));
        }
    }
}

void check_message(std::span<const std::uint8_t> input) {
    const auto parsed = parse_message(input);
    const auto* message = std::get_if<MessageView>(&parsed);
    if (message == nullptr) {
        return;
    }
    ++reach.messages;
    ASSERT_EQ(message->bytes().size(), input.size());
    ASSERT_LE(message->attributes().size(), kMaxAttributes);
    std::size_t previous = 0;
    for (const Attribute& attribute : message->attributes()) {
        ASSERT_GE(attribute.offset, kHeaderSize);
        ASSERT_GT(attribute.offset + 1, previous);
        ASSERT_TRUE(inside(attribute.value, input));
        ASSERT_EQ(attribute.value.data(), input.data() + attribute.offset + 4);
        previous = attribute.offset + 1;
        decode_everything(attribute.value, message->transaction_id());
        ++reach.attributes;
    }
    const bool integrity = verify_message_integrity(*message, test::bytes_of("key"));
    const bool integrity_sha256 = verify_message_integrity_sha256(*message, test::bytes_of("key"));
    const bool fingerprint = verify_fingerprint(*message);
    reach.verified += integrity || integrity_sha256 || fingerprint ? 1 : 0;
    (void)unknown_comprehension_required(*message);
}

void check_channel_data(std::span<const std::uint8_t> input) {
    for (const Framing framing : {Framing::datagram, Framing::stream}) {
        const auto parsed = parse_channel_data(input, framing);
        if (const auto* data = std::get_if<ChannelData>(&parsed)) {
            ++reach.channel_data;
            ASSERT_TRUE(is_valid_channel_number(data->channel));
            ASSERT_TRUE(inside(data->payload, input));
        }
    }
}

// Walks the input as a stream, as a TCP reader would.
void check_framing(std::span<const std::uint8_t> input) {
    for (const std::size_t bound : {kMaxStreamFrameSize, std::size_t{64}}) {
        std::span<const std::uint8_t> rest = input;
        while (!rest.empty()) {
            const auto result = next_frame(rest, bound);
            const auto* frame = std::get_if<Frame>(&result);
            if (frame == nullptr) {
                break;
            }
            ++reach.frames;
            ASSERT_GE(frame->size, 4u);
            ASSERT_LE(frame->size, rest.size());
            ASSERT_LE(frame->size, bound);
            const auto bytes = rest.first(frame->size);
            if (frame->kind == FrameKind::stun) {
                check_message(bytes);
            } else {
                check_channel_data(bytes);
            }
            rest = rest.subspan(frame->size);
        }
    }
}

std::vector<std::vector<std::uint8_t>> seeds() {
    std::vector<std::vector<std::uint8_t>> all = {
        test::load_fixture("rfc5769_request.hex"),
        test::load_fixture("rfc5769_ipv4_response.hex"),
        test::load_fixture("rfc5769_ipv6_response.hex"),
        test::load_fixture("rfc5769_long_term.hex"),
    };
    all.push_back(test::build([](MessageBuilder& b) {
        add_xor_address(b, kAttrXorPeerAddress, *Address::parse("[2001:db8::7]:9"));
        add_error_code(b, 438);
        add_unknown_attributes(b, std::vector<std::uint16_t>{1, 2, 3});
        add_icmp(b, IcmpAttribute{3, 4, 1200});
        add_address_error_code(b, Address::Family::v6, 440);
        b.add(kAttrPasswordAlgorithms, test::from_hex("00 02 00 00 00 01 00 00"));
        b.add_message_integrity(test::bytes_of("key"));
        b.add_message_integrity_sha256(test::bytes_of("key"));
        b.add_fingerprint();
    }));
    std::vector<std::uint8_t> channel;
    EXPECT_TRUE(
        encode_channel_data(0x4000, test::bytes_of("relayed payload"), channel, Framing::stream));
    all.push_back(channel);
    // A stream of several frames.
    std::vector<std::uint8_t> stream = channel;
    stream.insert(stream.end(), all[0].begin(), all[0].end());
    stream.insert(stream.end(), channel.begin(), channel.end());
    all.push_back(stream);
    return all;
}

TEST(Fuzz, RandomAndMutatedInputsNeverCrash) {
    const auto corpus = seeds();
    std::mt19937 rng(0x5354554e);
    std::uniform_int_distribution<int> byte(0, 255);
    const auto below = [&rng](std::size_t n) {
        return n == 0 ? std::size_t{0} : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };

    std::vector<std::uint8_t> input;
    for (int i = 0; i < kIterations; ++i) {
        const auto& seed = corpus[below(corpus.size())];
        switch (i % 5) {
            case 0:  // random bytes
                input.resize(below(140));
                for (auto& b : input) b = static_cast<std::uint8_t>(byte(rng));
                break;
            case 1:  // a truncated seed
                input.assign(seed.begin(), seed.begin() + below(seed.size() + 1));
                break;
            case 2: {  // a seed with bits flipped and bytes overwritten
                input = seed;
                const std::size_t edits = 1 + below(6);
                for (std::size_t e = 0; e < edits && !input.empty(); ++e) {
                    if (e % 2 == 0) {
                        input[below(input.size())] ^= static_cast<std::uint8_t>(1u << below(8));
                    } else {
                        input[below(input.size())] = static_cast<std::uint8_t>(byte(rng));
                    }
                }
                break;
            }
            case 3: {  // a valid STUN header with a random TLV soup of consistent length
                const std::size_t body = 4 * below(40);
                input = {0x00,
                         0x03,
                         static_cast<std::uint8_t>(body >> 8),
                         static_cast<std::uint8_t>(body),
                         0x21,
                         0x12,
                         0xa4,
                         0x42};
                input.resize(20 + body);
                for (std::size_t k = 8; k < input.size(); ++k) {
                    input[k] = static_cast<std::uint8_t>(byte(rng));
                }
                // Bias attribute lengths small so the walk goes deep.
                for (std::size_t k = 20; k + 4 <= input.size(); k += 4 * (1 + below(3))) {
                    input[k + 2] = 0;
                    input[k + 3] = static_cast<std::uint8_t>(below(24));
                }
                break;
            }
            default: {  // a seed spliced with another's tail
                const auto& other = corpus[below(corpus.size())];
                input.assign(seed.begin(), seed.begin() + below(seed.size() + 1));
                input.insert(input.end(), other.begin() + below(other.size() + 1), other.end());
                break;
            }
        }
        check_message(input);
        check_channel_data(input);
        check_framing(input);
        if (::testing::Test::HasFatalFailure()) {
            FAIL() << "iteration " << i << ": " << test::to_hex(input);
        }
    }
    // Measured with this seed: about 25,000 messages, 119,000 attributes,
    // 1,700 still verifying, 58,000 ChannelData, 75,000 frames.
    EXPECT_GT(reach.messages, kIterations / 8);
    EXPECT_GT(reach.attributes, kIterations / 2);
    EXPECT_GT(reach.verified, kIterations / 200);
    EXPECT_GT(reach.channel_data, kIterations / 4);
    EXPECT_GT(reach.frames, kIterations / 3);
    std::printf("fuzz reach: %d messages, %d attributes, %d verified, %d channel data, %d frames\n",
                reach.messages, reach.attributes, reach.verified, reach.channel_data, reach.frames);
}

}  // namespace
}  // namespace switchboard::turn::stun
