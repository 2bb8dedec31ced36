#include "signaling/protocol/parser.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "shared/identifier.hpp"
#include "shared/utf8.hpp"

namespace switchboard::signaling::protocol {
namespace {

enum class Kind { null, boolean, number, string, object, array };

bool is_number_char(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// One top-level member as it appeared in the frame.
struct Member {
    Kind kind = Kind::null;
    std::string_view raw;  // source text of the value
    std::string text;      // decoded value, for strings
    bool boolean = false;
};

// The top-level keys the protocol reads; every other key is ignored
// (forward compatibility), so nothing is stored for it.
// PROTOCOL.md "Envelope".
constexpr std::size_t kMaxIdBytes = 256;

enum Field { kType, kId, kToken, kUserId, kResume, kRoomId, kTo, kData, kAck, kFieldCount };
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "type", "id", "token", "userId", "resume", "roomId", "to", "data", "ack"};

std::optional<Field> field_of(std::string_view key) {
    for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
        if (kFieldNames[i] == key) return static_cast<Field>(i);
    }
    return std::nullopt;
}

// A RapidJSON SAX handler that builds no DOM: it tracks depth and, for each
// member of the root object, records the value's kind, its decoded string
// and its exact source span (from just after the key to the stream position
// when the value completes). Returning false stops the parse.
class TopLevelRecorder {
public:
    TopLevelRecorder(std::string_view source, const rapidjson::MemoryStream& stream)
        : source_(source), stream_(stream) {}

    bool Null() { return scalar(Kind::null); }
    bool Bool(bool b) {
        if (depth_ == 1) pending_bool_ = b;
        return scalar(Kind::boolean);
    }
    // With kParseNumbersAsStringsFlag only RawNumber is called; the others
    // complete the handler concept.
    bool Int(int) { return scalar(Kind::number); }
    bool Uint(unsigned) { return scalar(Kind::number); }
    bool Int64(std::int64_t) { return scalar(Kind::number); }
    bool Uint64(std::uint64_t) { return scalar(Kind::number); }
    bool Double(double) { return scalar(Kind::number); }
    bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar(Kind::number); }
    bool String(const char* s, rapidjson::SizeType n, bool) {
        if (depth_ == 1) pending_string_.assign(s, n);
        return scalar(Kind::string);
    }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
        if (depth_ == 1) {
            key_ = field_of(std::string_view(s, n));
            key_end_ = stream_.Tell();
        }
        return true;
    }
    bool StartObject() { return open(Kind::object); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(Kind::array); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    bool not_object() const { return not_object_; }
    bool too_deep() const { return too_deep_; }
    const std::optional<Member>& member(Field f) const { return members_[f]; }

private:
    bool open(Kind kind) {
        if (depth_ == 0 && kind != Kind::object) {
            not_object_ = true;
            return false;
        }
        if (depth_ == 1) pending_kind_ = kind;
        if (++depth_ > kMaxDepth) {
            too_deep_ = true;
            return false;
        }
        return true;
    }
    bool close() {
        // RapidJSON's iterative parser reports the end of a container before
        // it consumes the closing bracket: the value ends one byte later.
        if (--depth_ == 1) finish(pending_kind_, stream_.Tell() + 1);
        return true;
    }
    bool scalar(Kind kind) {
        if (depth_ == 0) {
            not_object_ = true;
            return false;
        }
        if (depth_ == 1) finish(kind, stream_.Tell());
        return true;
    }
    void finish(Kind kind, std::size_t end) {
        if (!key_) return;
        if (kind == Kind::number) {
            // After neutralize_numbers() the parser saw "0" and padding: the
            // original number runs on in source_.
            while (end < source_.size() && is_number_char(source_[end])) ++end;
        }
        std::size_t begin = key_end_;
        // Between the key's closing quote and the value: whitespace, ':', whitespace.
        auto skip_space = [&] {
            while (begin < end && (source_[begin] == ' ' || source_[begin] == '\t' ||
                                   source_[begin] == '\n' || source_[begin] == '\r')) {
                ++begin;
            }
        };
        skip_space();
        if (begin < end && source_[begin] == ':') ++begin;
        skip_space();
        Member m;
        m.kind = kind;
        m.raw = source_.substr(begin, end - begin);
        if (kind == Kind::string) m.text = std::move(pending_string_);
        if (kind == Kind::boolean) m.boolean = pending_bool_;
        members_[*key_] = std::move(m);  // a repeated key: the last one wins, as in JSON.parse
        key_.reset();
    }

    std::string_view source_;
    const rapidjson::MemoryStream& stream_;  // read only while Parse() runs
    int depth_ = 0;
    bool not_object_ = false;
    bool too_deep_ = false;
    std::optional<Field> key_;
    std::size_t key_end_ = 0;
    Kind pending_kind_ = Kind::null;
    std::string pending_string_;
    bool pending_bool_ = false;
    std::array<std::optional<Member>, kFieldCount> members_;
};

