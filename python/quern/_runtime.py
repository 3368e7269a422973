"""A compiled model, called through libquern_rt's C API (runtime.h) with
ctypes: the state and workspace live in buffers libquern_rt allocates, the
state's tensors are numpy views of them, and inputs are passed by pointer
(numpy arrays, anything with __array__, or DLPack: torch tensors)."""
import ctypes
import json
import os
import shutil
import weakref

import numpy as np

from . import _config

DTYPES = {
    "f32": np.float32, "f64": np.float64, "f16": np.float16,
    # numpy has no bfloat16: its raw 16-bit patterns.
    "bf16": np.uint16,
    "i64": np.int64, "i32": np.int32, "i16": np.int16, "i8": np.int8,
    "u64": np.uint64, "u32": np.uint32, "u16": np.uint16, "u8": np.uint8,
    "bool": np.bool_,
}
FORWARD, TRAIN_STEP = 0, 1


class QuernError(Exception):
    """A call into libquern_rt failed (a file, a mismatched checkpoint, an
    input of the wrong shape...)."""


class _TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_char_p),
                ("rank", ctypes.c_size_t),
                ("dims", ctypes.POINTER(ctypes.c_int64)),
                ("bytes", ctypes.c_size_t), ("role", ctypes.c_char_p),
                ("offset", ctypes.c_size_t)]


