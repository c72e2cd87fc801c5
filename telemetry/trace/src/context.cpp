#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::trace {
namespace {

Context& CurrentSlot() noexcept {
    thread_local Context current;
    return current;
}

}  // namespace

const Context& Context::Current() noexcept { return CurrentSlot(); }

Scope::Scope(Context context) noexcept : previous_(std::move(CurrentSlot())) {
    CurrentSlot() = std::move(context);
}

Scope::~Scope() { CurrentSlot() = std::move(previous_); }

Baggage::Baggage(std::vector<Entry> entries)
    : entries_(entries.empty() ? nullptr
                               : std::make_shared<const std::vector<Entry>>(std::move(entries))) {}

const std::vector<Baggage::Entry>& Baggage::entries() const noexcept {
    static const std::vector<Entry>* const kEmpty = new std::vector<Entry>();
    return entries_ ? *entries_ : *kEmpty;
}

std::optional<std::string_view> Baggage::Get(std::string_view key) const noexcept {
    for (const auto& e : entries())
        if (e.key == key) return std::string_view(e.value);
    return std::nullopt;
}

Baggage Baggage::Set(std::string_view key, std::string_view value,
                     std::string_view metadata) const {
    std::vector<Entry> out = entries();
    for (auto& e : out) {
        if (e.key == key) {
            e.value = std::string(value);
            e.metadata = std::string(metadata);
            return Baggage(std::move(out));
        }
    }
    out.push_back({std::string(key), std::string(value), std::string(metadata)});
    return Baggage(std::move(out));
}

Baggage Baggage::Remove(std::string_view key) const {
    std::vector<Entry> out;
    for (const auto& e : entries())
        if (e.key != key) out.push_back(e);
    return Baggage(std::move(out));
}

}  // namespace tome::telemetry::trace
