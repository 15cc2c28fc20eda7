"""The affine layer, forward next to backward, in both layouts; 2-D or stacked along K.

``cols=True`` is layout="columns" (Z = W A_prev + b, seeds 000, 001, 003), ``cols=False`` is
layout="rows" (Z = A_prev W + b, seed 002). Any operand may carry a leading K axis (stacked
networks); NumPy's matmul broadcasts it.
"""

from __future__ import annotations

import numpy as np

from numeric._types import FloatArray


def mT(x: FloatArray) -> FloatArray:
    """Transpose of the last two axes (a view), for 2-D and stacked arrays alike."""
    return x.T if x.ndim == 2 else np.swapaxes(x, -1, -2)


def mm(a: FloatArray, b: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """``a @ b`` (into ``out``): np.dot for 2-D operands (less call overhead), else matmul."""
    if a.ndim == 2 and b.ndim == 2:
        return np.dot(a, b, out=out)
    return np.matmul(a, b, out=out)


def affine(W: FloatArray, b: FloatArray, A_prev: FloatArray, cols: bool) -> FloatArray:
    """Z = W A_prev + b (columns, seed 000) or A_prev W + b (rows, seed 002), a new array.

    Parameters
    ----------
    W : ndarray, shape (n_out, n_in) for cols, (n_in, n_out) for rows; or (K, ...) stacked
    b : ndarray, shape (n_out, 1) or (1, n_out); or (K, ...)
    A_prev : ndarray, shape (n_in, m) or (m, n_in); or (K, ...)
    cols : bool

    Returns
    -------
    ndarray, shape (n_out, m) or (m, n_out), with the broadcast leading K axis if any
    """
    Z = mm(W, A_prev) if cols else mm(A_prev, W)
    return np.add(Z, b, out=Z) if Z.ndim >= b.ndim else Z + b  # bias in place: no 2nd array


def affine_backward(
    dZ: FloatArray, A_prev: FloatArray, W: FloatArray, cols: bool, *, input_grad: bool = True
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Gradients of one affine layer: (dW, db, dA_prev).

    Parameters
    ----------
    dZ : ndarray, shape (n_out, m) for cols, (m, n_out) for rows; or (K, ...) stacked
        dL/dZ for the whole batch, the loss's reduction factor already in it.
    A_prev : ndarray, shape (n_in, m) or (m, n_in); or (K, ...)
    W : ndarray, shape (n_out, n_in) or (n_in, n_out); or (K, ...)
    cols : bool
    input_grad : bool
        Compute dA_prev (False for the first layer: no gradient with respect to the data).

    Returns
    -------
    dW : ndarray with the shape of W (seed 003: dW = dZ A_prev^T; seed 002: dw = a^T dz)
    db : ndarray with the shape of b (the sum of dZ over the samples)
    dA_prev : ndarray with the shape of A_prev, or None
    """
    dW = mm(dZ, mT(A_prev)) if cols else mm(mT(A_prev), dZ)
    db = np.add.reduce(dZ, axis=-1 if cols else -2, keepdims=True)
    dA = None
    if input_grad:
        dA = mm(mT(W), dZ) if cols else mm(dZ, mT(W))
    return dW, db, dA
