// Resource: the attributes describing the process that produces telemetry (service.name,
// host.name, telemetry.sdk.*, ...), and how it is built from code options and the environment
// (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES). Immutable once built; share freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/trace/attribute.hpp"

namespace tome::telemetry::trace {

/// telemetry.sdk.name of this SDK ("opentelemetry" is reserved for the official SDKs).
inline constexpr std::string_view kSdkName = "tome";
inline constexpr std::string_view kSdkLanguage = "cpp";
inline constexpr std::string_view kSdkVersion = "0.1.0";

class Resource {
public:
    Resource() = default;
    explicit Resource(std::vector<Attribute> attributes, std::string schema_url = {})
        : attributes_(std::move(attributes)), schema_url_(std::move(schema_url)) {}

    const std::vector<Attribute>& attributes() const noexcept { return attributes_; }
    const std::string& schema_url() const noexcept { return schema_url_; }
    /// Value of `key`, or nullptr.
    const AttributeValue* Find(std::string_view key) const noexcept {
        return FindAttribute(attributes_, key);
    }

    /// This resource updated by `updating`: on a key clash `updating` wins. Schema URLs: empty
    /// + X gives X; equal stays; differing is an error.
    Result<Resource> Merge(const Resource& updating) const;

private:
    std::vector<Attribute> attributes_;
    std::string schema_url_;
};

/// Code-level resource settings. Empty strings mean "not set".
struct ResourceOptions {
    std::string service_name;            ///< Default: OTEL_SERVICE_NAME, else unknown_service:<exe>.
    std::string service_version;         ///< Default: unset.
    std::string deployment_environment;  ///< deployment.environment.name; default unset.
    std::string service_instance_id;     ///< Default: a random UUID v4 per process.
    std::vector<Attribute> attributes;   ///< Extra attributes; win over the environment.
};

/// Builds the SDK resource: detected attributes (telemetry.sdk.*, host.name, process.pid,
/// service.instance.id), then OTEL_RESOURCE_ATTRIBUTES (percent-decoded), then
/// OTEL_SERVICE_NAME, then `options` (code wins). An undecodable OTEL_RESOURCE_ATTRIBUTES is an
/// error naming the variable.
Result<Resource> MakeResource(const ResourceOptions& options, const EnvLookup& env);

/// Parses "k=v,k2=v2" with percent-decoding of keys and values (OTEL_RESOURCE_ATTRIBUTES and
/// OTEL_EXPORTER_OTLP_HEADERS syntax). Errors name `variable`.
Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueList(
    std::string_view text, std::string_view variable);

/// Decodes %XX escapes; nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

/// A random UUID v4 string.
std::string RandomUuidV4();

}  // namespace tome::telemetry::trace
