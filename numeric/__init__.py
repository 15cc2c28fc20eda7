"""Vectorized NumPy backpropagation for the multilayer perceptrons of the four seed documents.

Activations with their derivatives side by side, losses whose conventions (reduction, the 1/2
of MSE, logits or probabilities) are named arguments, an `MLP` spec with `forward`, `backward`
and `loss_and_grad` in both layouts (``"columns"``: Z = W X + b; ``"rows"``: Z = X W + b), losses
of K parameter vectors in one stacked pass for gradient checkers, gradient-descent training and
the seeds' data sets. The parameters' dtype (float32 or float64) is the dtype of every result;
no function modifies an array it is given.
"""

from __future__ import annotations

from numeric._types import FloatArray, Layout, Reduction
from numeric.activations import (
    ACTIVATIONS,
    Activation,
    identity,
    identity_backward,
    leaky_relu,
    leaky_relu_backward,
    log_softmax,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from numeric.batched import (
    batched_loss,
    batched_loss_and_grad,
    batched_loss_from,
    flatten_params,
    unflatten_params,
)
from numeric.data import regression, spiral, two_class
from numeric.losses import (
    LOSSES,
    Loss,
    binary_cross_entropy,
    binary_cross_entropy_backward,
    categorical_cross_entropy,
    categorical_cross_entropy_backward,
    mean_squared_error,
    mean_squared_error_backward,
)
from numeric.mlp import MLP, Cache, backward, forward, init_params, predict
from numeric.objective import Objective, loss_and_grad
from numeric.training import TrainingDiverged, TrainResult, train

__all__ = [  # noqa: RUF022 -- grouped by owning module (STYLE.md section 4), not sorted
    # _types.py
    "FloatArray",
    "Layout",
    "Reduction",
    # activations.py
    "ACTIVATIONS",
    "Activation",
    "identity",
    "identity_backward",
    "leaky_relu",
    "leaky_relu_backward",
    "log_softmax",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_backward",
    # losses.py
    "LOSSES",
    "Loss",
    "binary_cross_entropy",
    "binary_cross_entropy_backward",
    "categorical_cross_entropy",
    "categorical_cross_entropy_backward",
    "mean_squared_error",
    "mean_squared_error_backward",
    # mlp.py
    "MLP",
    "Cache",
    "backward",
    "forward",
    "init_params",
    "predict",
    # objective.py
    "Objective",
    "loss_and_grad",
    # batched.py
    "batched_loss",
    "batched_loss_and_grad",
    "batched_loss_from",
    "flatten_params",
    "unflatten_params",
    # training.py
    "TrainResult",
    "TrainingDiverged",
    "train",
    # data.py
    "regression",
    "spiral",
    "two_class",
]
