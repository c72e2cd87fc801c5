#include "tome/telemetry/export/env_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "env_parse.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/trace/span_attributes_processor.hpp"
#include "tome/telemetry/trace/tail_sampling_processor.hpp"

namespace tome::telemetry::exporter {
namespace {

using internal::Bad;
using internal::Lower;
using internal::Pick;
using internal::Trim;
using internal::ValidUrl;


// Reads a non-negative integer; nullopt when unset; error when malformed.
Result<std::optional<std::int64_t>> ReadInt(const EnvLookup& env, std::string_view var) {
    auto v = GetNonEmpty(env, var);
    if (!v) return std::optional<std::int64_t>();
    const std::string t = Trim(*v);
    std::int64_t n = 0;
    auto r = std::from_chars(t.data(), t.data() + t.size(), n);
    if (r.ec != std::errc() || r.ptr != t.data() + t.size())
        return Bad(var, *v, "expected an integer");
    if (n < 0) return Bad(var, *v, "must not be negative");
    return std::optional<std::int64_t>(n);
}

// "scheme://host[:port]" with no path gets "/"; anything else is left alone.
std::string EnsurePath(std::string url) {
    const std::size_t scheme_end = url.find("://");
    if (url.find('/', scheme_end + 3) == std::string::npos) url.push_back('/');
    return url;
}

// OTLP/gRPC: TRACES_ENDPOINT or ENDPOINT used as is (no /v1/traces), plus INSECURE, which
// matters only for an endpoint without a scheme.
Result<bool> ReadGrpcEndpoint(const EnvLookup& env, OtlpGrpcExporterOptions& o) {
    if (auto p = Pick(env, "TRACES", "INSECURE")) {
        const std::string l = Lower(Trim(p->value));
        if (l == "true") o.insecure = true;
        else if (l == "false") o.insecure = false;
        else return Bad(p->name, p->value, "expected true or false");
    }
    if (auto p = Pick(env, "TRACES", "ENDPOINT")) {
        o.endpoint = Trim(p->value);
        auto target = ParseGrpcEndpoint(o.endpoint, o.insecure);
        if (!target.ok()) return Bad(p->name, p->value, target.message());
    }
    return true;
}

struct LimitVar {
    const char* name;
    std::size_t trace::SpanLimits::*field;
};

Result<bool> ApplyLimits(const EnvLookup& env, trace::SpanLimits& l) {
    // General attribute limits first; the span-specific ones win.
    const LimitVar vars[] = {
        {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", &trace::SpanLimits::attribute_value_length},
        {"OTEL_ATTRIBUTE_COUNT_LIMIT", &trace::SpanLimits::attribute_count},
        {"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", &trace::SpanLimits::attribute_value_length},
        {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", &trace::SpanLimits::attribute_count},
        {"OTEL_SPAN_EVENT_COUNT_LIMIT", &trace::SpanLimits::event_count},
        {"OTEL_SPAN_LINK_COUNT_LIMIT", &trace::SpanLimits::link_count},
        {"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", &trace::SpanLimits::attributes_per_event},
        {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", &trace::SpanLimits::attributes_per_link},
    };
    for (const auto& v : vars) {
        auto n = ReadInt(env, v.name);
        if (!n.ok()) return n.error();
        if (n.value()) l.*v.field = static_cast<std::size_t>(*n.value());
    }
    return true;
}

}  // namespace

Result<TracesEnvConfig> ReadTracesEnvConfig(const EnvLookup& env) {
    TracesEnvConfig c;
    if (auto v = GetNonEmpty(env, "OTEL_SDK_DISABLED")) {
        const std::string l = Lower(Trim(*v));
        if (l == "true") c.sdk_disabled = true;
        else if (l != "false") return Bad("OTEL_SDK_DISABLED", *v, "expected true or false");
    }

    if (auto v = GetNonEmpty(env, "OTEL_TRACES_SAMPLER")) {
        c.sampler = Lower(Trim(*v));
        static constexpr std::string_view kKnown[] = {
            "always_on", "always_off", "traceidratio", "parentbased_always_on",
            "parentbased_always_off", "parentbased_traceidratio"};
        if (std::find(std::begin(kKnown), std::end(kKnown), c.sampler) == std::end(kKnown))
            return Bad("OTEL_TRACES_SAMPLER", *v, "supported: always_on, always_off, traceidratio, "
                                                  "parentbased_always_on, parentbased_always_off, "
                                                  "parentbased_traceidratio");
        if (auto arg = GetNonEmpty(env, "OTEL_TRACES_SAMPLER_ARG");
            arg && c.sampler.ends_with("traceidratio")) {
            const std::string t = Trim(*arg);
            double d = 0;
            auto r = std::from_chars(t.data(), t.data() + t.size(), d);
            if (r.ec != std::errc() || r.ptr != t.data() + t.size() || !(d >= 0.0 && d <= 1.0))
                return Bad("OTEL_TRACES_SAMPLER_ARG", *arg, "expected a probability in [0, 1]");
            c.sampler_ratio = d;
        }
    }

    struct DurVar {
        const char* name;
        std::chrono::milliseconds* field;
    };
    for (const DurVar& d : {DurVar{"OTEL_BSP_SCHEDULE_DELAY", &c.batch.scheduled_delay},
                            DurVar{"OTEL_BSP_EXPORT_TIMEOUT", &c.batch.export_timeout}}) {
        auto n = ReadInt(env, d.name);
        if (!n.ok()) return n.error();
        if (n.value()) *d.field = std::chrono::milliseconds(*n.value());
    }
    for (auto [name, field] : {std::pair{"OTEL_BSP_MAX_QUEUE_SIZE", &c.batch.max_queue_size},
                               std::pair{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
                                         &c.batch.max_export_batch_size}}) {
        auto n = ReadInt(env, name);
        if (!n.ok()) return n.error();
        if (n.value()) {
            if (*n.value() == 0) return Bad(name, "0", "must be positive");
            *field = static_cast<std::size_t>(*n.value());
        }
    }
    if (c.batch.max_export_batch_size > c.batch.max_queue_size)
        return Error{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE: " +
                     std::to_string(c.batch.max_export_batch_size) +
                     " is larger than OTEL_BSP_MAX_QUEUE_SIZE " +
                     std::to_string(c.batch.max_queue_size)};

    if (auto limits = ApplyLimits(env, c.limits); !limits.ok()) return limits.error();

    // Exporter selection.
    const bool exporters_named = GetNonEmpty(env, "OTEL_TRACES_EXPORTER").has_value();
    if (auto v = GetNonEmpty(env, "OTEL_TRACES_EXPORTER")) {
        c.exporters.clear();
        std::string list = Lower(*v);
        std::size_t pos = 0;
        while (pos <= list.size()) {
            std::size_t comma = list.find(',', pos);
            if (comma == std::string::npos) comma = list.size();
            const std::string name = Trim(std::string_view(list).substr(pos, comma - pos));
            pos = comma + 1;
            if (name.empty() || name == "none") continue;
            TracesExporterKind kind;
            if (name == "otlp") kind = TracesExporterKind::kOtlp;
            else if (name == "console") kind = TracesExporterKind::kConsole;
            else return Bad("OTEL_TRACES_EXPORTER", *v, "supported: otlp, console, none");
            if (std::find(c.exporters.begin(), c.exporters.end(), kind) == c.exporters.end())
                c.exporters.push_back(kind);
        }
    }

    if (auto f = GetNonEmpty(env, "TOME_OTLP_FILE")) {  // tome-specific, see env_config.hpp
        c.otlp_file.path = Trim(*f);
        if (c.otlp_file.path.empty()) return Bad("TOME_OTLP_FILE", *f, "expected a file path");
        if (!exporters_named) c.exporters.clear();
        c.exporters.push_back(TracesExporterKind::kOtlpFile);
    }

    // OTLP exporter. The protocol decides how the endpoint is read.
    if (auto p = Pick(env, "TRACES", "PROTOCOL")) {
        const std::string l = Lower(Trim(p->value));
        if (l == "http/protobuf") c.otlp.protocol = OtlpProtocol::kHttpProtobuf;
        else if (l == "http/json") c.otlp.protocol = OtlpProtocol::kHttpJson;
        else if (l == "grpc") c.otlp_transport = OtlpTransport::kGrpc;
        else return Bad(p->name, p->value, "expected http/protobuf, http/json or grpc");
        const bool otlp_selected = std::find(c.exporters.begin(), c.exporters.end(),
                                             TracesExporterKind::kOtlp) != c.exporters.end();
        if (c.otlp_transport == OtlpTransport::kGrpc && otlp_selected && !OtlpGrpcAvailable())
            return Bad(p->name, p->value,
                       "this build of tome has no gRPC support: rebuild with libgrpc++-dev "
                       "installed and -DTOME_WITH_GRPC=ON, or use http/protobuf");
    }
    if (c.otlp_transport == OtlpTransport::kGrpc) {
        if (auto r = ReadGrpcEndpoint(env, c.otlp_grpc); !r.ok()) return r.error();
    } else if (auto v = GetNonEmpty(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
        const std::string url = Trim(*v);
        if (!ValidUrl(url))
            return Bad("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", *v, "expected an http(s) URL");
        c.otlp.endpoint = EnsurePath(url);
    } else if (auto g = GetNonEmpty(env, "OTEL_EXPORTER_OTLP_ENDPOINT")) {
        std::string url = Trim(*g);
        if (!ValidUrl(url))
            return Bad("OTEL_EXPORTER_OTLP_ENDPOINT", *g, "expected an http(s) URL");
        if (url.back() != '/') url.push_back('/');
        c.otlp.endpoint = url + "v1/traces";
    }
    if (auto p = Pick(env, "TRACES", "COMPRESSION")) {
        const std::string l = Lower(Trim(p->value));
        if (l == "gzip") c.otlp.compression = OtlpCompression::kGzip;
        else if (l == "none") c.otlp.compression = OtlpCompression::kNone;
        else return Bad(p->name, p->value, "expected gzip or none");
    }
    if (auto p = Pick(env, "TRACES", "TIMEOUT")) {
        auto n = ReadInt([&](std::string_view) { return std::optional<std::string>(p->value); },
                         p->name);
        if (!n.ok()) return n.error();
        c.otlp.timeout = std::chrono::milliseconds(*n.value());  // 0: no limit
    }
    if (auto p = Pick(env, "TRACES", "HEADERS")) {
        auto kv = trace::ParseKeyValueList(p->value, p->name);
        if (!kv.ok()) return kv.error();
        c.otlp.headers = std::move(kv).value();
    }
    if (auto p = Pick(env, "TRACES", "CERTIFICATE")) c.otlp.certificate_file = Trim(p->value);
    c.otlp_grpc.headers = c.otlp.headers;
    c.otlp_grpc.compression = c.otlp.compression;
    c.otlp_grpc.timeout = c.otlp.timeout;
    c.otlp_grpc.certificate_file = c.otlp.certificate_file;
    if (auto dir = GetNonEmpty(env, "TOME_OTLP_PERSISTENT_QUEUE_DIR")) {  // env_config.hpp
        if (c.otlp_transport == OtlpTransport::kGrpc) {
            return Bad("TOME_OTLP_PERSISTENT_QUEUE_DIR", *dir,
                       "the persistent queue works with OTLP/HTTP (http/protobuf, http/json), "
                       "not grpc");
        }
        PersistentQueueOptions q;
        q.dir = Trim(*dir);
        auto max = ReadInt(env, "TOME_OTLP_PERSISTENT_QUEUE_MAX_BYTES");
        if (!max.ok()) return max.error();
        if (max.value()) {
            const auto n = static_cast<std::uint64_t>(*max.value());
            if (n < kMinPersistentQueueBytes || n > kMaxPersistentQueueBytes) {
                return Bad("TOME_OTLP_PERSISTENT_QUEUE_MAX_BYTES", std::to_string(n),
                           "expected " + std::to_string(kMinPersistentQueueBytes) + " to " +
                               std::to_string(kMaxPersistentQueueBytes) + " bytes");
            }
            q.max_bytes = n;
        }
        c.otlp.persistent_queue = std::move(q);
    }
    return c;
}

Result<std::unique_ptr<trace::Sampler>> MakeSamplerFromConfig(const TracesEnvConfig& c) {
    const std::string& s = c.sampler;
    auto root = [&](std::string_view name) -> std::unique_ptr<trace::Sampler> {
        if (name == "always_on") return trace::MakeAlwaysOnSampler();
        if (name == "always_off") return trace::MakeAlwaysOffSampler();
        if (name == "traceidratio") return trace::MakeTraceIdRatioSampler(c.sampler_ratio);
        return nullptr;
    };
    if (s.starts_with("parentbased_")) {
        auto r = root(std::string_view(s).substr(12));
        if (r) return trace::MakeParentBasedSampler(std::move(r));
    } else if (auto r = root(s)) {
        return r;
    }
    return Error{"OTEL_TRACES_SAMPLER: unsupported sampler '" + s + "'"};
}

namespace {

// Empties `processors` (not empty) into one processor: itself when alone, else a
// MultiSpanProcessor, so another processor can sit in front of all of them.
std::unique_ptr<trace::SpanProcessor> TakeAsOne(
    std::vector<std::unique_ptr<trace::SpanProcessor>>& processors) {
    std::unique_ptr<trace::SpanProcessor> one;
    if (processors.size() == 1) {
        one = std::move(processors.front());
    } else {
        one = std::make_unique<trace::MultiSpanProcessor>(std::move(processors));
    }
    processors.clear();
    return one;
}

}  // namespace

Result<TracesSdk> BuildTracesSdkFromEnv(const EnvLookup& env,
                                        const trace::ResourceOptions& resource_options,
                                        SelfStats* stats,
                                        const trace::TailSamplingOptions* tail_sampling,
                                        std::vector<trace::Attribute> span_attributes,
                                        SpanTap tap) {
    auto cfg = ReadTracesEnvConfig(env);
    if (!cfg.ok()) return cfg.error();
    TracesEnvConfig& c = cfg.value();
    TracesSdk sdk;
    auto prop = trace::MakePropagatorFromEnv(env);
    sdk.propagator = std::move(prop.propagator);
    sdk.warnings = std::move(prop.warnings);
    if (c.sdk_disabled) {
        sdk.provider = trace::TracerProvider::MakeNoop();
        return sdk;
    }
    auto sampler = MakeSamplerFromConfig(c);
    if (!sampler.ok()) return sampler.error();
    auto resource = trace::MakeResource(resource_options, env);
    if (!resource.ok()) return resource.error();

    trace::TracerProviderOptions po;
    po.sampler = std::move(sampler).value();
    po.limits = c.limits;
    po.resource = std::make_shared<const trace::Resource>(std::move(resource).value());
    po.stats = stats;
    for (const auto kind : c.exporters) {
        trace::BatchSpanProcessorOptions b = c.batch;
        b.stats = stats;
        if (kind == TracesExporterKind::kOtlp && c.otlp_transport == OtlpTransport::kGrpc) {
            OtlpGrpcExporterOptions o = c.otlp_grpc;
            o.stats = stats;
            auto exporter = MakeOtlpGrpcExporter(std::move(o));
            if (!exporter.ok()) return exporter.error();
            po.processors.push_back(
                std::make_unique<trace::BatchSpanProcessor>(std::move(exporter).value(), b));
        } else if (kind == TracesExporterKind::kOtlp) {
            OtlpHttpExporterOptions o = c.otlp;
            o.stats = stats;
            std::unique_ptr<OtlpHttpExporter> exporter;
            try {
                exporter = std::make_unique<OtlpHttpExporter>(std::move(o));
            } catch (const std::exception& e) {  // the persistent queue could not be opened
                return Error{std::string("TOME_OTLP_PERSISTENT_QUEUE_DIR: ") + e.what()};
            }
            po.processors.push_back(
                std::make_unique<trace::BatchSpanProcessor>(std::move(exporter), b));
        } else if (kind == TracesExporterKind::kOtlpFile) {
            auto exporter = std::make_unique<OtlpFileExporter>(c.otlp_file);
            if (!exporter->open_error().empty())
                return Error{"TOME_OTLP_FILE: " + exporter->open_error()};
            po.processors.push_back(
                std::make_unique<trace::BatchSpanProcessor>(std::move(exporter), b));
        } else {
            po.processors.push_back(std::make_unique<trace::SimpleSpanProcessor>(
                std::make_unique<ConsoleSpanExporter>(), stats));
        }
    }
    if (tail_sampling != nullptr && !po.processors.empty()) {
        if (auto set = env("OTEL_TRACES_SAMPLER"); set && !set->empty()) {
            sdk.warnings.push_back("OTEL_TRACES_SAMPLER='" + *set +
                                   "' ignored: tail sampling records every span (always_on)");
        }
        sdk.tail_sampler = trace::UseTailSampling(po, TakeAsOne(po.processors), *tail_sampling);
    }
    if (tap) {
        auto chain = po.processors.empty() ? nullptr : TakeAsOne(po.processors);
        po.processors.push_back(tap(std::move(chain)));
    }
    if (!span_attributes.empty() && !po.processors.empty()) {
        auto next = TakeAsOne(po.processors);
        po.processors.push_back(std::make_unique<trace::SpanAttributesProcessor>(
            std::move(span_attributes), std::move(next), po.limits.attribute_count));
    }
    sdk.provider = std::make_shared<trace::TracerProvider>(std::move(po));
    return sdk;
}

}  // namespace tome::telemetry::exporter
