// RUN: quern-opt %s -split-input-file -verify-diagnostics

// The quern.* attributes the stages leave for one another
// (dialects/quern/QuernAttributes.h) are checked when the IR is read, so
// hand-written IR with a malformed one gets a diagnostic, not a crash in a
// later pass.

// A parameter is {name, trainable}.
// expected-error @+1 {{'func.func' op argument 0: 'quern.param' must be {name = <non-empty string>, trainable = <bool>}}}
func.func @param_not_dictionary(%w: tensor<4xf32> {quern.param = "w"}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.param' must be {name = <non-empty string>, trainable = <bool>}}}
func.func @param_without_trainable(%w: tensor<4xf32> {quern.param = {name = "w"}}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.param' must be {name = <non-empty string>, trainable = <bool>}}}
func.func @param_trainable_not_bool(%w: tensor<4xf32> {quern.param = {name = "w", trainable = 1 : i64}}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.param' must be {name = <non-empty string>, trainable = <bool>}}}
func.func @param_empty_name(%w: tensor<4xf32> {quern.param = {name = "", trainable = true}}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.param' must be {name = <non-empty string>, trainable = <bool>}}}
func.func @param_extra_field(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true, lr = 1.0}}) {
  return
}

// -----

// Optimizer state is {name, role}.
// expected-error @+1 {{argument 1: 'quern.state' must be {name = <non-empty string>, role = <non-empty string>}}}
func.func @state_without_role(%x: tensor<4xf32>, %m: tensor<4xf32> {quern.state = {name = "w.exp_avg"}}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.name' must be a non-empty string}}
func.func @name_not_string(%x: tensor<4xf32> {quern.name = 3 : i64}) {
  return
}

// -----

// expected-error @+1 {{result 0: 'quern.name' must be a non-empty string}}
func.func @result_name_empty(%x: tensor<4xf32>) -> (tensor<4xf32> {quern.name = ""}) {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{argument 0: 'quern.workspace' must be a unit attribute}}
func.func @workspace_not_unit(%w: memref<64xi8> {quern.workspace = true}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.weights' is not an argument attribute of quern}}
func.func @unknown_argument_attribute(%x: tensor<4xf32> {quern.weights}) {
  return
}

// -----

// An update names an argument of the result's type.
// expected-error @+1 {{result 0: 'quern.updates' must be the index of an argument of the function}}
func.func @updates_out_of_range(%w: tensor<4xf32>) -> (tensor<4xf32> {quern.updates = 1 : i64}) {
  return %w : tensor<4xf32>
}

// -----

// expected-error @+1 {{result 0: 'quern.updates' names argument 0 of type 'tensor<4xf32>', not the result's type 'tensor<2xf32>'}}
func.func @updates_other_type(%w: tensor<4xf32>, %v: tensor<2xf32>) -> (tensor<2xf32> {quern.updates = 0 : i64}) {
  return %v : tensor<2xf32>
}

// -----

// expected-error @+1 {{result 0: 'quern.param' is not a result attribute of quern}}
func.func @param_on_result(%x: tensor<4xf32>) -> (tensor<4xf32> {quern.param = {name = "x", trainable = true}}) {
  return %x : tensor<4xf32>
}

// -----

// Code generation's attributes on ops and functions.
func.func @strategy_not_dictionary(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<4x4xf32>) {
  // expected-error @+1 {{'linalg.matmul' op 'quern.strategy' must be a dictionary}}
  linalg.matmul {quern.strategy = "tile"} ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>)
  return
}

// -----

// expected-error @+1 {{'func.func' op 'quern.workspace_bytes' must be an integer}}
func.func @workspace_bytes_not_integer() attributes {quern.workspace_bytes = "64"} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'quern.kept_for_backward_bytes' must be an integer}}
func.func @kept_bytes_not_integer() attributes {quern.kept_for_backward_bytes = [64]} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'quern.recompute' must be {flops, gap, solve_seconds, estimated_peak, estimated_peak_keeping_all, values = [{bytes, name, op, flops}, ...]}}}
func.func @recompute_value_without_flops() attributes {quern.recompute = {flops = 1 : i64, gap = 0.0 : f64, solve_seconds = 0.0 : f64, estimated_peak = 8 : i64, estimated_peak_keeping_all = 16 : i64, values = [{bytes = 8 : i64, name = "n", op = "Tanh"}]}} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'quern.kept_for_backward' must be an array of {bytes, name, op}}}
func.func @kept_without_op() attributes {quern.kept_for_backward = [{bytes = 8 : i64, name = "n"}]} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'quern.peak' must be {bytes, name, op, count, buffers = [{bytes, name, op}, ...]}}}
func.func @peak_without_buffers() attributes {quern.peak = {bytes = 8 : i64, name = "n", op = "Tanh", count = 1 : i64}} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'quern.kernel' must be a dictionary}}
func.func private @kernel_not_dictionary() attributes {quern.kernel = [1, 2]}

