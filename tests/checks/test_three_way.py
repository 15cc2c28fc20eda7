"""Three sources of truth agree: SymPy (derivations), NumPy backprop (numeric), finite differences.

For every matrix-form claim of `derivations` (and every document code cell with a NumPy form)
whose output is a gradient that `numeric` computes, on Hypothesis-drawn networks of the claim's
layout, activation and loss:

- the symbolic value, ``derivations.to_numpy(claim)(*inputs)``;
- the analytic value, from `numeric` (``backward`` for dW and db; the public ``*_backward``
  functions, chained, for dZ and dA);
- finite differences, by `checks.check_gradients` on the loss as a function of that quantity;

are compared under each reduction the claim was decided for. SymPy's verdict says, per
convention, whether the claim holds; the NumPy and finite-difference comparison must reach
the same answer: agreement where it holds, a failed check where it does not.

How the claims' inputs are read: the claim's NumPy docstring names its output first
(``"dw2 = ..."``, ``"dz1 computed by ..."``) and lists its arguments after ``Arguments:``.
Upstream gradients among the inputs (``dz2``, ``da1``, ...) are the document's own quantities
(the per-sample, summed-loss gradients, e.g. ``dz2 = probs - onehot``) for claims decided per
reduction, and the gradients of the loss under test for chain-rule claims that hold under any
reduction.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import derivations
import numeric
from checks import Status, check_gradients
from checks import strategies as gps

# SymPy's lambdified formula and numeric's backprop evaluate the same products in a different
# order: float64 agreement to a few ulps of the largest entry.
RTOL_SYMBOLIC_VS_NUMERIC = 1e-10
REDUCTIONS = ("mean", "sum")

# "dw2 = a1.T @ dz2 ...", "dz2 computed by ..." (002), "dL/dW2 as stated ..." (000), "db = dZ
# summed over the samples" (003: any layer, taken as the output layer L here)
_TARGET = re.compile(r"^\s*(?:dL/)?d([wbza])(\d*)\b", re.IGNORECASE)
# "Arguments: a1 (m, h), dz2 (m, n), m int." (002) or "f(A2, Y, A1) = ..." (000)
_CALL = re.compile(r"\bf\(([^)]*)\)")
_NAME = re.compile(r"(x|m|y|onehot|probs|d?[wbza]\d*)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Spec:
    """What a claim's NumPy form computes and from which inputs."""

    claim_id: str
    target: tuple[str, int]  # ("w" | "b" | "z" | "a", layer)
    args: tuple[str, ...]  # names as in the claim, underscores dropped ("A_2" -> "A2")
    net: dict


def _numpy_claims():
    return [c for c in derivations.all_claims()
            if c.numpy is not None and c.kind in ("matrix", "code")]


def _doc_args(doc: str) -> tuple[str, ...]:
    """Argument names from ``Arguments: a1 (m, h), dz2 (m, n), m int.`` (prose pieces such as
    "samples as columns" are not arguments: an argument is followed by its shape or type)."""
    text = doc.split("Arguments:", 1)[1].split("Returns", 1)[0]
    names, depth, start = [], 0, 0
    for i, ch in enumerate(text + ","):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            words = text[start:i].strip().rstrip(".").split()
            if words and (len(words) == 1 or words[1][0] == "(" or words[1] in ("int", "float")):
                names.append(words[0])
            start = i + 1
    return tuple(names)


def _args(fn, doc: str) -> tuple[str, ...]:
    params = inspect.signature(fn).parameters.values()
    if all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params):  # lambdified: symbol names
        names = tuple(p.name for p in params)
    elif "Arguments:" in doc:
        names = _doc_args(doc)
    elif _CALL.search(doc):
        names = tuple(a.strip() for a in _CALL.search(doc).group(1).split(",") if a.strip())
    else:
        names = ()
    return tuple(n.replace("_", "") for n in names)


