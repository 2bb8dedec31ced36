#include "shared/metrics.hpp"

#include "shared/log.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace switchboard::shared {

struct Metrics::Series {
    // Exactly one of these is set.
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::function<double()> fn;
};

struct Metrics::Family {
    Kind kind = Kind::counter;
    std::string help;
    std::map<Labels, Series> series;
};

namespace {

// Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == ':';
    });
}

// Label names: [a-zA-Z_][a-zA-Z0-9_]*, and "__" prefixes are reserved for
// Prometheus itself.
bool valid_label_name(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9') || name.starts_with("__")) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

// Sorts by label name so that {a,b} and {b,a} are one series; false on an
// invalid or repeated label name.
bool canonicalize(Labels& labels) {
    std::sort(labels.begin(), labels.end());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (!valid_label_name(labels[i].first) ||
            (i > 0 && labels[i - 1].first == labels[i].first)) {
            return false;
        }
    }
    return true;
}

// Text format: HELP escapes '\' and newline; label values also escape '"'.
void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (quote && c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

void append_labels(std::string& out, const Labels& labels) {
    if (labels.empty()) {
        return;
    }
    out += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += labels[i].first;
        out += "=\"";
        append_escaped(out, labels[i].second, true);
        out += '"';
    }
    out += '}';
}

template <class Number>
void append_number(std::string& out, Number value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_double(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
    } else if (std::isinf(value)) {
        out += value > 0 ? "+Inf" : "-Inf";
    } else {
        append_number(out, value);  // shortest text that reads back as the same double
    }
}

}  // namespace

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Series* Metrics::find_or_create(Kind kind, const std::string& name, std::string& help,
                                         Labels& labels) {
    if (!valid_metric_name(name) || !canonicalize(labels)) {
        SB_LOG(error, "metrics", "invalid metric or label name in registration of '" + name + "'");
        return nullptr;
    }
    auto it = families_.find(name);
    if (it == families_.end()) {
        auto family = std::make_unique<Family>();
        family->kind = kind;
        family->help = std::move(help);
        it = families_.emplace(name, std::move(family)).first;
    } else if (it->second->kind != kind) {
        SB_LOG(error, "metrics", "metric '" + name + "' registered both as counter and as gauge");
        return nullptr;
    }
    return &it->second->series[std::move(labels)];
}

Counter& Metrics::counter(std::string name, std::string help, Labels labels) {
    const std::lock_guard lock(mutex_);
    Series* series = find_or_create(Kind::counter, name, help, labels);
    if (series == nullptr) {
        return *detached_counters_.emplace_back(std::make_unique<Counter>());
    }
    if (!series->counter) {
        series->counter = std::make_unique<Counter>();
    }
    return *series->counter;
}

Gauge& Metrics::gauge(std::string name, std::string help, Labels labels) {
    const std::lock_guard lock(mutex_);
    Series* series = find_or_create(Kind::gauge, name, help, labels);
    if (series != nullptr && series->fn) {
        SB_LOG(error, "metrics", "gauge '" + name + "' already has a callback for these labels");
        series = nullptr;
    }
    if (series == nullptr) {
        return *detached_gauges_.emplace_back(std::make_unique<Gauge>());
    }
    if (!series->gauge) {
        series->gauge = std::make_unique<Gauge>();
    }
    return *series->gauge;
}

void Metrics::gauge_fn(std::string name, std::string help, std::function<double()> fn,
                       Labels labels) {
    if (!fn) {
        SB_LOG(error, "metrics", "gauge '" + name + "' registered without a callback");
        return;
    }
    const std::lock_guard lock(mutex_);
    Series* series = find_or_create(Kind::gauge, name, help, labels);
    if (series == nullptr) {
        return;
    }
    if (series->gauge) {
        SB_LOG(error, "metrics", "gauge '" + name + "' is already a plain gauge for these labels");
        return;
    }
    series->fn = std::move(fn);
}

void Metrics::remove_gauge_fn(std::string_view name, Labels labels) {
    const std::lock_guard lock(mutex_);
    const auto family = families_.find(name);
    if (family == families_.end() || !canonicalize(labels)) {
        return;
    }
    auto& all = family->second->series;
    const auto series = all.find(labels);
    // Plain gauges and counters are referenced by their owners: never erased.
    if (series == all.end() || !series->second.fn) {
        return;
    }
    all.erase(series);
    if (all.empty()) {
        families_.erase(family);
    }
}

std::string Metrics::render_prometheus() const {
    const std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        if (!family->help.empty()) {
            out += "# HELP ";
            out += name;
            out += ' ';
            append_escaped(out, family->help, false);
            out += '\n';
        }
        out += "# TYPE ";
        out += name;
        out += family->kind == Kind::counter ? " counter\n" : " gauge\n";
        for (const auto& [labels, series] : family->series) {
            out += name;
            append_labels(out, labels);
            out += ' ';
            if (series.counter) {
                append_number(out, series.counter->value());
            } else if (series.gauge) {
                append_number(out, series.gauge->value());
            } else if (series.fn) {
                append_double(out, series.fn());
            } else {
                append_number(out, 0);
            }
            out += '\n';
        }
    }
    return out;
}

}  // namespace switchboard::shared
