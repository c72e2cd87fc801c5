// What the console's HTTP routes share: the store, the ingestor, the running spans, the clock,
// the limits, the network view the app provides, and the small helpers that build answers.
// Private to console; the routes are free functions over it (otlp_receiver.cpp,
// console_api.cpp, jaeger_api.cpp, ui_assets.cpp). Safe to use from any server thread.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ingestor.hpp"
#include "live_stream.hpp"
#include "running_spans.hpp"
#include "store.hpp"
#include "tome/api/http.hpp"
#include "tome/console/console.hpp"
#include "tome/core/clock.hpp"

namespace tome::console::internal {

using Json = nlohmann::json;

struct HttpContext {
    Store& store;
    Ingestor& ingestor;
    RunningSpans& running;
    LiveHub* live = nullptr;
    const Clock& clock;
    const ConsoleOptions& options;
    std::int64_t started_us = 0;  ///< When the console started (unix µs).
    mutable std::mutex network_mu;
    NetworkView network;  // guarded by network_mu

    std::int64_t NowMs() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
    }
};

/// {"success":true,"data":...,"duration":ms} with status 200.
api::HttpResponse ConsoleOk(Json data, std::chrono::steady_clock::time_point started);
/// {"success":false,"error":{"code","message"}} with the status of `status.code()`.
api::HttpResponse ConsoleError(const Status& status);
/// A plain JSON answer (Jaeger routes).
api::HttpResponse JsonResponse(int status, const Json& body);

/// GET /console/api/stats.
Json StoreStatsJson(const HttpContext& ctx);

api::HttpResponse HandleOtlp(HttpContext& ctx, const api::HttpRequest& request, OtlpSignal signal);
api::HttpResponse HandleConsoleApi(HttpContext& ctx, const api::HttpRequest& request);
api::HttpResponse HandleJaegerApi(HttpContext& ctx, const api::HttpRequest& request);
/// The UI's files; index.html for the pages' own paths. nullopt when `path` is not the UI's.
std::optional<api::HttpResponse> HandleUi(const HttpContext& ctx, const api::HttpRequest& request);

}  // namespace tome::console::internal