def _net_kwargs(claim, layers: int) -> dict:
    conv = {k: str(v).lower() for k, v in claim.conventions.items()}
    acts = [a for a in re.split(r"[,\s]+", conv.get("activation", "sigmoid").strip()) if a]
    loss_text = conv.get("loss", "")
    if "categorical" in loss_text or "softmax" in acts:
        loss, output = "ce", "softmax"
    elif "binary" in loss_text:
        loss, output = "bce", "sigmoid"
    else:
        loss, output = "mse", acts[-1] if len(acts) > 1 else "sigmoid"
    hidden = acts[0] if acts[0] in gps.HIDDEN_ACTIVATIONS else "sigmoid"
    half = {"yes": True, "no": False}.get(conv.get("half", ""))
    return {"layout": conv.get("layout", "columns"), "loss": loss, "hidden": hidden,
            "output": output, "half": half, "layers": layers}


def spec_of(claim) -> Spec:
    """Parse a claim's NumPy form; raises ValueError when it is not a gradient we can compute."""
    fn = derivations.to_numpy(claim)
    doc = fn.__doc__ or ""
    match = _TARGET.match(doc)
    args = _args(fn, doc)
    if match is None or not args:
        raise ValueError(f"{claim.id}: its NumPy form names no gradient output or no "
                         f"arguments: {doc!r}")
    unknown = [a for a in args if not _NAME.fullmatch(a)]
    if unknown:
        raise ValueError(f"{claim.id}: no numeric counterpart for arguments {unknown}")
    indices = [int(i) for a in (match.group(0), *args) for i in re.findall(r"(\d+)$", a)]
    layers = max(2, *indices) if indices else 2
    target = (match.group(1).lower(), int(match.group(2) or layers))
    return Spec(claim.id, target, args, _net_kwargs(claim, layers))


def _reduction_of(text: str) -> str:
    """numeric's reduction for a convention's wording ("sum over samples", "mean over N*M")."""
    text = text.lower()
    if "sum" in text:
        return "sum"
    if any(k in text for k in ("n*m", "nm", "all", "outputs")):
        return "mean_all"
    return "mean"


@functools.cache
def expected_agreement(claim_id: str) -> dict[str, bool]:
    """Per reduction, whether SymPy decided the claim holds; also says where inputs come from.

    Returns ``{"reductions": {reduction: holds, ...}, "doc_inputs": bool}``: the reductions
    SymPy decided (numeric's names: "mean", "sum", "mean_all"), and whether upstream inputs
    are the document's own quantities.
    """
    claim = derivations.get_claim(claim_id)
    result = derivations.verify(claim)
    layout = str(claim.conventions.get("layout", "columns"))
    by_reduction = {}
    for case in result.conventions:
        conv = {k: str(v).lower() for k, v in dict(case.convention).items()}
        if "reduction" in conv and set(conv) <= {"layout", "reduction"} and conv.get(
            "layout", layout
        ) == layout:  # the claim's own layout, read under each reduction
            by_reduction[_reduction_of(conv["reduction"])] = case.holds
    verdict = str(result.verdict)
    if verdict == "ambiguous":  # one reading per cost; "no longer the text's formula" is not
        for reading in result.readings:  # what the NumPy form computes
            text = reading.description.lower()
            if "no longer" not in text and ("sum" in text or "mean" in text):
                by_reduction[_reduction_of(text)] = str(reading.verdict) == "proven"
    if by_reduction:  # only the reductions SymPy decided are compared
        return {"reductions": by_reduction, "doc_inputs": True}
    # other conventions (e.g. ReLU'(0)) only matter at kinks, which the strategies avoid
    holds = verdict == "proven" or (
        verdict == "proven_under_convention" and any(c.holds for c in result.conventions)
    )
    return {"reductions": dict.fromkeys(REDUCTIONS, holds), "doc_inputs": False}


# ---------------------------------------------------------------------------------------------
# numeric's side: losses from any node, gradients at every node
# ---------------------------------------------------------------------------------------------


def _axis(net):
    return -2 if net.layout == "columns" else -1


