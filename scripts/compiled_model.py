"""A model compiled by quernc, called through its C ABI with ctypes.

Used by the benchmarks and the numerical tests: loads NAME.so, reads the
embedded manifest, lays out the state buffer from NAME.safetensors, and
calls NAME_forward / NAME_train_step with numpy arrays.
"""
import ctypes
import json
import os
import struct

import numpy as np

DTYPES = {
    "f32": np.float32, "f64": np.float64, "f16": np.float16,
    "i64": np.int64, "i32": np.int32, "i16": np.int16, "i8": np.int8,
    "u64": np.uint64, "u32": np.uint32, "u16": np.uint16, "u8": np.uint8,
    "bool": np.bool_,
}


def aligned(nbytes):
    """A zeroed byte buffer whose data is 64-byte aligned."""
    raw = np.zeros(nbytes + 64, dtype=np.uint8)
    offset = (-raw.ctypes.data) % 64
    return raw[offset:offset + nbytes]


def read_safetensors(path):
    """name -> numpy array."""
    with open(path, "rb") as f:
        header_len = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_len))
        data = f.read()
    arrays = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arrays[name] = np.frombuffer(
            data[begin:end], dtype=DTYPES[info["dtype"].lower()]).reshape(
                info["shape"])
    return arrays


def state_view(state, manifest, name):
    """A view of one tensor of a state buffer laid out as `manifest` says."""
    for t in manifest["state"]["tensors"]:
        if t["name"] == name:
            view = state[t["offset"]:t["offset"] + t["bytes"]]
            return view.view(DTYPES[t["dtype"]]).reshape(t["shape"])
    raise KeyError(name)


def initial_state(manifest, path):
    """The state buffer of a model whose manifest is `manifest`, filled from
    its state file (NAME.safetensors) tensor by tensor, straight into the
    buffer (the file is not held in memory beside it)."""
    state = aligned(manifest["state"]["bytes"])
    offsets = {t["name"]: (t["offset"], t["bytes"]) for t in manifest["state"]["tensors"]}
    with open(path, "rb") as f:
        header_len = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_len))
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            offset, size = offsets[name]
            if end - begin != size:
                raise ValueError(f"{path}: {name} has {end - begin} bytes, "
                                 f"the manifest {size}")
            f.seek(8 + header_len + begin)
            f.readinto(memoryview(state[offset:offset + size]))
    return state


class CompiledModel:
    def __init__(self, stem):
        self.lib = ctypes.CDLL(os.path.abspath(stem + ".so"))
        name = os.path.basename(stem)
        manifest_fn = getattr(self.lib, name + "_manifest")
        manifest_fn.restype = ctypes.c_char_p
        self.manifest = json.loads(manifest_fn())
        self.name = name
        self.state = initial_state(self.manifest, stem + ".safetensors")
        self.workspace = aligned(max(self.manifest["workspace_bytes"], 1))

    def tensor(self, name):
        """A view of one state tensor."""
        return state_view(self.state, self.manifest, name)

    def has_weight(self, name):
        """Whether parameter `name` is in the state, whole or quantized."""
        return any(t["name"] == name or t.get("quantization", {}).get("of") == name
                   for t in self.manifest["state"]["tensors"])

    def weight(self, name):
        """The float value of parameter `name`: its state tensor, or, for a
        weight stored quantized, its parts decoded (block_quantization)."""
        parts = {t["quantization"]["part"]: t for t in self.manifest["state"]["tensors"]
                 if t.get("quantization", {}).get("of") == name}
        if not parts:
            return self.tensor(name)
        import block_quantization
        spec = next(iter(parts.values()))["quantization"]
        return block_quantization.dequantize(
            {part: self.tensor(t["name"]) for part, t in parts.items()},
            spec["scheme"], spec["shape"], spec["block"])

    def kernel_profile(self):
        """(nanoseconds, calls) of each of the manifest's kernels since the
        library loaded, measured when QUERN_PROFILE was set then."""
        count = len(self.manifest["kernels"])
        nanoseconds = (ctypes.c_uint64 * count)()
        calls = (ctypes.c_uint64 * count)()
        profile = getattr(self.lib, f"{self.name}_kernel_profile")
        profile.restype = ctypes.c_uint64
        profile(nanoseconds, calls, ctypes.c_uint64(count))
        return list(nanoseconds), list(calls)

    def bind(self, entry, inputs):
        """(call, outputs): call() runs `entry` on these inputs and writes
        `outputs` again, with the argument arrays built once, so that
        timing it measures the compiled code and one ctypes call only."""
        spec = self.manifest["entry_points"][entry]
        arrays = [np.ascontiguousarray(a, dtype=DTYPES[i["dtype"]]).reshape(i["shape"])
                  for a, i in zip(inputs, spec["inputs"])]
        outputs = [np.zeros(o["shape"], DTYPES[o["dtype"]]) for o in spec["outputs"]]
        input_ptrs = (ctypes.c_void_p * max(len(arrays), 1))(
            *[a.ctypes.data for a in arrays])
        output_ptrs = (ctypes.c_void_p * max(len(outputs), 1))(
            *[o.ctypes.data for o in outputs])
        fn = getattr(self.lib, f"{self.name}_{entry}")
        fn.restype = ctypes.c_int
        state = ctypes.c_void_p(self.state.ctypes.data)
        workspace = ctypes.c_void_p(self.workspace.ctypes.data)

        def call():
            status = fn(state, workspace, input_ptrs, output_ptrs)
            if status != 0:
                raise RuntimeError(f"{entry} returned {status}")
        # The pointers point into these: they must live as long as `call`,
        # whatever the caller keeps of what bind() returns.
        call.buffers = (self.state, self.workspace, arrays)
        call.outputs = outputs
        # For a caller that loops over calls in C (bench/call_loop.c).
        call.entry = (fn, state, workspace, input_ptrs, output_ptrs)
        return call, outputs

    def _call(self, entry, inputs):
        call, outputs = self.bind(entry, inputs)
        call()
        return outputs

    def forward(self, inputs):
        return self._call("forward", inputs)

    def train_step(self, inputs, lr):
        return self._call("train_step", list(inputs) + [np.float32(lr)])


def data_set_inputs(folder):
    """The inputs of an ONNX backend-test style data set (FOLDER/input_N.pb,
    in order) as arrays."""
    import onnx
    from onnx import numpy_helper
    inputs = []
    while os.path.exists(os.path.join(folder, f"input_{len(inputs)}.pb")):
        proto = onnx.TensorProto()
        with open(os.path.join(folder, f"input_{len(inputs)}.pb"), "rb") as f:
            proto.ParseFromString(f.read())
        inputs.append(numpy_helper.to_array(proto))
    return inputs