// -----

func.func @panel_pack_not_unit(%a: memref<4x4xf32>, %b: memref<4x4xf32>) {
  // expected-error @+1 {{'linalg.copy' op 'quern.panel_pack' must be a unit attribute}}
  linalg.copy {quern.panel_pack = 1 : i64} ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>)
  return
}

// -----

func.func @reduction_tiles_not_unit(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'scf.for' op 'quern.reduction_tiles' must be a unit attribute}}
  scf.for %i = %c0 to %n step %c1 {
  } {quern.reduction_tiles = true}
  return
}

// -----

func.func @vector_sizes_not_array(%a: memref<4x4xf32>, %b: memref<4x4xf32>) {
  // expected-error @+1 {{'linalg.copy' op 'quern.vector_sizes' must be an array of i64}}
  linalg.copy {quern.vector_sizes = [4, 4]} ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>)
  return
}

// -----

func.func @unknown_op_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.neg' op 'quern.fused' is not an attribute of quern}}
  %0 = quern.neg %x {quern.fused} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{'builtin.module' op 'quern.expert_blocks' must be an array of {loc, experts, groups, k, tile_rows, rows, dense_flops, fused_flops} on a module}}
module attributes {quern.expert_blocks = [{experts = 4}]} {
}

// -----

// expected-error @+1 {{argument 0: 'quern.quantized' must be {of = <non-empty string>, part = "codes" | "scales" | "scale_codes" | "scale_scales" | "scale_offset", scheme = "nf4" | "int4" | "int8", block = <positive integer>, double_quant = <bool>, shape = <array of positive i64>}}}
func.func @quantized_scheme(%c: tensor<512xi8> {quern.quantized = {of = "w", part = "codes", scheme = "nf5", block = 64, double_quant = false, shape = array<i64: 32, 32>}}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.quantized' must be {of = <non-empty string>, part = "codes" | "scales" | "scale_codes" | "scale_scales" | "scale_offset", scheme = "nf4" | "int4" | "int8", block = <positive integer>, double_quant = <bool>, shape = <array of positive i64>}}}
func.func @quantized_fields(%c: tensor<512xi8> {quern.quantized = {of = "w", part = "codes", scheme = "nf4", block = 64}}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.initial' must be {uniform_bound = <positive float>}}}
func.func @initial(%a: tensor<4x32xf32> {quern.initial = {uniform_bound = -1.0 : f64}}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.shard' must be {processes = <integer >= 2>, shape = <array of positive i64>}}}
func.func @shard_processes(%m: tensor<8xf32> {quern.shard = {processes = 1 : i64, shape = array<i64: 4, 4>}}) {
  return
}

// -----

// expected-error @+1 {{argument 0: 'quern.shard' must be {processes = <integer >= 2>, shape = <array of positive i64>}}}
func.func @shard_fields(%m: tensor<8xf32> {quern.shard = {processes = 2 : i64}}) {
  return
}
