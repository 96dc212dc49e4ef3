#!/usr/bin/env python3
"""Rewrite a dynamically quantized (int8) ONNX transformer so that every row
(token, i.e. every slice over the last axis) is quantized with its own scale.

Why: ONNX Runtime's quantize_dynamic() output uses DynamicQuantizeLinear,
which computes ONE scale/zero point over the whole activation tensor, i.e. over
the whole batch. A request's embedding then depends on its batch mates. With a
per-row scale, a row's result depends only on that row ("exact batching").

Pattern rewritten (as emitted by onnxruntime.quantization.quantize_dynamic):

    x -> DynamicQuantizeLinear -> (x_q, x_scale, x_zp)
    MatMulInteger(x_q, W_q, x_zp, w_zp) -> Cast(float) -> Mul(., Mul(x_scale, w_scale)) [-> Add(bias)]

Replacement (one per-row quantizer per DynamicQuantizeLinear, shared by all of
its MatMulInteger consumers, e.g. Q/K/V):

    scale  = Max(ReduceMax(x), -ReduceMin(x), tiny) / 127     # [B, S, 1], axes=[-1]
    x_q    = com.microsoft.QuantizeLinear(x as [B*S, H], scale as [B*S], 128s, axis=0) as [B, S, H]
    y      = com.microsoft.MatMulIntegerToFloat(x_q, W_q, scale, w_scale, 128, w_zp)

  The default quantizer reads the activations twice (the two reductions) and
  quantizes them in one per-axis kernel; --elementwise writes it as Abs,
  ReduceMax, Div, Round, Add, Clip, Cast instead (seven passes; slower, the same
  bits: docs/decisions.md). The fused quantizer assumes what a transformer
  encoder has: every quantized activation shaped [batch, sequence, hidden],
  with batch and sequence those of the first input; a model with other
  shapes fails when run (ModelsSideBySide shows it): use --elementwise.
  * The zero point is the constant 128, so it stays a scalar (ORT requires a
    scalar A zero point); the scale is the only per-row quantity.
  * ORT's CPU MatMulIntegerToFloat accepts a non-scalar A scale: it runs the
    integer GEMM with a_scale = 1 and multiplies the output by the broadcast A
    scale afterwards (ScaleOutput in contrib_ops/cpu/quantization/
    dynamic_quantize_matmul.cc). Because that post-scale is applied AFTER the
    bias is added inside the GEMM, the bias must NOT be passed to the node when
    the A scale is per row: the original bias Add is kept as a separate node.
  * Round is half-to-even, like DynamicQuantizeLinear. |x / scale| <= 127, so
    saturation only guards against NaN/Inf.
  * Everything else in the graph is left untouched; the output keeps the name
    of the original Mul output, so downstream nodes (bias Add, ...) need no edit.

Usage: python3 perrow-quantize.py [--elementwise] IN.onnx OUT.onnx
Needs only the `onnx` and `numpy` Python packages (Debian: python3-onnx).
"""
import collections
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

MS_DOMAIN = "com.microsoft"
TINY = 1e-30  # guard for all-zero rows; TINY/127 is still a normal float32


def elementwise_quantizer(p, x, s_scale, s_q):
    """Nine nodes, seven passes over the activations: Abs, ReduceMax, then Div, Round, Add, Clip, Cast."""
    s_abs, s_amax, s_amaxg = p + "/abs", p + "/amax", p + "/amax_g"
    s_div, s_rnd, s_sh, s_clp = p + "/div", p + "/round", p + "/shift", p + "/clip"
    return [
        helper.make_node("Abs", [x], [s_abs], name=p + "/Abs"),
        helper.make_node("ReduceMax", [s_abs], [s_amax], name=p + "/ReduceMax", axes=[-1], keepdims=1),
        helper.make_node("Max", [s_amax, "perrow/tiny"], [s_amaxg], name=p + "/Max"),
        helper.make_node("Div", [s_amaxg, "perrow/qmax"], [s_scale], name=p + "/ScaleDiv"),
        helper.make_node("Div", [x, s_scale], [s_div], name=p + "/Div"),
        helper.make_node("Round", [s_div], [s_rnd], name=p + "/Round"),
        helper.make_node("Add", [s_rnd, "perrow/zp_f"], [s_sh], name=p + "/Add"),
        helper.make_node("Clip", [s_sh, "perrow/lo", "perrow/hi"], [s_clp], name=p + "/Clip"),
        helper.make_node("Cast", [s_clp], [s_q], name=p + "/Cast", to=TensorProto.UINT8),
    ]


