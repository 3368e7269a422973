//===- Npy.h - Reading NumPy .npy files -------------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The .npy format (versions 1-3) is a magic string, a Python dict literal
// giving dtype, memory order and shape, and the raw data. Only what
// np.save writes for plain arrays is accepted: C order, little-endian (or
// one-byte) numeric and bool dtypes. Everything else is an error rather
// than a conversion, because a silently byte-swapped or transposed input
// trains without complaint and only the loss curve would show it.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_NPY_H
#define QUERN_TRAIN_NPY_H

#include "HostArray.h"

#include <string>

namespace quern::train {

/// Reads a whole .npy file. On failure returns false with a message that
/// names the file.
bool readNpy(const std::string &path, HostArray &array, std::string &error);

} // namespace quern::train

#endif // QUERN_TRAIN_NPY_H
