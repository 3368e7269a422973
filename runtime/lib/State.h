//===- State.h - Moving model state to and from safetensors -----*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The state buffer is one allocation laid out by the manifest; a state file
// holds the same tensors by name. Loading is strict: resuming training from
// another model's checkpoint, or from one whose shapes changed, would run but
// train nonsense, so any difference in names, dtypes or shapes is an error.
//
// These functions take a Manifest rather than an open model so that they can
// be used and tested without a compiled library.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_RUNTIME_STATE_H
#define QUERN_RUNTIME_STATE_H

#include "Manifest.h"

#include <map>
#include <string>

namespace quern::rt {

/// Which state tensors a file holds: all of them (a checkpoint), or the
/// trained parameters alone (LoRA adapters: role "param", a few MB beside
/// a frozen base that the model's own state file holds).
enum class StatePart { All, Trainable };

/// Copies every state tensor of `part` from the safetensors file at `path`
/// into `state` at its manifest offset; of a sharded tensor, the piece of
/// process `rank` (quern/Shard.h). The file must hold exactly those
/// tensors. Checks everything before writing any byte, so `state` is
/// untouched on failure. Returns a quern_rt_status.
int loadState(const Manifest &manifest, const std::string &path, void *state,
              std::string &error, StatePart part = StatePart::All,
              int64_t rank = 0);

/// Sharded tensors put together from every process's pieces, by name.
using WholeTensors = std::map<std::string, const void *>;

/// Writes the state tensors of `part` found in `state` (sharded ones found
/// in `whole`) to `path` atomically, in manifest order, with metadata
/// {"format": "quern-state"} (or "quern-adapters"). A sharded tensor
/// missing from `whole` is an error. Returns a quern_rt_status.
int saveState(const Manifest &manifest, const std::string &path,
              const void *state, std::string &error,
              StatePart part = StatePart::All, const WholeTensors &whole = {});

/// Puts a sharded tensor together from `pieces`, every process's piece in
/// rank order (`tensor.bytes` each), into `whole` (`tensor.wholeBytes`):
/// where two pieces hold an element, the later one's value is kept, as the
/// training step keeps it in the parameters.
void joinPieces(const StateTensorSpec &tensor, const char *pieces, char *whole);

} // namespace quern::rt

#endif // QUERN_RUNTIME_STATE_H