struct TypeEntry {
    std::string_view name;
    RequestType type;
};
constexpr std::array<TypeEntry, 7> kTypes = {{
    {"login", RequestType::login},
    {"join", RequestType::join},
    {"leave", RequestType::leave},
    {"signal", RequestType::signal},
    {"ping", RequestType::ping},
    {"room-users", RequestType::room_users},
    {"ice-servers", RequestType::ice_servers},
}};

// RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
bool valid_json_number(std::string_view n) {
    std::size_t i = 0;
    auto digits = [&] {
        const auto start = i;
        while (i < n.size() && n[i] >= '0' && n[i] <= '9') ++i;
        return i > start;
    };
    if (i < n.size() && n[i] == '-') ++i;
    if (i < n.size() && n[i] == '0') {
        ++i;
    } else if (!digits()) {
        return false;
    }
    if (i < n.size() && n[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i < n.size() && (n[i] == 'e' || n[i] == 'E')) {
        ++i;
        if (i < n.size() && (n[i] == '+' || n[i] == '-')) ++i;
        if (!digits()) return false;
    }
    return i == n.size();
}

// RapidJSON range-checks numbers even when asked to keep them as strings, so
// 1e999 fails to parse, although it is valid JSON that `data` must carry
// unchanged. This copy replaces each grammatically valid number with "0"
// padded by spaces to the same length: offsets are unchanged, so the raw
// spans still index the original frame.
std::string neutralize_numbers(std::string_view frame) {
    std::string out(frame);
    bool in_string = false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i;
            while (end < out.size() && is_number_char(out[end])) ++end;
            if (valid_json_number(std::string_view(out).substr(i, end - i))) {
                out[i] = '0';
                std::fill(out.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                          out.begin() + static_cast<std::ptrdiff_t>(end), ' ');
            }
            i = end - 1;
        }
    }
    return out;
}

ParseFailure failure(Error e, std::string type, std::string id, std::string message) {
    return ParseFailure{e, std::move(type), std::move(id), std::move(message)};
}

// Reads an optional string field. `null` counts as absent, any other
// non-string is an error (returned as the message).
std::optional<std::string> optional_string(const TopLevelRecorder& r, Field f,
                                           std::optional<std::string>& out) {
    const auto& m = r.member(f);
    if (!m || m->kind == Kind::null) return std::nullopt;
    if (m->kind != Kind::string) return std::string(kFieldNames[f]) + " must be a string";
    out = m->text;
    return std::nullopt;
}

std::optional<std::string> optional_identifier(const TopLevelRecorder& r, Field f,
                                               std::optional<std::string>& out) {
    if (auto err = optional_string(r, f, out)) return err;
    if (out && !shared::valid_identifier(*out)) {
        return std::string(kFieldNames[f]) + " must be 1 to 128 characters of [A-Za-z0-9._:@-]";
    }
    return std::nullopt;
}

