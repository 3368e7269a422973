// RUN: quern-opt %s -verify-diagnostics --quern-recompute=budget=-5

// expected-error @+1 {{recompute: the budget (-5 bytes) must be positive, or 0 for the least memory}}
module {
}