def fused_quantizer(p, x, s_scale, s_q, hidden):
    """Three passes over the activations: ReduceMax and ReduceMin read them (no |x| tensor is written), and one
    per-axis com.microsoft.QuantizeLinear (divide, round half to even, add 128, saturate, in one kernel) on the
    activations seen as [rows, hidden], the scale as [rows] (the model's opset 11 has no per-axis QuantizeLinear of
    its own; the contrib operator has). The zero points ([rows] of 128) and the activations' shape are computed once
    per graph (shared_shapes). Reshapes of a contiguous tensor copy nothing in ONNX Runtime."""
    s_max, s_min, s_nmin, s_amax = p + "/max", p + "/min", p + "/negmin", p + "/amax"
    s_flat_scale, s_x2, s_q2 = p + "/scale_rows", p + "/x2d", p + "/q2d"
    return [
        helper.make_node("ReduceMax", [x], [s_max], name=p + "/ReduceMax", axes=[-1], keepdims=1),
        helper.make_node("ReduceMin", [x], [s_min], name=p + "/ReduceMin", axes=[-1], keepdims=1),
        helper.make_node("Neg", [s_min], [s_nmin], name=p + "/Neg"),
        helper.make_node("Max", [s_max, s_nmin, "perrow/tiny"], [s_amax], name=p + "/Max"),
        helper.make_node("Div", [s_amax, "perrow/qmax"], [s_scale], name=p + "/ScaleDiv"),
        helper.make_node("Reshape", [s_scale, "perrow/flat"], [s_flat_scale], name=p + "/ScaleRows"),
        helper.make_node("Reshape", [x, "perrow/rows_by_" + str(hidden)], [s_x2], name=p + "/Rows2d"),
        helper.make_node("QuantizeLinear", [s_x2, s_flat_scale, "perrow/zp_rows"], [s_q2], name=p + "/Quantize",
                         domain=MS_DOMAIN, axis=0),
        helper.make_node("Reshape", [s_q2, "perrow/shape_" + str(hidden)], [s_q], name=p + "/Back"),
    ]


def shared_shapes(graph, hiddens):
    """Once per graph: the zero points, one 128 per row (batch x sequence, from the first input, [batch, sequence]),
    and for each hidden size the activations' shape [batch, sequence, hidden]."""
    first = graph.input[0]
    if len(first.type.tensor_type.shape.dim) != 2:
        sys.exit(f"the fused quantizer expects a first input shaped [batch, sequence]; {first.name} is not")
    nodes = [
        helper.make_node("Shape", [first.name], ["perrow/input_shape"], name="perrow/InputShape"),
        helper.make_node("ReduceProd", ["perrow/input_shape"], ["perrow/rows"], name="perrow/Rows", keepdims=1),
        helper.make_node("Expand", ["perrow/zp_u8", "perrow/rows"], ["perrow/zp_rows"], name="perrow/ZeroPoints"),
    ]
    consts = []
    for size in sorted(hiddens):
        consts.append(numpy_helper.from_array(np.array([size], np.int64), f"perrow/hidden_{size}"))
        nodes.append(helper.make_node("Concat", ["perrow/input_shape", f"perrow/hidden_{size}"],
                                      [f"perrow/shape_{size}"], name=f"perrow/Shape{size}", axis=0))
    return nodes, consts


def histogram(graph):
    return collections.Counter(n.op_type for n in graph.node)


