#include "tome/telemetry/export/otlp_signal_env.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>

#include "env_parse.hpp"
#include "tome/telemetry/trace/resource.hpp"

namespace tome::telemetry::exporter {
using internal::Bad;
using internal::Lower;
using internal::Pick;
using internal::Trim;
using internal::ValidUrl;

Result<OtlpSignalEnv> ReadOtlpSignalEnv(const EnvLookup& env, const OtlpSignal& signal) {
    OtlpSignalEnv c;
    c.http.endpoint = "http://localhost:4318/" + std::string(signal.http_path);
    c.grpc.method = std::string(signal.grpc_method);
    if (auto p = Pick(env, signal.name, "PROTOCOL")) {
        const std::string l = Lower(Trim(p->value));
        if (l == "http/protobuf") c.protocol = OtlpSignalProtocol::kHttpProtobuf;
        else if (l == "http/json") c.protocol = OtlpSignalProtocol::kHttpJson;
        else if (l == "grpc") c.protocol = OtlpSignalProtocol::kGrpc;
        else return Bad(p->name, p->value, "expected http/protobuf, http/json or grpc");
        if (c.protocol == OtlpSignalProtocol::kHttpJson && !signal.json_supported)
            return Bad(p->name, p->value,
                       "http/json is not supported for " + Lower(std::string(signal.name)) +
                           ": use http/protobuf or grpc");
        if (c.protocol == OtlpSignalProtocol::kGrpc && !OtlpGrpcAvailable())
            return Bad(p->name, p->value,
                       "this build of tome has no gRPC support: rebuild with libgrpc++-dev "
                       "installed and -DTOME_WITH_GRPC=ON, or use http/protobuf");
    }
    if (auto p = Pick(env, signal.name, "INSECURE")) {
        const std::string l = Lower(Trim(p->value));
        if (l == "true") c.grpc.insecure = true;
        else if (l == "false") c.grpc.insecure = false;
        else return Bad(p->name, p->value, "expected true or false");
    }
    const std::string specific = "OTEL_EXPORTER_OTLP_" + std::string(signal.name) + "_ENDPOINT";
    if (c.protocol == OtlpSignalProtocol::kGrpc) {
        if (auto p = Pick(env, signal.name, "ENDPOINT")) {
            c.grpc.endpoint = Trim(p->value);
            auto target = ParseGrpcEndpoint(c.grpc.endpoint, c.grpc.insecure);
            if (!target.ok()) return Bad(p->name, p->value, target.message());
        }
    } else if (auto v = GetNonEmpty(env, specific)) {
        std::string url = Trim(*v);
        if (!ValidUrl(url)) return Bad(specific, *v, "expected an http(s) URL");
        if (url.find('/', url.find("://") + 3) == std::string::npos) url.push_back('/');
        c.http.endpoint = url;
    } else if (auto g = GetNonEmpty(env, "OTEL_EXPORTER_OTLP_ENDPOINT")) {
        std::string url = Trim(*g);
        if (!ValidUrl(url))
            return Bad("OTEL_EXPORTER_OTLP_ENDPOINT", *g, "expected an http(s) URL");
        if (url.back() != '/') url.push_back('/');
        c.http.endpoint = url + std::string(signal.http_path);
    }
    if (auto p = Pick(env, signal.name, "COMPRESSION")) {
        const std::string l = Lower(Trim(p->value));
        if (l == "gzip") c.http.compression = OtlpCompression::kGzip;
        else if (l == "none") c.http.compression = OtlpCompression::kNone;
        else return Bad(p->name, p->value, "expected gzip or none");
    }
    if (auto p = Pick(env, signal.name, "TIMEOUT")) {
        const std::string t = Trim(p->value);
        long long ms = 0;
        const auto r = std::from_chars(t.data(), t.data() + t.size(), ms);
        if (r.ec != std::errc() || r.ptr != t.data() + t.size() || ms < 0)
            return Bad(p->name, p->value, "expected a non-negative integer of milliseconds");
        c.http.timeout = std::chrono::milliseconds(ms);  // 0: no limit
    }
    if (auto p = Pick(env, signal.name, "HEADERS")) {
        auto kv = trace::ParseKeyValueList(p->value, p->name);
        if (!kv.ok()) return kv.error();
        c.http.headers = std::move(kv).value();
    }
    if (auto p = Pick(env, signal.name, "CERTIFICATE")) c.http.certificate_file = Trim(p->value);
    c.grpc.headers = c.http.headers;
    c.grpc.compression = c.http.compression;
    c.grpc.timeout = c.http.timeout;
    c.grpc.certificate_file = c.http.certificate_file;
    return c;
}

Result<std::vector<SignalExporterKind>> ReadSignalExporters(const EnvLookup& env,
                                                            std::string_view variable,
                                                            bool console_supported) {
    std::vector<SignalExporterKind> out;
    auto v = GetNonEmpty(env, variable);
    if (!v) return std::vector<SignalExporterKind>{SignalExporterKind::kOtlp};
    const std::string list = Lower(*v);
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        const std::string name = Trim(std::string_view(list).substr(pos, comma - pos));
        pos = comma + 1;
        if (name.empty() || name == "none") continue;
        SignalExporterKind kind;
        if (name == "otlp") kind = SignalExporterKind::kOtlp;
        else if (name == "console" && console_supported) kind = SignalExporterKind::kConsole;
        else
            return Bad(variable, *v,
                       console_supported ? "supported: otlp, console, none"
                                         : "supported: otlp, none");
        if (std::find(out.begin(), out.end(), kind) == out.end()) out.push_back(kind);
    }
    return out;
}

}  // namespace tome::telemetry::exporter
