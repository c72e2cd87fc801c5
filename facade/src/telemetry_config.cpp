// TelemetryConfig validation, ${VAR} expansion of header values, the OTEL_* defaults it
// stands for, and its redacted description.
#include "tome/facade/telemetry_config.hpp"

#include <cctype>
#include <charconv>

#include "tome/telemetry/export/persistent_queue.hpp"
#include "tome/telemetry/logs/log_record.hpp"

namespace tome::facade {

namespace {

constexpr const char* kRedacted = "<redacted>";

bool IsHeaderName(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (!(std::isalnum(u) || c == '-' || c == '_' || c == '.')) return false;
    }
    return true;
}

bool IsSecretVariable(std::string_view name) {
    return name.find("HEADERS") != std::string_view::npos;
}

// OTEL_EXPORTER_OTLP_HEADERS is a W3C-baggage-like list: values are percent-encoded.
std::string PercentEncode(const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char ch : s) {
        if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == ' ' ||
            ch == '/' || ch == ':' || ch == '+') {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += kHex[ch >> 4];
            out += kHex[ch & 15];
        }
    }
    return out;
}

// Shortest form that reads back as the same double ("0.1", not "0.10000000000000001").
std::string Number(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

Status Field(const std::string& field, const std::string& what) {
    return InvalidArgument("telemetry." + field + " " + what);
}

}  // namespace

Status Validate(const TelemetryConfig& c) {
    if (c.service_name.empty()) return Field("service_name", "must not be empty");
    if (!(c.sampling_rate >= 0.0 && c.sampling_rate <= 1.0)) {
        return Field("sampling_rate", "must be between 0 and 1, got " + Number(c.sampling_rate));
    }
    if (c.max_queue_size == 0) return Field("max_queue_size", "must be at least 1");
    if (c.max_export_batch_size == 0 || c.max_export_batch_size > c.max_queue_size) {
        return Field("max_export_batch_size",
                     "must be between 1 and max_queue_size (" + std::to_string(c.max_queue_size) +
                         "), got " + std::to_string(c.max_export_batch_size));
    }
    if (c.export_timeout.count() <= 0) return Field("export_timeout", "must be positive");
    if (c.scheduled_delay.count() <= 0) return Field("scheduled_delay", "must be positive");
    if (c.persistent_queue) {
        namespace ex = telemetry::exporter;
        if (c.persistent_queue->dir.empty()) return Field("persistent_queue.dir", "must name a directory");
        if (c.persistent_queue->max_bytes < ex::kMinPersistentQueueBytes ||
            c.persistent_queue->max_bytes > ex::kMaxPersistentQueueBytes) {
            return Field("persistent_queue.max_bytes",
                         "must be between " + std::to_string(ex::kMinPersistentQueueBytes) +
                             " and " + std::to_string(ex::kMaxPersistentQueueBytes) + ", got " +
                             std::to_string(c.persistent_queue->max_bytes));
        }
    }
    if (c.metric_export_interval.count() <= 0) {
        return Field("metric_export_interval", "must be positive");
    }
    if (c.protocol != "http/protobuf" && c.protocol != "http/json" && c.protocol != "grpc") {
        return Field("protocol", "must be http/protobuf, http/json or grpc, got '" + c.protocol + "'");
    }
    if (!c.compression.empty() && c.compression != "gzip" && c.compression != "none") {
        return Field("compression", "must be gzip or none, got '" + c.compression + "'");
    }
    if (!c.endpoint.empty() && !c.endpoint.starts_with("http://") &&
        !c.endpoint.starts_with("https://")) {
        return Field("endpoint", "must start with http:// or https://, got '" + c.endpoint + "'");
    }
    if (c.headers.size() > kMaxHeaders) {
        return Field("headers", "has " + std::to_string(c.headers.size()) + " entries, at most " +
                                    std::to_string(kMaxHeaders) + " are allowed");
    }
    for (const auto& [name, value] : c.headers) {
        (void)value;
        if (!IsHeaderName(name)) {
            return Field("headers", "name '" + name + "' must be letters, digits, '-', '_' or '.'");
        }
    }
    if (!telemetry::logs::SeverityFromLevelName(c.log_level)) {
        return Field("log_level", "must be trace, debug, info, warn, error or fatal, got '" +
                                      c.log_level + "'");
    }
    for (const auto& [name, value] : c.otel) {
        (void)value;
        if (!name.starts_with("OTEL_") && !name.starts_with("TOME_OTLP_")) {
            return Field("otel", "key '" + name + "' is not an OTEL_* variable");
        }
    }
    return Status::Ok();
}

