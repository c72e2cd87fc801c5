// Reading the OTEL_EXPORTER_OTLP_[<SIGNAL>_]* variables of one signal (METRICS, LOGS, ...) into
// transport options, so that every signal's env config applies the same rules: the
// signal-specific variable wins over the generic one; for OTLP/HTTP the generic ENDPOINT is a
// base URL that gets "v1/<signal>" appended (after a '/'), the signal ENDPOINT is used as is
// (an empty path becomes "/"); for gRPC both are used as is. Errors name the variable. Pure
// functions of the EnvLookup; call from any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/export/otlp_grpc_transport.hpp"
#include "tome/telemetry/export/otlp_http_transport.hpp"

namespace tome::telemetry::exporter {

/// OTEL_EXPORTER_OTLP_[<SIGNAL>_]PROTOCOL values.
enum class OtlpSignalProtocol : std::uint8_t { kHttpProtobuf, kHttpJson, kGrpc };

/// What the variables say for one signal, with spec defaults for the unset ones.
struct OtlpSignalEnv {
    OtlpSignalProtocol protocol = OtlpSignalProtocol::kHttpProtobuf;  ///< Default http/protobuf.
    /// For http/*: endpoint default http://localhost:4318/v1/<signal>.
    OtlpHttpTransportOptions http;
    /// For grpc: endpoint default http://localhost:4317; method is the signal's Export rpc.
    OtlpGrpcTransportOptions grpc;
};

/// Which signal to read. `name` is the upper-case infix ("METRICS"), `http_path` the OTLP/HTTP
/// path without the leading '/' ("v1/metrics"), `grpc_method` the Export rpc.
struct OtlpSignal {
    std::string_view name;
    std::string_view http_path;
    std::string_view grpc_method;
    /// False when the signal has no OTLP/JSON encoder: http/json is then an error naming the
    /// PROTOCOL variable.
    bool json_supported = false;
};

/// Reads PROTOCOL, ENDPOINT, HEADERS, COMPRESSION, TIMEOUT (ms, 0 = no limit), CERTIFICATE and
/// INSECURE (gRPC only) for `signal`. PROTOCOL=grpc is an error when this build has no gRPC.
Result<OtlpSignalEnv> ReadOtlpSignalEnv(const EnvLookup& env, const OtlpSignal& signal);

/// OTEL_<SIGNAL>_EXPORTER values ("otlp", "console", "none"; comma list, case-insensitive).
enum class SignalExporterKind : std::uint8_t { kOtlp, kConsole };

/// Parses the comma list in `variable` (default "otlp" when unset; "none" alone gives an empty
/// list). `console_supported` false makes "console" an error naming the variable.
Result<std::vector<SignalExporterKind>> ReadSignalExporters(const EnvLookup& env,
                                                            std::string_view variable,
                                                            bool console_supported);

}  // namespace tome::telemetry::exporter
