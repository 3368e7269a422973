//===- Link.cpp - linking objects into shared libraries ---------*- C++ -*-===//
//
// lld is run as a program: the generated code needs nothing beyond libm and
// LLVM's OpenMP runtime, and a shared library needs no start files, so no C
// compiler driver is needed.
//
//===----------------------------------------------------------------------===//

#include "quern/Target/Target.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

/// Where Debian's libomp5-19 puts libomp.so.5, on every architecture.
static constexpr StringLiteral kOpenMPDir = "/usr/lib/llvm-19/lib";

/// libSystem's functions that generated code calls (the C library's and
/// libm's that LLVM emits calls to, the few the entry points use, and
/// libdispatch's for threads), as a text-based stub for ld64.lld.
static constexpr StringLiteral kLibSystemStub = R"(--- !tapi-tbd
tbd-version:     4
targets:         [ arm64-macos, x86_64-macos ]
install-name:    '/usr/lib/libSystem.B.dylib'
current-version: 1319
exports:
  - targets:         [ arm64-macos, x86_64-macos ]
    symbols:         [ ___bzero, ___chkstk_darwin, _atoi, _bzero,
                       _clock_gettime, _dispatch_apply_f, _getenv,
                       _memcpy, _memmove, _memset, _memset_pattern16,
                       _sysconf,
                       _acosf, _asinf, _atan2f, _atanf, _cbrtf, _ceilf,
                       _copysignf, _cosf, _coshf, _erff, _exp2f, _expf,
                       _expm1f, _fabsf, _floorf, _fmaf, _fmaxf, _fminf,
                       _fmodf, _log10f, _log1pf, _log2f, _logf,
                       _nearbyintf, _powf, _rintf, _roundf, _sinf,
                       _sinhf, _sqrtf, _tanf, _tanhf, _truncf ]
...
)";

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

std::string quern::openMPRuntime(const TargetSpec &spec) {
  Triple triple(spec.triple);
  if (!triple.isOSLinux())
    return "";
  if (triple.getArch() == Triple(sys::getProcessTriple()).getArch())
    return kOpenMPDir.str();
  std::string dir = spec.sysroot + "/lib";
  return sys::fs::exists(dir + "/libomp.so.5") ? dir : "";
}

bool quern::linkSharedLibrary(StringRef objectPath, StringRef outputPath,
                              StringRef name, const TargetSpec &spec,
                              bool openmp, std::string &error) {
  Triple triple(spec.triple);
  std::vector<std::string> args;
  std::string linker;
  // Apple: the C library and libm are libSystem, linked through a text
  // stub of the functions generated code may call; one that is not in it
  // (a Linux-only call) is a link error here, not a load error on a Mac.
  SmallString<128> stubDir;
  auto removeStubs = llvm::make_scope_exit([&] {
    if (!stubDir.empty())
      sys::fs::remove_directories(stubDir);
  });
  if (triple.isOSDarwin()) {
    linker = findProgram({"ld64.lld-19", "ld64.lld"});
    if (std::error_code code =
            sys::fs::createUniqueDirectory("quern-libsystem", stubDir)) {
      error = "cannot create a temporary folder: " + code.message();
      return false;
    }
    std::error_code code;
    raw_fd_ostream stub((stubDir + "/libSystem.tbd").str(), code);
    if (!code) {
      stub << kLibSystemStub;
      stub.close();
    }
    if (code || stub.has_error()) {
      error = "cannot write " + (stubDir + "/libSystem.tbd").str();
      return false;
    }
    // The macOS version (darwin23 is macOS 14).
    VersionTuple version;
    triple.getMacOSXVersion(version);
    std::string minimum = version.getAsString();
    args = {linker,
            "-dylib",
            "-arch",
            triple.getArchName().str(),
            "-platform_version",
            "macos",
            minimum,
            minimum,
            "-install_name",
            ("@rpath/" + name + ".dylib").str(),
            "-exported_symbol",
            ("_" + name + "_*").str(),
            "-L" + stubDir.str().str(),
            "-lSystem"};
  } else {
    linker = findProgram({"ld.lld-19", "ld.lld"});
    args = {linker, "-shared", "-soname",        (name + ".so").str(),
            "-z",   "now",     "--build-id=sha1"};
  }
  if (linker.empty()) {
    error = "cannot find the lld linker (install lld-19)";
    return false;
  }
  args.insert(args.end(), {objectPath.str(), "-o", outputPath.str()});
  if (!triple.isOSDarwin()) {
    // Math functions the code calls (expf, tanhf) come from the target's
    // libm: the host's, in Debian's multiarch folders, or the sysroot's.
    std::string multiarch = multiarchName(triple);
    std::vector<std::string> dirs =
        spec.sysroot.empty()
            ? std::vector<std::string>{"/usr/lib/" + multiarch,
                                       "/lib/" + multiarch}
            : std::vector<std::string>{spec.sysroot + "/lib",
                                       spec.sysroot + "/usr/lib"};
    for (const std::string &dir : dirs)
      if (sys::fs::is_directory(dir))
        args.push_back("-L" + dir);
    args.insert(args.end(), {"--as-needed", "-lm"});
    // Where the library runs, Debian's libomp5-19 is in kOpenMPDir, on any
    // architecture (and linked into the multiarch folder).
    if (openmp)
      args.insert(args.end(), {"-L" + openMPRuntime(spec), "-rpath",
                               kOpenMPDir.str(), "-l:libomp.so.5"});
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
