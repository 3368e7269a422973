//===- Link.cpp - linking objects into shared libraries ---------*- C++ -*-===//
//
// lld is run as a program: the generated code needs nothing beyond libm and
// LLVM's OpenMP runtime, and a shared library needs no start files, so no C
// compiler driver is needed.
//
//===----------------------------------------------------------------------===//

#include "quern/Target/Target.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

using namespace llvm;

/// Where Debian's libomp-19-dev puts libomp.so.
static constexpr StringLiteral kOpenMPDir = "/usr/lib/llvm-19/lib";

/// The first of `names` on PATH or in LLVM 19's bin directory.
static std::string findProgram(ArrayRef<StringRef> names) {
  for (StringRef name : names) {
    if (ErrorOr<std::string> path = sys::findProgramByName(name))
      return *path;
    if (ErrorOr<std::string> path =
            sys::findProgramByName(name, {"/usr/lib/llvm-19/bin"}))
      return *path;
  }
  return "";
}

bool quern::linkSharedLibrary(StringRef objectPath, StringRef outputPath,
                              const Triple &triple, bool openmp,
                              std::string &error) {
  std::vector<std::string> args;
  std::string linker;
  if (triple.isOSDarwin()) {
    linker = findProgram({"ld64.lld-19", "ld64.lld"});
    args = {linker,
            "-dylib",
            "-arch",
            triple.getArchName().str(),
            "-platform_version",
            "macos",
            "14.0",
            "14.0",
            "-undefined",
            "dynamic_lookup"};
  } else {
    linker = findProgram({"ld.lld-19", "ld.lld"});
    args = {linker, "-shared", "-z", "now", "--build-id=sha1"};
  }
  if (linker.empty()) {
    error = "cannot find the lld linker (install lld-19)";
    return false;
  }
  args.insert(args.end(), {objectPath.str(), "-o", outputPath.str()});
  if (!triple.isOSDarwin()) {
    // Math functions the code calls (expf, tanhf) come from the target's
    // libm, found in Debian's multiarch folders (native or cross).
    std::string multiarch =
        (triple.getArchName() + "-linux-" + triple.getEnvironmentName()).str();
    for (std::string dir : {"/usr/lib/" + multiarch, "/lib/" + multiarch,
                            "/usr/" + multiarch + "/lib"})
      if (sys::fs::is_directory(dir))
        args.push_back("-L" + dir);
    args.insert(args.end(), {"--as-needed", "-lm"});
    if (openmp)
      args.insert(args.end(), {"-L" + std::string(kOpenMPDir), "-rpath",
                               std::string(kOpenMPDir), "-lomp"});
  }
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  // lld's messages are collected, so that a failure is one line: quernc's,
  // with lld's first error in it.
  SmallString<128> log;
  if (std::error_code code =
          sys::fs::createTemporaryFile("quern-link", "log", log)) {
    error = "cannot create a temporary file: " + code.message();
    return false;
  }
  FileRemover removeLog(log);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string message;
  int status = sys::ExecuteAndWait(linker, argRefs, std::nullopt, redirects, 0,
                                   0, &message);
  if (status != 0) {
    std::string reason = message;
    if (ErrorOr<std::unique_ptr<MemoryBuffer>> output =
            MemoryBuffer::getFile(log)) {
      SmallVector<StringRef> lines;
      (*output)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
      auto first = llvm::find_if(
          lines, [](StringRef line) { return line.contains("error:"); });
      if (first != lines.end())
        reason = first->trim().str();
      else if (!lines.empty())
        reason = lines.front().trim().str();
    }
    error = "linking " + outputPath.str() + " failed" +
            (reason.empty() ? "" : ": " + reason);
    return false;
  }
  return true;
}