def main(src, dst, fused_quantizers=True):
    model = onnx.load(src)
    graph = model.graph
    before = histogram(graph)
    n_before = len(graph.node)

    producer = {o: n for n in graph.node for o in n.output}
    consumers = collections.defaultdict(list)
    for n in graph.node:
        for i in n.input:
            consumers[i].append(n)
    graph_outputs = {o.name for o in graph.output}

    def only_consumer(name, op_type):
        c = consumers.get(name, [])
        if len(c) != 1 or c[0].op_type != op_type or name in graph_outputs:
            return None
        return c[0]

    # Shared constants (scalars, so they broadcast against any rank).
    consts = [
        numpy_helper.from_array(np.array(TINY, np.float32), "perrow/tiny"),
        numpy_helper.from_array(np.array(127.0, np.float32), "perrow/qmax"),
        numpy_helper.from_array(np.array(128.0, np.float32), "perrow/zp_f"),
        numpy_helper.from_array(np.array(0.0, np.float32), "perrow/lo"),
        numpy_helper.from_array(np.array(255.0, np.float32), "perrow/hi"),
        numpy_helper.from_array(np.array(128, np.uint8), "perrow/zp_u8"),
        numpy_helper.from_array(np.array([-1], np.int64), "perrow/flat"),
    ]
    initializers = {i.name: i for i in graph.initializer}

    def hidden(mmi):
        """The activations' last dimension: the rows of the weight matrix the product multiplies them by."""
        size = initializers[mmi.input[1]].dims[0]
        name = "perrow/rows_by_" + str(size)
        if not any(c.name == name for c in consts):
            consts.append(numpy_helper.from_array(np.array([-1, size], np.int64), name))
        return size

    remove = set()            # ids of nodes to drop
    insert_at = {}            # id(DQL node) -> replacement nodes (placed where the DQL was)
    replace_at = {}           # id(final Mul) -> MatMulIntegerToFloat node
    sites = 0
    fused = 0
    hiddens = set()

    for dql in [n for n in graph.node if n.op_type == "DynamicQuantizeLinear"]:
        x = dql.input[0]
        x_q, x_scale, x_zp = dql.output
        # Every consumer of x_q must be a MatMulInteger (A side) in the full pattern.
        plan = []
        ok = True
        for mmi in consumers[x_q]:
            if mmi.op_type != "MatMulInteger" or mmi.input[0] != x_q or mmi.input[2] != x_zp:
                ok = False
                break
            cast = only_consumer(mmi.output[0], "Cast")
            mul = cast and only_consumer(cast.output[0], "Mul")
            if not mul:
                ok = False
                break
            other = mul.input[1] if mul.input[0] == cast.output[0] else mul.input[0]
            smul = producer.get(other)
            if smul is None or smul.op_type != "Mul" or x_scale not in smul.input \
                    or len(consumers[smul.output[0]]) != 1:
                ok = False
                break
            w_scale = smul.input[1] if smul.input[0] == x_scale else smul.input[0]
            plan.append((mmi, cast, mul, smul, w_scale))
        # x_scale / x_zp must only feed the pattern nodes.
        if ok:
            ok = all(c.op_type == "Mul" for c in consumers[x_scale]) and \
                 len(consumers[x_scale]) == len(plan) and \
                 all(c.op_type == "MatMulInteger" for c in consumers[x_zp])
        if ok and fused_quantizers:  # the fused quantizer reads the hidden size off the weights
            ok = all(step[0].input[1] in initializers for step in plan)
        if not ok or not plan:
            print(f"skip (pattern mismatch): {dql.name}", file=sys.stderr)
            continue

        p = (dql.name or x) + "/perrow"
        s_scale, s_q = p + "/scale", p + "/q"
        if fused_quantizers:
            size = hidden(plan[0][0])
            hiddens.add(size)
            quant = fused_quantizer(p, x, s_scale, s_q, size)
        else:
            quant = elementwise_quantizer(p, x, s_scale, s_q)
        insert_at[id(dql)] = quant
        remove.add(id(dql))
        sites += 1

        for mmi, cast, mul, smul, w_scale in plan:
            inputs = [s_q, mmi.input[1], s_scale, w_scale, "perrow/zp_u8"]
            if len(mmi.input) > 3 and mmi.input[3]:
                inputs.append(mmi.input[3])  # weight zero point (per column allowed)
            # No bias input on purpose (see module docstring).
            replace_at[id(mul)] = helper.make_node(
                "MatMulIntegerToFloat", inputs, [mul.output[0]],
                name=mmi.name + "_perrow", domain=MS_DOMAIN)
            for n in (mmi, cast, smul):
                remove.add(id(n))
            fused += 1

    # Rebuild the node list in the original (topological) order.
    new_nodes = []
    if fused_quantizers and sites:
        shared, shared_consts = shared_shapes(graph, hiddens)
        new_nodes.extend(shared)
        consts.extend(shared_consts)
    for n in graph.node:
        if id(n) in insert_at:
            new_nodes.extend(insert_at[id(n)])
        elif id(n) in replace_at:
            new_nodes.append(replace_at[id(n)])
        elif id(n) not in remove:
            new_nodes.append(n)
    del graph.node[:]
    graph.node.extend(new_nodes)
    used = {name for n in graph.node for name in n.input}
    graph.initializer.extend(c for c in consts if c.name in used)
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    # Intermediate shape annotations may be stale; drop them.
    del graph.value_info[:]

    onnx.save(model, dst)
    after = histogram(graph)
    print(f"per-row quantizers: {sites}, MatMulIntegerToFloat: {fused}")
    print(f"nodes: {n_before} -> {len(graph.node)}")
    for op in sorted(set(before) | set(after)):
        if before[op] != after[op]:
            print(f"  {op:24s} {before[op]:4d} -> {after[op]:4d}")


if __name__ == "__main__":
    args = sys.argv[1:]
    elementwise = bool(args) and args[0] == "--elementwise"
    args = args[1:] if elementwise else args
    if len(args) != 2:
        sys.exit("usage: python3 perrow-quantize.py [--elementwise] IN.onnx OUT.onnx")
    main(args[0], args[1], fused_quantizers=not elementwise)