Result<std::string> ExpandHeaderValue(const std::string& header, const std::string& value,
                                      const EnvLookup& env) {
    const std::string where = "telemetry header '" + header + "'";
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value.compare(i, 2, "${") != 0) {
            out += value[i];
            continue;
        }
        const auto end = value.find('}', i + 2);
        if (end == std::string::npos) return InvalidArgument(where + ": unclosed '${'");
        const std::string name = value.substr(i + 2, end - i - 2);
        if (name.empty()) return InvalidArgument(where + ": empty '${}'");
        auto v = env ? env(name) : std::nullopt;
        if (!v) return InvalidArgument(where + ": environment variable " + name + " is not set");
        out += *v;
        i = end;
    }
    if (out.size() > kMaxHeaderValueChars) {
        return InvalidArgument(where + ": value is longer than " +
                               std::to_string(kMaxHeaderValueChars) + " characters");
    }
    return out;
}

std::map<std::string, std::string> ToOtelDefaults(
    const TelemetryConfig& c, const std::map<std::string, std::string>& expanded_headers) {
    std::map<std::string, std::string> d = c.otel;
    auto set = [&d](const char* name, std::string value) {
        if (!value.empty()) d[name] = std::move(value);
    };
    set("OTEL_SDK_DISABLED", c.enabled ? "false" : "true");
    set("OTEL_EXPORTER_OTLP_ENDPOINT", c.endpoint);
    set("OTEL_EXPORTER_OTLP_PROTOCOL", c.protocol);
    set("OTEL_EXPORTER_OTLP_COMPRESSION", c.compression);
    set("OTEL_TRACES_SAMPLER", c.sampler.empty() ? "parentbased_traceidratio" : c.sampler);
    set("OTEL_TRACES_SAMPLER_ARG", Number(c.sampling_rate));
    const std::string queue = std::to_string(c.max_queue_size);
    const std::string batch = std::to_string(c.max_export_batch_size);
    const std::string timeout = std::to_string(c.export_timeout.count());
    const std::string delay = std::to_string(c.scheduled_delay.count());
    set("OTEL_BSP_MAX_QUEUE_SIZE", queue);
    set("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", batch);
    set("OTEL_BSP_EXPORT_TIMEOUT", timeout);
    set("OTEL_BSP_SCHEDULE_DELAY", delay);
    set("OTEL_BLRP_MAX_QUEUE_SIZE", queue);
    set("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", batch);
    set("OTEL_BLRP_EXPORT_TIMEOUT", timeout);
    set("OTEL_BLRP_SCHEDULE_DELAY", delay);
    set("OTEL_METRIC_EXPORT_TIMEOUT", timeout);
    set("OTEL_METRIC_EXPORT_INTERVAL", std::to_string(c.metric_export_interval.count()));
    if (!c.enable_metrics) set("OTEL_METRICS_EXPORTER", "none");
    if (!c.enable_logs) set("OTEL_LOGS_EXPORTER", "none");
    if (c.persistent_queue) {
        set("TOME_OTLP_PERSISTENT_QUEUE_DIR", c.persistent_queue->dir);
        set("TOME_OTLP_PERSISTENT_QUEUE_MAX_BYTES", std::to_string(c.persistent_queue->max_bytes));
    }
    std::string joined;
    for (const auto& [name, value] : expanded_headers) {
        joined += (joined.empty() ? "" : ",") + name + "=" + PercentEncode(value);
    }
    set("OTEL_EXPORTER_OTLP_HEADERS", joined);
    return d;
}

Json Describe(const TelemetryConfig& c) {
    Json headers = Json::object();
    for (const auto& [name, value] : c.headers) {
        (void)value;
        headers[name] = kRedacted;
    }
    Json otel = Json::object();
    for (const auto& [name, value] : c.otel) otel[name] = IsSecretVariable(name) ? kRedacted : value;
    Json j = {{"serviceName", c.service_name},
              {"serviceVersion", c.service_version},
              {"environment", c.environment},
              {"endpoint", c.endpoint},
              {"protocol", c.protocol},
              {"compression", c.compression},
              {"headers", headers},
              {"enableMetrics", c.enable_metrics},
              {"enableLogs", c.enable_logs},
              {"samplingRate", c.sampling_rate},
              {"sampler", c.sampler},
              {"maxExportBatchSize", c.max_export_batch_size},
              {"maxQueueSize", c.max_queue_size},
              {"exportTimeoutMillis", c.export_timeout.count()},
              {"scheduledDelayMillis", c.scheduled_delay.count()},
              {"metricExportIntervalMillis", c.metric_export_interval.count()},
              {"tailSampling", c.tail_sampling.has_value()},
              {"logLevel", c.log_level},
              {"logConsole", c.log_console},
              {"enabled", c.enabled},
              {"otel", otel}};
    if (c.persistent_queue) {
        j["persistentQueue"] = {{"dir", c.persistent_queue->dir},
                                {"maxBytes", c.persistent_queue->max_bytes}};
    }
    if (c.tail_sampling) {
        j["tailSampling"] = {{"errorSamplingRate", c.tail_sampling->error_sampling_rate},
                             {"normalSamplingRate", c.tail_sampling->normal_sampling_rate},
                             {"highValueSamplingRate", c.tail_sampling->high_value_sampling_rate},
                             {"customRules", c.tail_sampling->custom_rules.size()}};
    }
    return j;
}

}  // namespace tome::facade
