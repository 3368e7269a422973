//===- QuernOps.td - quern op definitions ------------------*- tablegen -*-===//
//
// All ops of the quern dialect, one file per family. See QuernDialect.td for
// the ground rules (static shapes, explicit broadcasting).
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_OPS_TD
#define QUERN_OPS_TD

include "dialects/quern/QuernElementwiseOps.td"
include "dialects/quern/QuernContractionOps.td"
include "dialects/quern/QuernReductionOps.td"
include "dialects/quern/QuernShapeOps.td"
include "dialects/quern/QuernIndexingOps.td"
include "dialects/quern/QuernOptimizerOps.td"
include "dialects/quern/QuernExpertOps.td"
include "dialects/quern/QuernQuantOps.td"

#endif // QUERN_OPS_TD
