#pragma once
// Prometheus' text exposition format (version 0.0.4), written family by family:
//
//   # HELP podvisor_vmi_phase Phase of the VMI (1 for the current one).
//   # TYPE podvisor_vmi_phase gauge
//   podvisor_vmi_phase{namespace="default",name="vm1",phase="Running"} 1
//
// Names are checked (metric [a-zA-Z_:][a-zA-Z0-9_:]*, label [a-zA-Z_][a-zA-Z0-9_]*, no
// reserved "__" prefix), label values escaped (backslash, double quote and newline),
// HELP text escaped (backslash and newline), and a family can be declared only once, so
// whatever the agent feeds in, the output parses. Values: integers as integers, others in shortest round-trip form,
// NaN / +Inf / -Inf spelled as Prometheus expects.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace podvisor::introspect {

/// The metric types this writer emits.
enum class metric_type { gauge, counter };

/// One label: name and (unescaped) value.
using label = std::pair<std::string, std::string>;

/// Builds one exposition text. Not thread-safe; build one per scrape.
class prometheus_text {
public:
  /// Starts a family: its HELP and TYPE lines. Later samples belong to it.
  /// invalid_argument for a bad name or a family declared before.
  error family(std::string_view name, metric_type type, std::string_view help);
  /// One sample of the current family. invalid_argument before any family, for a bad or
  /// repeated label name.
  error sample(const std::vector<label>& labels, double value);
  /// The text so far (every line ends in '\n').
  const std::string& text() const { return text_; }

  /// The Content-Type of this format.
  static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

private:
  std::string text_;
  std::string current_;
  std::vector<std::string> declared_;
};

/// `value` escaped for a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);
/// `value` as Prometheus writes a sample value.
std::string format_sample_value(double value);
/// True for a valid metric name / label name.
bool is_metric_name(std::string_view name);
bool is_label_name(std::string_view name);

} // namespace podvisor::introspect
