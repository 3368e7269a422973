//===- Files.h - opening the files a run reads and writes -------*- C++ -*-===//
//
// Data comes from strangers: an input is a regular file (a device such as
// /dev/zero, a folder or a pipe has no end to read to), and an output path
// is found writable before the first step, not after the last.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_FILES_H
#define QUERN_TRAIN_FILES_H

#include <cstdio>
#include <string>

namespace quern::train {

/// Opens `path` for binary reading if it is a regular file; null, with the
/// reason in `error` ("cannot open 'P': ..." or "'P' is not a regular
/// file"), otherwise.
std::FILE *openRegularFile(const std::string &path, std::string &error);

/// Whether a file can be written at `path`: it is not a folder, and a
/// temporary file can be created (and is removed) beside it. False with
/// the reason in `error` otherwise.
bool checkWritable(const std::string &path, std::string &error);

} // namespace quern::train

#endif // QUERN_TRAIN_FILES_H
