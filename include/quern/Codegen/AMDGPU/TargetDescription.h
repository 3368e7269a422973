//===- TargetDescription.h - what codegen knows of an AMD GPU ---*- C++ -*-===//

#ifndef QUERN_CODEGEN_AMDGPU_TARGETDESCRIPTION_H
#define QUERN_CODEGEN_AMDGPU_TARGETDESCRIPTION_H

#include <cstdint>
#include <string>

namespace quern {

/// What the AMD GPU pipeline needs to know of the device.
struct AMDGPUDescription {
  /// The chip, as `-mcpu` names it (gfx90a, gfx942, gfx1100).
  std::string chip = "gfx90a";
  /// `-mattr`'s features for the chip (`+feature,-feature`).
  std::string features;
  /// Threads of a wavefront: 64 on CDNA (gfx9), 32 on RDNA (gfx10+).
  int64_t wavefrontSize = 64;
  /// Threads of a workgroup: four wavefronts of 64 (CDNA) or eight of 32
  /// (RDNA).
  int64_t workgroupSize = 256;
};

} // namespace quern

#endif // QUERN_CODEGEN_AMDGPU_TARGETDESCRIPTION_H
