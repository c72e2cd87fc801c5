// The config file's `alerts` blocks: the rules the console evaluates (tome/console/alerts.hpp)
// and where their notifications go. The top-level `alerts` block holds the shipped rules and
// shared settings; an environment's `alerts` block overrides settings and, rule by rule (by
// name), the fields it gives (`enabled: false` turns a rule off; a new name adds a rule).
//
//   alerts:
//     evaluationIntervalMs: 5000
//     alertmanager: http://127.0.0.1:9093     # POST /api/v2/alerts
//     webhooks: [http://127.0.0.1:5001/hook]  # Alertmanager's webhook payload, version "4"
//     resendIntervalMs: 60000
//     detectAnomalies: true
//     rules:
//       - name: OrderProcessingSlow
//         expr: {metric: order.duration, unit: s, stat: p95}
//         op: ">"                 # or "<"
//         threshold: 0.5          # or baseline: {span: 15m, mads: 5, minRatio: 1.5, minSlices: 5}
//         window: 1m
//         for: 1m
//         labels: {severity: warning}
//         annotations: {summary: "...", description: "... {{value}} ..."}
//         traces: {service: tome, operation: order.workflow, minDuration: 500ms}
//
// An expression is one quantity, {sum: [quantities]} or {numerator: quantity-or-sum,
// denominator: quantity}; a quantity is {metric, unit, match: {attr: value-or-list}, stat} or
// {service, operation | edge, stat} (RED from spans). Durations are "500ms", "30s", "1m" or
// milliseconds. Every error reads "FILE:LINE: what is wrong". Pure functions.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "tome/console/alerts.hpp"
#include "tome/core/status.hpp"

namespace tome::app {

/// Applies one `alerts` block (`where` names it in errors: "alerts", "development.alerts") to
/// `alerting`. Rules are checked with console::ValidateRule once every block is read
/// (FinishAlerting), since an override may complete a rule.
Status ReadAlertsBlock(const std::string& file, const YAML::Node& block, const std::string& where,
                       console::AlertingOptions& alerting);

/// Drops disabled rules and validates the rest (FILE:LINE of the rule and the reason).
Status FinishAlerting(console::AlertingOptions& alerting);

}  // namespace tome::app
