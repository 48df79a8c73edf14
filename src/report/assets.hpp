#pragma once
/// The report's browser assets, compiled into the program from src/report/web (the build
/// generates their definitions), so that a report needs neither the source tree nor a network.
#include <string_view>

namespace mh::report::assets {

/// Chart.js, minified UMD build, as pinned by src/report/web/package-lock.json.
std::string_view chart_js();
/// The report page's own script (src/report/web/report.js).
std::string_view report_js();
/// The report page's style sheet (src/report/web/report.css).
std::string_view report_css();
/// The live page's script (src/report/web/live.js), run after report.js by `metahuman serve`.
std::string_view live_js();

}  // namespace mh::report::assets
