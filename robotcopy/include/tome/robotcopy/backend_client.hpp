// BackendClient: outgoing HTTP POSTs to the Node or Kotlin backend. The libcurl implementation
// uses one easy handle per call, so Post may be called concurrently from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tome/core/status.hpp"

namespace tome::robotcopy {

struct BackendRequest {
    std::string url;   ///< Absolute http:// or https:// URL.
    std::string body;  ///< Sent as is.
    std::vector<std::pair<std::string, std::string>> headers;
    /// Whole-call deadline (connect + send + receive). Default 5 s.
    std::chrono::milliseconds timeout{5000};
};

struct BackendResponse {
    long status = 0;  ///< HTTP status code.
    std::string body;
    double duration_ms = 0;  ///< As measured by the transport.
};

class BackendClient {
public:
    BackendClient() = default;
    BackendClient(const BackendClient&) = delete;
    BackendClient& operator=(const BackendClient&) = delete;
    virtual ~BackendClient() = default;

    /// POSTs the request. Any HTTP answer (also 4xx/5xx) is a response; failures are:
    /// kDeadlineExceeded when the timeout expired; kUnavailable when the backend could not be
    /// reached (DNS, connection refused, TLS handshake: nothing was sent, so a retry cannot
    /// repeat anything); kAborted when the exchange broke off after sending (reset, empty reply:
    /// the backend may have acted); kInvalidArgument for a malformed or non-HTTP URL. The
    /// message names the URL and the transport's error. Never throws. Thread-safe.
    virtual Result<BackendResponse> Post(const BackendRequest& request) = 0;
};

/// Whether an HTTP answer says the server did not act on the request, so that sending it again
/// cannot repeat it: 429 (too many requests) or a gateway error (502, 503, 504).
bool IsNotActedOnStatus(long status) noexcept;

/// How https:// calls check the far side and show themselves (YAML security.outboundTls).
/// The far side's certificate and host name are always verified.
struct ClientTlsOptions {
    std::string ca_file;    ///< PEM CAs to trust; empty = the system's.
    std::string cert_file;  ///< PEM client certificate (mutual TLS); empty = none.
    std::string key_file;   ///< Its private key.
};

/// The libcurl client. Initialises libcurl globally once per process (thread-safe); never
/// cleans it up. Redirects are not followed; only http and https are allowed; TLS 1.2 at least.
std::unique_ptr<BackendClient> MakeCurlBackendClient(ClientTlsOptions tls = {});

}  // namespace tome::robotcopy
