// The conformance runner lands with its issue.
