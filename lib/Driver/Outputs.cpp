//===- Outputs.cpp - all of a compilation's files or none -------*- C++ -*-===//

#include "Artifacts.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <unistd.h>

using namespace llvm;
using namespace quern;

/// The folders the current compilation created, innermost last, for the
/// interrupt handler (SIGINT, SIGTERM): LLVM's removes the temporary files
/// registered with it, then calls removeCreatedFolders.
static std::vector<std::string> *createdFolders = nullptr;

static void removeCreatedFolders() {
  if (createdFolders)
    for (const std::string &folder : llvm::reverse(*createdFolders))
      ::rmdir(folder.c_str());
  // As a process killed by the signal would (128 + SIGINT).
  std::_Exit(130);
}

OutputSet::~OutputSet() {
  createdFolders = nullptr;
  for (const auto &[temporary, final] : files)
    sys::DontRemoveFileOnSignal(temporary);
  if (committed)
    return;
  for (const auto &[temporary, final] : files)
    sys::fs::remove(temporary);
  for (const std::string &directory : llvm::reverse(createdDirectories))
    sys::fs::remove(directory);
}

bool OutputSet::prepare(std::string &error) {
  SmallString<256> directory(stem);
  sys::path::remove_filename(directory);
  if (directory.empty())
    return true;
  // Remember which folders this call makes, innermost last.
  SmallVector<std::string> missing;
  for (SmallString<256> path = directory;
       !path.empty() && !sys::fs::exists(path);
       sys::path::remove_filename(path))
    missing.push_back(path.str().str());
  // The handler knows the folders before they exist: an interrupt right
  // after they are made removes them too (removing one not yet made fails
  // harmlessly).
  createdDirectories.assign(missing.rbegin(), missing.rend());
  createdFolders = &createdDirectories;
  sys::SetInterruptFunction(removeCreatedFolders);
  if (std::error_code code = sys::fs::create_directories(directory)) {
    error = "cannot create " + directory.str().str() + ": " + code.message();
    return false;
  }
  return true;
}

std::string OutputSet::add(StringRef extension) {
  std::string final = stem + "." + extension.str();
  SmallString<256> temporary(final);
  temporary += formatv(".tmp{0}", sys::Process::getProcessId()).str();
  files.emplace_back(temporary.str().str(), final);
  sys::RemoveFileOnSignal(files.back().first);
  return files.back().first;
}

bool OutputSet::write(StringRef extension, StringRef contents,
                      std::string &error) {
  std::string path = add(extension);
  std::error_code code;
  raw_fd_ostream out(path, code, sys::fs::OF_None);
  if (!code) {
    out << contents;
    out.close();
    if (!out.has_error())
      return true;
    code = out.error();
  }
  error = "cannot write " + path + ": " + code.message();
  return false;
}

bool OutputSet::commit(std::string &error) {
  for (const auto &[temporary, final] : files)
    if (std::error_code code = sys::fs::rename(temporary, final)) {
      error = "cannot write " + final + ": " + code.message();
      return false;
    }
  committed = true;
  return true;
}
