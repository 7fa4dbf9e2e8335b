// Go-style durations ("300ms", "1.5h", "2h45m", "9.99s"), as Consul's config and query parameters
// use.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace consulate {

using Duration = std::chrono::nanoseconds;

// Parses Go's time.ParseDuration syntax. A bare "0" is allowed; other numbers need a unit
// (ns, us, µs, ms, s, m, h). Negative durations are accepted ("-1s").
Result<Duration> ParseGoDuration(std::string_view text);

// Formats like Go's Duration.String(): "1h2m3.5s", "150ms", "0s".
std::string FormatGoDuration(Duration d);

}  // namespace consulate
