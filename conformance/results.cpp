#include "conformance/results.h"

#include "core/error.h"

namespace tandem::conformance {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass:
      return "pass";
    case Outcome::Fail:
      return "fail";
    case Outcome::Skip:
      return "skip";
    case Outcome::ExpectedFailure:
      return "xfail";
    case Outcome::UnexpectedPass:
      return "xpass";
  }
  return "?";
}

Outcome outcome_from_name(const std::string& name) {
  for (Outcome outcome : {Outcome::Pass, Outcome::Fail, Outcome::Skip, Outcome::ExpectedFailure,
                          Outcome::UnexpectedPass}) {
    if (name == outcome_name(outcome)) return outcome;
  }
  fail("unknown outcome '" + name + "' (pass, fail, skip, xfail, xpass)");
}

bool is_failure(Outcome outcome) {
  return outcome == Outcome::Fail || outcome == Outcome::UnexpectedPass;
}

std::string LaneReport::label() const {
  if (!available) return backend + " (unavailable)";
  return backend + ":" + device.name;
}

void OutcomeCounts::add(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass:
      ++pass;
      break;
    case Outcome::Fail:
      ++fail;
      break;
    case Outcome::Skip:
      ++skip;
      break;
    case Outcome::ExpectedFailure:
      ++xfail;
      break;
    case Outcome::UnexpectedPass:
      ++xpass;
      break;
  }
}

OutcomeCounts LaneReport::counts() const {
  OutcomeCounts counts;
  for (const CaseResult& result : results) counts.add(result.outcome);
  return counts;
}

bool RunReport::has_failures() const {
  for (const LaneReport& lane : lanes) {
    if (lane.counts().failures() > 0) return true;
  }
  return false;
}

}  // namespace tandem::conformance
