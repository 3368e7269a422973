"""Writes an MLP whose forward returns a loss, for driver tests:
x[M, K] -> MatMul fc.weight[K, F] -> Relu -> MatMul proj.weight[F, K] ->
mean of squares, weights drawn from a fixed seed.

    make_mlp_loss.py M K F OUT.onnx
"""
import numpy as np, onnx, sys
from onnx import helper, TensorProto, numpy_helper
M, K, F = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
w1 = numpy_helper.from_array((rng.standard_normal((K,F))*0.02).astype(np.float32), "fc.weight")
w2 = numpy_helper.from_array((rng.standard_normal((F,K))*0.02).astype(np.float32), "proj.weight")
nodes = [helper.make_node("MatMul", ["x","fc.weight"], ["h"], name="fc"),
         helper.make_node("Relu", ["h"], ["r"], name="relu"),
         helper.make_node("MatMul", ["r","proj.weight"], ["y"], name="proj"),
         helper.make_node("Mul", ["y","y"], ["sq"], name="sq"),
         helper.make_node("ReduceMean", ["sq"], ["loss"], keepdims=0, name="mean")]
g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [M,K])],
                      [helper.make_tensor_value_info("loss", TensorProto.FLOAT, [])], [w1,w2])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[4])
