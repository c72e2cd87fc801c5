// Context: what travels with a unit of work (the active SpanContext and the Baggage), the
// thread-local current Context, and the RAII Scope that installs one. Context and Baggage are
// immutable values, cheap to copy and safe to hand to another thread; the current Context is
// per thread, so a Scope must be destroyed on the thread that created it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/trace/span_context.hpp"

namespace tome::telemetry::trace {

/// W3C baggage: an immutable list of name/value pairs (with optional opaque metadata).
/// Copies share one buffer.
class Baggage {
public:
    struct Entry {
        std::string key;
        std::string value;     ///< Decoded (not percent-encoded).
        std::string metadata;  ///< Raw properties after the first ';', or empty.
        friend bool operator==(const Entry&, const Entry&) = default;
    };

    Baggage() noexcept = default;

    std::optional<std::string_view> Get(std::string_view key) const noexcept;
    /// A copy with `key` set (replacing an existing entry).
    Baggage Set(std::string_view key, std::string_view value,
                std::string_view metadata = {}) const;
    Baggage Remove(std::string_view key) const;

    std::size_t size() const noexcept { return entries_ ? entries_->size() : 0; }
    bool empty() const noexcept { return size() == 0; }
    /// Entries in insertion order.
    const std::vector<Entry>& entries() const noexcept;

    friend bool operator==(const Baggage& a, const Baggage& b) { return a.entries() == b.entries(); }

private:
    explicit Baggage(std::vector<Entry> entries);
    std::shared_ptr<const std::vector<Entry>> entries_;
};

/// The propagated state of a unit of work.
struct Context {
    SpanContext span_context;  ///< Invalid when there is no active span.
    Baggage baggage;

    /// The calling thread's current Context (empty until a Scope installs one).
    static const Context& Current() noexcept;

    /// A copy with `sc` as the active span context.
    Context WithSpanContext(SpanContext sc) const {
        Context c = *this;
        c.span_context = std::move(sc);
        return c;
    }
    Context WithBaggage(Baggage b) const {
        Context c = *this;
        c.baggage = std::move(b);
        return c;
    }
};

/// Installs a Context as the thread's current one for its lifetime, then restores the
/// previous one. Scopes nest; destroy them in reverse order on the creating thread. To hand work
/// to another thread, capture `Context::Current()` (a value) and open a Scope there.
class [[nodiscard]] Scope {
public:
    explicit Scope(Context context) noexcept;
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

private:
    Context previous_;
};

}  // namespace tome::telemetry::trace
