// RUN: not quern-opt %s --quern-quantize 2>&1 | FileCheck %s --check-prefix=QUANTIZE
// RUN: not quern-opt %s --quern-lora 2>&1 | FileCheck %s --check-prefix=LORA

// quern-quantize and quern-lora rewrite @forward; a module without one is
// an error.
// QUANTIZE: error: no @forward function to quantize
// LORA: error: no @forward function to adapt
func.func @other() {
  return
}
