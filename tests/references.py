"""Independent references for the tests: every activation and loss of numeric's registries.

Written with ``autograd.numpy`` (which also runs on plain NumPy arrays) and, for the
cross-checks in CI, with torch: textbook formulas, never numeric's own code. This is the one
test-side table a new activation or loss adds its entries to; the registry tests
(``test_every_registered_activation_and_loss_has_a_reference_and_is_drawn``) fail until it
does.
"""

from __future__ import annotations

from typing import Any

import autograd.numpy as anp

__all__ = ["ACTIVATIONS", "KINKED", "LOSSES", "TORCH_ACTIVATIONS", "TORCH_LOSSES"]


def _softmax(Z: Any, axis: int, slope: float) -> Any:
    E = anp.exp(Z)  # values are tame in the tests: no shift, the textbook formula
    return E / anp.sum(E, axis=axis, keepdims=True)


#: name -> f(Z, axis, slope), autograd-differentiable
ACTIVATIONS = {
    "sigmoid": lambda Z, axis, slope: 1.0 / (1.0 + anp.exp(-Z)),
    "tanh": lambda Z, axis, slope: anp.tanh(Z),
    "relu": lambda Z, axis, slope: anp.where(Z > 0, Z, 0.0),
    "leaky_relu": lambda Z, axis, slope: anp.where(Z > 0, Z, slope * Z),
    "identity": lambda Z, axis, slope: Z,
    "softmax": _softmax,
}

#: activations with a kink at 0 (autograd picks its own derivative there)
KINKED = frozenset({"relu", "leaky_relu"})

#: name -> loss(A, T, half) summed over all entries; A the output activation, T dense targets
LOSSES = {
    "bce": lambda A, T, half: -anp.sum(T * anp.log(A) + (1 - T) * anp.log(1 - A)),
    "ce": lambda A, T, half: -anp.sum(T * anp.log(A)),
    "mse": lambda A, T, half: anp.sum((A - T) ** 2) * (0.5 if half else 1.0),
}


def _torch() -> Any:
    import torch

    return torch


#: name -> f(Z, dim, slope) on torch tensors (torch imported only when one is called)
TORCH_ACTIVATIONS = {
    "sigmoid": lambda Z, dim, slope: _torch().sigmoid(Z),
    "tanh": lambda Z, dim, slope: _torch().tanh(Z),
    "relu": lambda Z, dim, slope: _torch().relu(Z),
    "leaky_relu": lambda Z, dim, slope: _torch().nn.functional.leaky_relu(Z, slope),
    "identity": lambda Z, dim, slope: Z,
    "softmax": lambda Z, dim, slope: _torch().softmax(Z, dim=dim),
}


def _torch_ce(A: Any, T: Any, dim: int, half: bool) -> Any:
    torch = _torch()
    log_p = torch.log(A if dim == 1 else A.T)  # nll_loss wants (samples, classes)
    return torch.nn.functional.nll_loss(log_p, T.argmax(dim=dim), reduction="sum")


#: name -> loss(A, T, dim, half) summed over all entries, on torch tensors (dim: the classes)
TORCH_LOSSES = {
    "bce": lambda A, T, dim, half: _torch().nn.functional.binary_cross_entropy(
        A, T, reduction="sum"),
    "ce": _torch_ce,
    "mse": lambda A, T, dim, half: _torch().nn.functional.mse_loss(A, T, reduction="sum")
    * (0.5 if half else 1.0),
}
