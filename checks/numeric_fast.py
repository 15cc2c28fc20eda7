"""Fast full gradient check of `numeric`'s own networks: batched, reusing the cached forward pass.

A black-box check calls ``f`` 2P times. For a `numeric.MLP` the checker knows more: moving one
entry of ``W_l`` (or ``b_l``) changes one row of ``Z_l`` by a rank-1 term, so the layers below
``l`` are reused from the cache, ``Z_l`` is updated instead of recomputed, and for elementwise
activations ``Z_{l+1}`` too (one row of ``A_l`` moved). Only the layers from ``l + 2`` on run in
full, for a chunk of perturbations at once along a leading K axis, through
`numeric.batched_loss_from`. The verdicts are those of `checks.check_gradients` (same error
bars, refinement, kinks and diagnoses).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from checks._types import IntArray
from checks.config import CheckConfig
from checks.engine import Target, run_check
from checks.result import CheckResult
from checks.structure import Structure, normalise_grad, normalise_params, private_copies

CHUNK_ELEMENTS = 1 << 21
"""Default chunk: perturbations per batched call such that one stacked activation holds about
this many numbers (16 MiB in float64)."""


@dataclass
class NetworkProbe:
    """Evaluates the loss of a `numeric.MLP` at perturbed parameters, in batched chunks.

    Attributes
    ----------
    net : numeric.MLP
    structure : Structure
        Of the parameter dict, in the canonical order W1, b1, ..., WL, bL.
    arrays : list of ndarray
        Private copies of the parameters (read, never written).
    X, Y : ndarray
        The data, as given to `numeric.forward`.
    cache : numeric.Cache
        The forward pass at the unperturbed parameters.
    chunk_size : int or None
        Perturbations per batched call (default from `CHUNK_ELEMENTS`).
    evaluations : int
        Number of losses computed so far.
    """

    net: Any
    structure: Structure
    arrays: list[np.ndarray]
    X: Any
    Y: Any
    cache: Any
    chunk_size: int | None = None
    evaluations: int = field(default=0)

    def _chunk(self) -> int:
        if self.chunk_size is not None:
            return self.chunk_size
        m = self.cache.A[0].shape[-1 if self.net.layout == "columns" else -2]
        return max(1, CHUNK_ELEMENTS // (m * max(self.net.sizes)))

    def points(self, points: list[list[np.ndarray]]) -> np.ndarray:
        """Losses at whole-parameter points (one list of arrays each): one `batched_loss`."""
        from numeric import batched_loss

        self.evaluations += len(points)
        thetas = np.stack([np.concatenate([a.ravel() for a in pt]) for pt in points])
        return np.asarray(batched_loss(self.net, thetas, self.X, self.Y), dtype=np.float64)

    def entries(self, pi: int, idx: IntArray, values: np.ndarray) -> np.ndarray:
        """Losses with entry ``idx[k]`` of parameter ``pi`` set to ``values[j, k]``: (npts, n)."""
        self.evaluations += values.size
        npts, n = values.shape
        flat_idx = np.tile(np.asarray(idx, dtype=np.intp), npts)
        flat_val = values.reshape(-1)
        out = np.empty(flat_idx.size)
        step = self._chunk()
        for s in range(0, flat_idx.size, step):
            out[s : s + step] = self._losses(pi, flat_idx[s : s + step], flat_val[s : s + step])
        return out.reshape(npts, n)

    def _stacked(self, start: int, K: int) -> dict[str, np.ndarray]:
        """Unperturbed parameters of layers >= start, broadcast to a leading K axis (views)."""
        out = {}
        for key, arr in zip(self.structure.keys, self.arrays, strict=True):
            if int(key[1:]) >= start:
                out[key] = np.broadcast_to(arr, (K, *arr.shape))
        return out

    def _losses(self, pi: int, idx: IntArray, vals: np.ndarray) -> np.ndarray:
        from numeric import ACTIVATIONS, batched_loss_from

        net, cache = self.net, self.cache
        key = self.structure.keys[pi]
        layer, L, K = int(key[1:]), net.n_layers, idx.size
        base = self.arrays[pi]
        if layer == L:  # the output layer: perturb it directly
            stacked = self._stacked(L, K)
            pert = np.repeat(base[None], K, axis=0)
            pert.reshape(K, -1)[np.arange(K), idx] = vals
            stacked[key] = pert
            return batched_loss_from(net, stacked, cache.A[L - 1], cache.Y, start=L)
        cols = net.layout == "columns"
        axis = -2 if cols else -1
        delta = (vals - base.reshape(-1)[idx]).astype(base.dtype)
        Z = cache.Z[layer - 1]
        A_prev = cache.A[layer - 1]
        n_units = net.sizes[layer]
        if key[0] == "W":
            unit, inp = (idx // base.shape[1], idx % base.shape[1]) if cols else (
                idx % n_units, idx // n_units)
            shift = delta[:, None] * (A_prev[inp, :] if cols else A_prev[:, inp].T)
        else:
            unit = idx % n_units
            shift = np.broadcast_to(delta[:, None], (K, Z.shape[-1 if cols else -2]))
        ks = np.arange(K)
        act = ACTIVATIONS[net.activations[layer - 1]]
        A_old = cache.A[layer]
        if not act.elementwise:  # softmax couples the units: recompute the whole activation
            Zs = np.repeat(Z[None], K, axis=0)
            if cols:
                Zs[ks, unit, :] += shift
            else:
                Zs[ks, :, unit] += shift
            A_new = act.forward(Zs, axis=axis, slope=net.leaky_slope)
            return batched_loss_from(net, self._stacked(layer + 1, K), A_new, cache.Y,
                                     start=layer + 1)
        # Elementwise: only row `unit` of Z_l and of A_l moves (K rows of m samples).
        z_row = (Z[unit, :] if cols else Z[:, unit].T) + shift
        a_row = act.forward(z_row, axis=-1, slope=net.leaky_slope)
        if layer + 1 == L:
            A_new = np.repeat(A_old[None], K, axis=0)
            if cols:
                A_new[ks, unit, :] = a_row
            else:
                A_new[ks, :, unit] = a_row
            return batched_loss_from(net, self._stacked(L, K), A_new, cache.Y, start=L)
        # Z_{l+1} changes by the rank-1 term W_{l+1}[:, unit] dA (columns layout).
        W_next = self.arrays[self.structure.keys.index(f"W{layer + 1}")]
        dA = a_row - (A_old[unit, :] if cols else A_old[:, unit].T)
        if cols:
            Z_next = cache.Z[layer][None] + W_next[:, unit].T[:, :, None] * dA[:, None, :]
        else:
            Z_next = cache.Z[layer][None] + dA[:, :, None] * W_next[unit, :][:, None, :]
        act_next = ACTIVATIONS[net.activations[layer]]
        A_next = act_next.forward(Z_next, axis=axis, slope=net.leaky_slope)
        return batched_loss_from(net, self._stacked(layer + 2, K), A_next, cache.Y,
                                 start=layer + 2)


def check_network(
    net: Any,
    params: Mapping[str, Any],
    X: Any,
    Y: Any,
    grad: Any = None,
    *,
    method: str = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    seed: int | None = None,
    directions: int | None = None,
    chunk_size: int | None = None,
) -> CheckResult:
    """Check the gradient of a `numeric.MLP`'s loss entry by entry, fast.

    Parameters
    ----------
    net : numeric.MLP
    params : dict
        ``{"W1", "b1", ..., "WL", "bL"}`` as for `numeric.forward`; never modified.
    X, Y : ndarray
        Data and targets as for `numeric.forward`.
    grad : callable, dict or None
        The analytic gradient to check: a function of the parameter dict, the dict itself,
        or None for `numeric.backward` (the library checking itself).
    method : {"auto", "central", "forward", "richardson", "directional"}
        As in `checks.check_gradients` ("complex" falls back to central differences: the
        batched loss is real). "auto" checks every entry, whatever P.
    rtol, atol, seed, directions
        As in `checks.check_gradients`.
    chunk_size : int, optional
        Perturbations per batched call (default: about 2**21 numbers per stacked activation).

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from numeric import MLP, init_params, spiral
    >>> net = MLP((2, 5, 3), hidden="tanh", output="softmax", loss="ce", layout="rows")
    >>> X, y = spiral(10, 3, rng=0)
    >>> print(check_network(net, init_params(net, rng=0), X, y, seed=0).verdict)
    pass
    """
    import numeric

    config = CheckConfig(method=method, rtol=rtol, atol=atol, seed=seed, directions=directions,
                         chunk_size=chunk_size, full_limit=sys.maxsize)
    loss, cache = numeric.forward(net, params, X, Y)  # validates net, params, X and Y
    canonical = {k: params[k] for k in net.param_shapes()}
    structure, originals = normalise_params(canonical)
    arrays = private_copies(originals)
    copy = structure.build(private_copies(arrays))
    if grad is None:
        value = numeric.backward(net, copy, numeric.forward(net, copy, X, Y)[1])
    else:
        value = grad(copy) if callable(grad) else grad
    analytic, problems = normalise_grad(value, structure)
    probe = NetworkProbe(net, structure, arrays, X, Y, cache, config.chunk_size)
    target = Target(structure=structure, arrays=arrays, f0=float(loss),
                    out_eps=float(np.finfo(np.asarray(loss).dtype).eps), analytic=analytic,
                    problems=problems)
    return run_check(probe, target, config)