def _loss_from_output(net, Z_L, Y):
    """The reduced loss as a function of the output pre-activation Z_L (numeric's losses)."""
    kw = {"reduction": net.reduction, "layout": net.layout}
    if net.loss == "ce":
        return numeric.categorical_cross_entropy(Z_L, Y, from_logits=True, **kw)
    if net.loss == "bce":
        return numeric.binary_cross_entropy(Z_L, Y, from_logits=True, **kw)
    A = numeric.ACTIVATIONS[net.output].forward(Z_L, axis=_axis(net), slope=net.leaky_slope)
    return numeric.mean_squared_error(A, Y, half=net.half, **kw)


def _loss_from_probabilities(net, A_L, Y):
    """The reduced loss as a function of the network's output A_L (not from the logits)."""
    kw = {"reduction": net.reduction, "layout": net.layout}
    if net.loss == "ce":
        return numeric.categorical_cross_entropy(A_L, Y, **kw)
    if net.loss == "bce":
        return numeric.binary_cross_entropy(A_L, Y, **kw)
    return numeric.mean_squared_error(A_L, Y, half=net.half, **kw)


def _loss_from_layer(net, params, A_prev, Y, start):
    """The loss as a function of the input A_prev of layer ``start`` (numeric.batched)."""
    stacked = {k: v[None] for k, v in params.items() if int(k[1:]) >= start}
    return numeric.batched_loss_from(net, stacked, A_prev, Y, start=start)[0]


def _node_grads(net, params, cache):
    """dL/dZ_l and dL/dA_l for every layer from numeric's *_backward functions, chained."""
    L, axis, cols = net.n_layers, _axis(net), net.layout == "columns"
    kw = {"reduction": net.reduction, "layout": net.layout}
    Z, A = cache.Z, cache.A
    if net.loss == "ce":
        dZ = numeric.categorical_cross_entropy_backward(Z[-1], cache.Y, from_logits=True, **kw)
    elif net.loss == "bce":
        dZ = numeric.binary_cross_entropy_backward(Z[-1], cache.Y, from_logits=True, **kw)
    else:
        dA = numeric.mean_squared_error_backward(A[-1], cache.Y, half=net.half, **kw)
        dZ = numeric.ACTIVATIONS[net.output].backward(dA, Z[-1], A[-1], axis=axis,
                                                      slope=net.leaky_slope)
    grads = {("z", L): dZ}
    if net.loss == "ce":
        grads[("a", L)] = numeric.categorical_cross_entropy_backward(A[-1], cache.Y, **kw)
    elif net.loss == "bce":
        grads[("a", L)] = numeric.binary_cross_entropy_backward(A[-1], cache.Y, **kw)
    else:
        grads[("a", L)] = numeric.mean_squared_error_backward(A[-1], cache.Y, half=net.half,
                                                              **kw)
    for l in range(L - 1, 0, -1):  # noqa: E741 -- the seeds' layer index
        W = params[f"W{l + 1}"]
        dA = W.T @ dZ if cols else dZ @ W.T
        act = numeric.ACTIVATIONS[net.activations[l - 1]]
        dZ = act.backward(dA, Z[l - 1], A[l], axis=axis, slope=net.leaky_slope)
        grads[("a", l)] = dA
        grads[("z", l)] = dZ
    return grads


def _all_grads(net, params, X, Y):
    """numeric's value of every quantity a claim can name, under ``net.reduction``."""
    _, cache = numeric.forward(net, params, X, Y)
    grads = numeric.backward(net, params, cache)
    out = {(k[0].lower(), int(k[1:])): v for k, v in grads.items()}
    return {**out, **_node_grads(net, params, cache)}, cache