// Fills the type-specific fields; returns an error message for bad-request.
std::optional<std::string> read_fields(const TopLevelRecorder& r, Request& req) {
    switch (req.type) {
        case RequestType::login:
            if (auto e = optional_string(r, kToken, req.token)) return e;
            if (auto e = optional_string(r, kUserId, req.user_id)) return e;
            return optional_string(r, kResume, req.resume);
        case RequestType::join:
            if (auto e = optional_identifier(r, kRoomId, req.room_id)) return e;
            if (!req.room_id) return std::string("roomId is required");
            return std::nullopt;
        case RequestType::signal: {
            if (auto e = optional_identifier(r, kRoomId, req.room_id)) return e;
            if (auto e = optional_identifier(r, kTo, req.to)) return e;
            const auto& data = r.member(kData);
            if (!data) return std::string("data is required");
            req.data_json = std::string(data->raw);
            const auto& ack = r.member(kAck);
            if (ack && ack->kind != Kind::null) {
                if (ack->kind != Kind::boolean) return std::string("ack must be a boolean");
                req.ack = ack->boolean;
            }
            return std::nullopt;
        }
        case RequestType::leave:
        case RequestType::room_users:
        case RequestType::ice_servers: return optional_identifier(r, kRoomId, req.room_id);
        case RequestType::ping: return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

std::string_view type_name(RequestType t) {
    for (const auto& entry : kTypes) {
        if (entry.type == t) return entry.name;
    }
    return "";
}

std::variant<Request, ParseFailure> parse_request(std::string_view frame) {
    // MemoryStream reads '\0' as the end of input; an embedded NUL must not
    // let a prefix of the frame pass as the whole message.
    if (frame.find('\0') != std::string_view::npos) {
        return failure(Error::invalid_json, "", "", "frame contains a NUL byte");
    }
    // The whole frame must be UTF-8 (JSON outside strings is ASCII anyway).
    // One pass with the ASCII fast path is several times cheaper than
    // RapidJSON's per-character validation inside strings.
    if (!shared::valid_utf8(frame)) return failure(Error::invalid_json, "", "", "invalid UTF-8");
    constexpr unsigned kFlags =
        rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
    auto parse = [&](std::string_view text, std::optional<TopLevelRecorder>& recorder) {
        rapidjson::MemoryStream stream(text.data(), text.size());
        recorder.emplace(frame, stream);  // spans always index the original frame
        rapidjson::Reader reader;
        return reader.Parse<kFlags>(stream, *recorder);
    };
    std::optional<TopLevelRecorder> slot;
    auto result = parse(frame, slot);
    std::string neutralized;
    if (result.Code() == rapidjson::kParseErrorNumberTooBig) {
        // Rare (only out-of-range numbers get here), so the copy is paid only then.
        neutralized = neutralize_numbers(frame);
        result = parse(neutralized, slot);
    }
    const TopLevelRecorder& recorder = *slot;
    if (recorder.too_deep()) {
        return failure(Error::invalid_json, "", "", "nesting deeper than 64 levels");
    }
    if (recorder.not_object()) {
        return failure(Error::invalid_json, "", "", "a message must be a JSON object");
    }
    if (result.IsError()) {
        return failure(Error::invalid_json, "", "",
                       "invalid JSON at offset " + std::to_string(result.Offset()));
    }

    const auto& type = recorder.member(kType);
    const std::string_view type_text =
        type && type->kind == Kind::string ? std::string_view(type->text) : "";
    std::string id_json;
    if (const auto& id = recorder.member(kId); id && id->kind != Kind::null) {
        if (id->kind != Kind::string && id->kind != Kind::number) {
            return failure(Error::bad_request, "", "", "id must be a string or a number");
        }
        // PROTOCOL.md "Envelope": a string id is at most 256 bytes, and a
        // longer one is not echoed. Numbers get the same cap on their digits
        // (docs/protocol.md): every echoed byte is bounded.
        if ((id->kind == Kind::string ? id->text.size() : id->raw.size()) > kMaxIdBytes) {
            return failure(Error::bad_request, std::string(type_text), "",
                           "id longer than 256 bytes");
        }
        id_json = std::string(id->raw);
    }
    if (!type || type->kind != Kind::string) {
        return failure(Error::bad_request, "", std::move(id_json), "type must be a string");
    }

    Request req;
    const TypeEntry* entry = nullptr;
    for (const auto& e : kTypes) {
        if (e.name == type->text) entry = &e;
    }
    if (entry == nullptr) {
        return failure(Error::unknown_type, type->text, std::move(id_json), "unknown message type");
    }
    req.type = entry->type;
    req.id_json = std::move(id_json);
    if (auto err = read_fields(recorder, req)) {
        return failure(Error::bad_request, type->text, std::move(req.id_json), std::move(*err));
    }
    return req;
}

}  // namespace switchboard::signaling::protocol
