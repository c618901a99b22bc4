#pragma once

namespace tandem::conformance {

// The report page: HTML, CSS and JS in one string. The run's data replaces the marker
// /*TANDEM_DATA*/ (a JSON object) in a <script type="application/json"> element.
const char* html_page_template();

}  // namespace tandem::conformance