def _fd_problem(net, params, X, Y, cache, target):
    """(f, point): the loss as a function of the target quantity, at its current value."""
    kind, l = target  # noqa: E741 -- the seeds' layer index
    if kind in "wb":
        key = f"W{l}" if kind == "w" else f"b{l}"

        def f(theta):
            return numeric.forward(net, {**params, key: theta}, X, Y)[0]

        return f, params[key]
    if kind == "z" and l == net.n_layers:
        return (lambda z: _loss_from_output(net, z, cache.Y)), cache.Z[-1]
    if kind == "a" and l == net.n_layers:
        return (lambda a: _loss_from_probabilities(net, a, cache.Y)), cache.A[-1]
    if kind == "a":
        return (lambda a: _loss_from_layer(net, params, a, cache.Y, l + 1)), cache.A[l]
    act = numeric.ACTIVATIONS[net.activations[l - 1]]

    def f_z(z):
        a = act.forward(z, axis=_axis(net), slope=net.leaky_slope)
        return _loss_from_layer(net, params, a, cache.Y, l + 1)

    return f_z, cache.Z[l - 1]


def _inputs(spec, net, params, cache, upstream):
    """Values of the claim's arguments; upstream gradients (dz2, ...) from ``upstream``."""
    L = net.n_layers
    labels = np.argmax(cache.Y, axis=0 if net.layout == "columns" else 1)
    m = cache.A[0].shape[1] if net.layout == "columns" else cache.A[0].shape[0]
    values = []
    for name in spec.args:
        low = name.lower()
        if low == "x":
            values.append(cache.A[0])
        elif low == "m":
            values.append(m)
        elif low == "onehot" or (name == "Y") or (low == "y" and net.loss != "ce"):
            values.append(cache.Y)
        elif low == "y":
            values.append(labels)
        elif low == "probs":
            values.append(cache.A[L])
        elif low[0] in "wbaz":  # W2, b1, A1, Z2 (no index: the output layer L)
            l = int(low[1:] or L)  # noqa: E741
            values.append({"w": params.get(f"W{l}"), "b": params.get(f"b{l}"), "a": cache.A[l],
                           "z": cache.Z[l - 1]}[low[0]])
        else:  # dz2, da1, dw1, dZ (no index: the output layer L)
            values.append(upstream[(low[1], int(low[2:] or L))])
    return values


def _problems_for(spec):
    net = spec.net
    return gps.problems(
        layout=net["layout"], loss=net["loss"], output=net["output"], hidden=net["hidden"],
        half=net["half"], min_layers=net["layers"], max_layers=net["layers"], max_width=5,
        dtype=np.float64, min_samples=2, max_samples=8,  # m >= 2: mean and sum differ
    )


