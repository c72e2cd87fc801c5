// InMemoryTelemetry: an SDK tracer provider and logger provider that export into memory through
// simple processors, so spans and log records are readable as soon as they end or are emitted.
// For tests that check what a layer records; header-only (the test links the telemetry
// libraries it uses anyway).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::testing {

struct InMemoryTelemetry {
    explicit InMemoryTelemetry(
        telemetry::logs::Severity min_severity = telemetry::logs::Severity::kDebug) {
        telemetry::trace::TracerProviderOptions span_options;
        span_options.processors.push_back(std::make_unique<telemetry::trace::SimpleSpanProcessor>(
            std::make_unique<telemetry::exporter::InMemorySpanExporter>(spans)));
        tracer = std::make_shared<telemetry::trace::TracerProvider>(std::move(span_options));
        auto exporter = std::make_unique<telemetry::logs::InMemoryLogExporter>();
        records = exporter->storage();
        telemetry::logs::LoggerProviderOptions log_options;
        log_options.min_severity = min_severity;
        log_options.processors.push_back(
            std::make_unique<telemetry::logs::SimpleLogProcessor>(std::move(exporter)));
        logger = telemetry::logs::MakeLoggerProvider(std::move(log_options));
    }

    /// Records whose body is `message`, in emission order.
    std::vector<telemetry::logs::LogRecord> Named(const std::string& message) const {
        std::vector<telemetry::logs::LogRecord> out;
        for (auto& r : records->Snapshot()) {
            if (r.body == telemetry::logs::LogValue(message)) out.push_back(std::move(r));
        }
        return out;
    }

    /// The one span named `name`; fails the test when there is not exactly one.
    telemetry::trace::SpanData OnlySpan(const std::string& name) const {
        std::vector<telemetry::trace::SpanData> found;
        for (auto& s : spans->Spans()) {
            if (s.name == name) found.push_back(std::move(s));
        }
        EXPECT_EQ(found.size(), 1u) << name;
        return found.empty() ? telemetry::trace::SpanData{} : found.back();
    }

    /// Forgets every span and record so far.
    void Clear() {
        spans->Clear();
        std::lock_guard lock(records->mu);
        records->records.clear();
    }

    std::shared_ptr<telemetry::exporter::InMemorySpanStore> spans =
        std::make_shared<telemetry::exporter::InMemorySpanStore>();
    std::shared_ptr<telemetry::trace::TracerProvider> tracer;
    std::shared_ptr<telemetry::logs::InMemoryLogExporter::Storage> records;
    std::shared_ptr<telemetry::logs::LoggerProvider> logger;
};

}  // namespace tome::testing