def _library():
    lib = ctypes.CDLL(_config.LIBQUERN_RT)
    model_p, info_p = ctypes.c_void_p, ctypes.POINTER(_TensorInfo)
    signatures = {
        "quern_rt_last_error": (ctypes.c_char_p, []),
        "quern_rt_model_open": (ctypes.c_int, [ctypes.c_char_p,
                                               ctypes.POINTER(ctypes.c_void_p)]),
        "quern_rt_model_close": (None, [model_p]),
        "quern_rt_model_name": (ctypes.c_char_p, [model_p]),
        "quern_rt_model_manifest": (ctypes.c_char_p, [model_p]),
        "quern_rt_model_state_bytes": (ctypes.c_size_t, [model_p]),
        "quern_rt_model_workspace_bytes": (ctypes.c_size_t, [model_p]),
        "quern_rt_model_has_entry": (ctypes.c_int, [model_p, ctypes.c_int]),
        "quern_rt_entry_num_inputs": (ctypes.c_size_t, [model_p, ctypes.c_int]),
        "quern_rt_entry_num_outputs": (ctypes.c_size_t, [model_p, ctypes.c_int]),
        "quern_rt_entry_input": (ctypes.c_int, [model_p, ctypes.c_int,
                                                ctypes.c_size_t, info_p]),
        "quern_rt_entry_output": (ctypes.c_int, [model_p, ctypes.c_int,
                                                 ctypes.c_size_t, info_p]),
        "quern_rt_state_num_tensors": (ctypes.c_size_t, [model_p]),
        "quern_rt_state_tensor": (ctypes.c_int, [model_p, ctypes.c_size_t,
                                                 info_p]),
        "quern_rt_alloc": (ctypes.c_void_p, [ctypes.c_size_t]),
        "quern_rt_free": (None, [ctypes.c_void_p]),
        "quern_rt_state_load": (ctypes.c_int, [model_p, ctypes.c_char_p,
                                               ctypes.c_void_p]),
        "quern_rt_state_save": (ctypes.c_int, [model_p, ctypes.c_char_p,
                                               ctypes.c_void_p]),
        "quern_rt_adapters_save": (ctypes.c_int, [model_p, ctypes.c_char_p,
                                                  ctypes.c_void_p]),
        "quern_rt_adapters_load": (ctypes.c_int, [model_p, ctypes.c_char_p,
                                                  ctypes.c_void_p]),
        "quern_rt_forward": (ctypes.c_int, [model_p, ctypes.c_void_p,
                                            ctypes.c_void_p, ctypes.c_void_p,
                                            ctypes.c_void_p]),
        "quern_rt_train_step": (ctypes.c_int, [model_p, ctypes.c_void_p,
                                               ctypes.c_void_p, ctypes.c_void_p,
                                               ctypes.c_void_p]),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = result, arguments
    return lib


_lib = None


def _rt():
    global _lib
    if _lib is None:
        _lib = _library()
    return _lib


def _check(status):
    if status != 0:
        raise QuernError(_rt().quern_rt_last_error().decode())


def _open(model):
    """The model's handle; a QuernError once it is closed."""
    if not model._handle:
        raise QuernError(f"model '{model.name}' is closed")
    return model._handle


def _owned_buffer(size):
    """`size` zeroed, 64-byte aligned bytes from libquern_rt as a uint8
    numpy array, and their address. The memory is freed when the last
    array viewing it is gone (a state_dict() view outlives a closed model
    safely), not before."""
    pointer = _rt().quern_rt_alloc(size)
    if not pointer:
        raise MemoryError(f"libquern_rt could not allocate {size} bytes")
    memory = (ctypes.c_uint8 * size).from_address(pointer)
    weakref.finalize(memory, _rt().quern_rt_free, pointer)
    return np.frombuffer(memory, dtype=np.uint8), pointer


class _Tensor:
    def __init__(self, info):
        self.name = info.name.decode()
        self.dtype = np.dtype(DTYPES[info.dtype.decode()])
        self.dtype_name = info.dtype.decode()
        self.shape = tuple(info.dims[i] for i in range(info.rank))
        self.bytes = info.bytes
        self.role = info.role.decode() if info.role else None
        self.offset = info.offset


def _as_array(value):
    """`value` as a numpy array without a copy where it can: DLPack first
    (torch tensors on the CPU), then __array__."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "__dlpack__") and hasattr(np, "from_dlpack"):
        try:
            return np.from_dlpack(value)
        except (TypeError, RuntimeError, BufferError):
            pass  # e.g. a tensor that requires grad: through __array__.
    if hasattr(value, "detach"):  # a torch tensor that requires grad
        value = value.detach()
    return np.asarray(value)


class Model:
    """A compiled model: its state (parameters, frozen weights, optimizer
    state) in one buffer, loaded from NAME.safetensors at open."""

    def __init__(self, so_path):
        self._handle = None
        self._temporary = None
        handle = ctypes.c_void_p()
        _check(_rt().quern_rt_model_open(os.fsencode(so_path),
                                         ctypes.byref(handle)))
        self._handle = handle
        self.path = os.path.abspath(so_path)
        self.name = _rt().quern_rt_model_name(handle).decode()
        self.manifest = json.loads(_rt().quern_rt_model_manifest(handle))
        rt = _rt()
        self._state_bytes = rt.quern_rt_model_state_bytes(handle)
        self._workspace_bytes = rt.quern_rt_model_workspace_bytes(handle)
        try:
            self._state, self._state_ptr = _owned_buffer(self._state_bytes)
            self._workspace, self._workspace_ptr = _owned_buffer(
                self._workspace_bytes)
        except MemoryError:
            self.close()
            raise
        info = _TensorInfo()
        self._tensors = []
        for index in range(rt.quern_rt_state_num_tensors(handle)):
            _check(rt.quern_rt_state_tensor(handle, index, ctypes.byref(info)))
            self._tensors.append(_Tensor(info))
        self._entries = {}
        for entry in (FORWARD, TRAIN_STEP):
            if not rt.quern_rt_model_has_entry(handle, entry):
                continue
            lists = []
            for count, describe in (
                    (rt.quern_rt_entry_num_inputs, rt.quern_rt_entry_input),
                    (rt.quern_rt_entry_num_outputs, rt.quern_rt_entry_output)):
                tensors = []
                for index in range(count(handle, entry)):
                    _check(describe(handle, entry, index, ctypes.byref(info)))
                    tensors.append(_Tensor(info))
                lists.append(tensors)
            self._entries[entry] = lists
        state_file = os.path.splitext(so_path)[0] + ".safetensors"
        if self._state_bytes:
            self.load(state_file)

    # -- State --------------------------------------------------------------

    def state_dict(self, optimizer=False):
        """name -> numpy view of the state buffer (no copy: writing to a view
        changes the model; a view keeps the buffer alive after close()).
        Parameters and frozen weights; with optimizer=True also the
        optimizer's state tensors."""
        return {t.name: self._view(t) for t in self._tensors
                if optimizer or t.role != "optimizer"}

    def _view(self, tensor):
        raw = self._state[tensor.offset:tensor.offset + tensor.bytes]
        return raw.view(tensor.dtype).reshape(tensor.shape)

    def load_state_dict(self, tensors, strict=True):
        """Copies arrays (numpy, torch tensors, anything array-like) into the
        state by name. With strict, every parameter and frozen weight must be
        given and no other name."""
        by_name = {t.name: t for t in self._tensors}
        unknown = sorted(set(tensors) - set(by_name))
        missing = sorted(t.name for t in self._tensors
                         if t.role != "optimizer" and t.name not in tensors)
        if strict and (unknown or missing):
            raise KeyError(f"load_state_dict: unknown {unknown}, missing "
                           f"{missing}")
        for name, value in tensors.items():
            if name not in by_name:
                continue
            tensor = by_name[name]
            array = _as_array(value)
            if tuple(array.shape) != tensor.shape:
                raise ValueError(f"{name}: shape {tuple(array.shape)}, the "
                                 f"model's is {tensor.shape}")
            self._view(tensor)[...] = _converted(array, tensor, name)

    def save(self, path):
        """Writes the whole state as safetensors (atomically): a checkpoint
        quern-train --resume reads, and quern-train's checkpoints load."""
        _check(_rt().quern_rt_state_save(_open(self), os.fsencode(path),
                                         self._state_ptr))

    def load(self, path):
        """Fills the state from a safetensors file of this model's tensors:
        NAME.safetensors, a checkpoint of quern-train or of save()."""
        _check(_rt().quern_rt_state_load(_open(self), os.fsencode(path),
                                         self._state_ptr))

    def save_adapters(self, path):
        """The trained parameters alone (LoRA adapters), as quern-train
        --save-adapters writes them."""
        _check(_rt().quern_rt_adapters_save(_open(self), os.fsencode(path),
                                            self._state_ptr))

    def load_adapters(self, path):
        _check(_rt().quern_rt_adapters_load(_open(self), os.fsencode(path),
                                            self._state_ptr))

    # -- Running ------------------------------------------------------------

    def inputs(self, train=False):
        """The inputs of the forward (or train_step) entry point, in order:
        name -> (shape, numpy dtype)."""
        entry = TRAIN_STEP if train else FORWARD
        return {t.name: (t.shape, t.dtype)
                for t in self._entries.get(entry, [[], []])[0]}

    def outputs(self, train=False):
        """The outputs, as inputs() describes the inputs."""
        entry = TRAIN_STEP if train else FORWARD
        return {t.name: (t.shape, t.dtype)
                for t in self._entries.get(entry, [[], []])[1]}

    def _call(self, entry, values):
        if entry not in self._entries:
            raise QuernError(
                f"model '{self.name}' has no "
                f"{'train_step' if entry == TRAIN_STEP else 'forward'} entry "
                f"point" + (" (compile it with train=True)"
                            if entry == TRAIN_STEP else ""))
        inputs, outputs = self._entries[entry]
        given = set(values)
        expected = [t.name for t in inputs]
        if given != set(expected):
            raise TypeError(f"inputs {sorted(given)} given; the model takes "
                            f"{expected}")
        arrays = []
        for tensor in inputs:
            array = _converted(_as_array(values[tensor.name]), tensor,
                               f"input '{tensor.name}'")
            if tuple(array.shape) != tensor.shape:
                raise ValueError(f"input '{tensor.name}' has shape "
                                 f"{tensor.shape}; got {tuple(array.shape)}")
            arrays.append(np.ascontiguousarray(array))
        results = [np.empty(t.shape, t.dtype) for t in outputs]
        input_ptrs = (ctypes.c_void_p * max(len(arrays), 1))(
            *[a.ctypes.data for a in arrays])
        output_ptrs = (ctypes.c_void_p * max(len(results), 1))(
            *[r.ctypes.data for r in results])
        call = (_rt().quern_rt_train_step if entry == TRAIN_STEP
                else _rt().quern_rt_forward)
        _check(call(_open(self), self._state_ptr, self._workspace_ptr,
                    input_ptrs, output_ptrs))
        return {t.name: r for t, r in zip(outputs, results)}

    def forward(self, **inputs):
        """Runs the forward entry point: a dict of output name -> array."""
        return self._call(FORWARD, inputs)

    def train_step(self, lr, **inputs):
        """One training step at learning rate `lr` (forward, gradients,
        update of the state in place); returns the loss as a float."""
        if "lr" in self.inputs(train=True):
            inputs = dict(inputs, lr=np.float32(lr))
        outputs = self._call(TRAIN_STEP, inputs)
        return float(next(iter(outputs.values())))

    # -- Lifetime -----------------------------------------------------------

    def close(self):
        """Unloads the library. The state's memory goes with the last
        view of it."""
        if getattr(self, "_handle", None):
            _rt().quern_rt_model_close(self._handle)
            self._handle = None
            self._state = self._workspace = None
        if getattr(self, "_temporary", None):
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def __del__(self):
        self.close()

    def __repr__(self):
        entries = [name for entry, name in ((FORWARD, "forward"),
                                            (TRAIN_STEP, "train_step"))
                   if entry in self._entries]
        return (f"<quern.Model '{self.name}' {'+'.join(entries)}, "
                f"{len(self._tensors)} state tensors>")


def _converted(array, tensor, what):
    """`array` in `tensor`'s element type: as it is, or from another float
    type to a float one; anything else (a float into integer codes, into
    bfloat16's raw bits) is a TypeError, not a silent truncation."""
    if array.dtype == tensor.dtype:
        return array
    if (array.dtype.kind == "f" and tensor.dtype.kind == "f"
            and tensor.dtype_name != "bf16"):
        return array.astype(tensor.dtype)
    raise TypeError(f"{what} is {tensor.dtype_name}; got {array.dtype}")


def load(so_path):
    """Opens a model quernc compiled (NAME.so, with NAME.safetensors)."""
    return Model(so_path)