def _close(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    scale = max(np.max(np.abs(b), initial=0.0), np.finfo(np.float64).tiny)
    return bool(np.max(np.abs(a - b), initial=0.0) <= RTOL_SYMBOLIC_VS_NUMERIC * scale)


def three_way(claim, spec, problem, reduction):
    """Compare the three values; returns (symbolic agrees with FD, symbolic ~ numeric, details)."""
    net = dataclasses.replace(problem.net, reduction=reduction)
    grads, cache = _all_grads(net, problem.params, problem.X, problem.Y)
    expect = expected_agreement(claim.id)
    if expect["doc_inputs"]:
        doc_net = dataclasses.replace(problem.net, reduction="sum")
        upstream = _all_grads(doc_net, problem.params, problem.X, problem.Y)[0]
    else:
        upstream = grads
    analytic = grads[spec.target]
    # a target that is 0 up to round-off (dead units, X = 0, equal columns of W2 under
    # softmax) says nothing about the claim, and the checker may leave such entries undecided
    # (see the catalogue's correct_at_exact_minimum)
    loss = numeric.forward(net, problem.params, problem.X, problem.Y)[0]
    assume(np.max(np.abs(analytic)) > 1e-9 * max(1.0, abs(float(loss))))
    f, point = _fd_problem(net, problem.params, problem.X, problem.Y, cache, spec.target)
    by_fd_numeric = check_gradients(f, point, analytic, seed=0)
    try:
        symbolic = np.asarray(
            derivations.to_numpy(claim)(*_inputs(spec, net, problem.params, cache, upstream)),
            dtype=np.float64,
        )
    except ValueError:  # the stated product is undefined for these shapes (document 000)
        return by_fd_numeric, None, False
    by_fd_symbolic = check_gradients(f, point, symbolic, seed=0)
    return by_fd_numeric, by_fd_symbolic, _close(symbolic, analytic)


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------

CLAIMS = _numpy_claims()


def test_there_are_claims_to_compare():
    assert any(c.kind == "matrix" for c in CLAIMS), "derivations exposes no matrix-form claim"


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_has_a_numeric_counterpart(claim):
    spec = spec_of(claim)  # raises, naming the claim, if its output or an input is unknown
    assert spec.target[0] in "wbza" and spec.target[1] >= 1


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_symbolic_analytic_and_finite_differences_agree(claim):
    spec = spec_of(claim)
    expect = expected_agreement(claim.id)

    @settings(max_examples=8, deadline=None)
    @given(_problems_for(spec), st.sampled_from(sorted(expect["reductions"])))
    def run(problem, reduction):
        numeric_check, symbolic_check, close = three_way(claim, spec, problem, reduction)
        # numeric is right whatever the claim says
        assert numeric_check.verdict == "pass", f"numeric vs FD\n{numeric_check}"
        if expect["reductions"][reduction]:
            assert symbolic_check is not None, f"{claim.id}: undefined for {problem!r}"
            assert symbolic_check.verdict == "pass", f"{claim.id} under {reduction}\n" + str(
                symbolic_check
            )
            assert close, f"{claim.id}: SymPy and numeric differ under reduction={reduction}"
        else:
            # SymPy says the claim fails under this convention: FD and numeric must see it too
            # (or the stated formula is not even defined for these shapes)
            assert symbolic_check is None or symbolic_check.verdict == "fail", (
                f"{claim.id} under {reduction}\n{symbolic_check}"
            )
            assert not close

    run()


def test_a_refuted_convention_is_seen_by_finite_differences():
    # the law in the other direction, on one claim SymPy decides per reduction: dw2 = a1^T dz2
    # (no 1/m) holds for the summed loss only, and FD sees the factor m for the mean loss
    def decided(c):
        return expected_agreement(c.id)["reductions"]

    claims = [c for c in CLAIMS if expected_agreement(c.id)["doc_inputs"]
              and {"sum", "mean"} <= set(decided(c)) and decided(c)["sum"] != decided(c)["mean"]]
    assert claims, "no claim is decided differently for mean and sum"
    claim = claims[0]
    spec = spec_of(claim)
    wrong = "mean" if decided(claim)["sum"] else "sum"

    @settings(max_examples=3, deadline=None)
    @given(_problems_for(spec))
    def run(problem):
        _, symbolic_check, _ = three_way(claim, spec, problem, wrong)
        kinds = {d.kind for d in symbolic_check.diagnoses.values()}
        assert symbolic_check.verdict == "fail"
        assert kinds <= {"factor", "few entries", "unexplained"}, kinds

    run()


@settings(max_examples=20, deadline=None)
@given(gps.problems(max_layers=3, max_width=6, max_samples=8))
def test_numeric_backward_agrees_with_finite_differences_on_drawn_networks(problem):
    # every layout, loss, reduction, activation and dtype the strategies draw (float32 too):
    # numeric's gradient is right and the checker does not false-alarm on it
    net, params, X, Y = problem.net, problem.params, problem.X, problem.Y

    def f(q):
        return numeric.forward(net, q, X, Y)[0]

    def grad(q):
        return numeric.loss_and_grad(net, q, X, Y)[1]

    result = check_gradients(f, params, grad, seed=0)
    assert result.verdict != "fail", f"{problem!r}\n{result}"
    assert {p.name for p in result.params} == set(params)
    # the strategies keep pre-activations away from kinks, so nothing may be left undecided
    # except entries whose gradient is exactly 0 (e.g. at an exact minimum, f = 0): see the
    # catalogue's correct_at_exact_minimum, a known shortcoming of the checker
    for p in result.params:
        undecided = p.status != Status.PASS
        assert np.all(p.analytic[undecided] == 0), f"{problem!r}\n{result}"
