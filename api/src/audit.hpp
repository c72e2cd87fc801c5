// The audit side of the Proxy: which routes are changes, how big a value an audit record keeps,
// and the log record every audit record also becomes (so it reaches Loki with its trace id).
// Private to the api layer.
#pragma once

#include <string_view>

#include "tome/api/change_store.hpp"
#include "tome/telemetry/logs/logger.hpp"

namespace tome::api::internal {

/// A before/after value larger than this (as JSON text) is kept as {"truncated": true, "bytes": n}.
inline constexpr std::size_t kMaxAuditValueBytes = 16 * 1024;

/// True for the routes that change the network: tomes, remote tomes, connections, networks and
/// toggles, any method but GET/HEAD/OPTIONS. Sending events is traffic, not a change.
bool IsChangeRoute(std::string_view method, std::string_view operation);

/// `value`, or its truncation marker when its JSON text is over kMaxAuditValueBytes.
Json AuditValue(Json value);

/// INFO "Audit record" (WARN when refused) in the current span: tome.audit.who, .target,
/// .result, .before, .after (JSON text), http.request.method, http.route,
/// http.response.status_code, error.message.
void LogAudit(telemetry::logs::Logger& log, const AuditRecord& record);

}  // namespace tome::api::internal
