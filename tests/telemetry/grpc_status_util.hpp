// Test-only: builds a serialized google.rpc.Status (what a gRPC server puts in the
// grpc-status-details-bin trailer) with libprotobuf, independently of the exporter's decoder.
// google.rpc.RetryInfo{Duration retry_delay = 1} has no generated type here, so its single
// field is framed with WireFormatLite around libprotobuf's own Duration. Pure functions.
#pragma once

#include <google/protobuf/any.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include <chrono>
#include <string>
#include <vector>

namespace tome::telemetry::testing {

inline std::string RetryInfoBytes(std::chrono::nanoseconds delay) {
    google::protobuf::Duration d;
    d.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(delay).count());
    d.set_nanos(static_cast<int>((delay % std::chrono::seconds(1)).count()));
    std::string out;
    {
        google::protobuf::io::StringOutputStream raw(&out);
        google::protobuf::io::CodedOutputStream cos(&raw);
        google::protobuf::internal::WireFormatLite::WriteBytes(1, d.SerializeAsString(), &cos);
    }
    return out;
}

/// google.rpc.Status{code = 1, message = 2, details = 3 (Any)}.
inline std::string RpcStatusBytes(int code, const std::string& message,
                                  const std::vector<google::protobuf::Any>& details) {
    std::string out;
    {
        google::protobuf::io::StringOutputStream raw(&out);
        google::protobuf::io::CodedOutputStream cos(&raw);
        google::protobuf::internal::WireFormatLite::WriteInt32(1, code, &cos);
        google::protobuf::internal::WireFormatLite::WriteString(2, message, &cos);
        for (const auto& any : details)
            google::protobuf::internal::WireFormatLite::WriteBytes(3, any.SerializeAsString(),
                                                                   &cos);
    }
    return out;
}

inline google::protobuf::Any AnyOf(const std::string& type, const std::string& value) {
    google::protobuf::Any any;
    any.set_type_url("type.googleapis.com/" + type);
    any.set_value(value);
    return any;
}

/// A RESOURCE_EXHAUSTED-style status carrying RetryInfo{delay} after an unrelated detail.
inline std::string StatusWithRetryInfo(int code, std::chrono::nanoseconds delay) {
    return RpcStatusBytes(code, "slow down",
                          {AnyOf("google.rpc.DebugInfo", "\x12\x03hey"),
                           AnyOf("google.rpc.RetryInfo", RetryInfoBytes(delay))});
}

}  // namespace tome::telemetry::testing
