// RUN: quern-opt %s -verify-diagnostics --quern-recompute=gap=1.5

// expected-error @+1 {{recompute: the gap (1.500000e+00) must be in [0, 1)}}
module {
}
