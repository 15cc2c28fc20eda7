"""The spec's network and its true gradients (derivations/spec_network.py).

Oracle: derivations.networks (network + gradients), an independent builder of the same MLPs
used by the documents' claims, and sympy.diff on the plain expressions.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations.networks import gradients, network
from derivations.spec import parse_spec
from derivations.spec_network import (
    activation_prime,
    normal_steps,
    spec_network,
    true_gradient,
)


@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize(
    ("text", "acts", "loss", "reduction", "half"),
    [
        ("2-2-1 sigmoid/sigmoid bce mean", ("sigmoid", "sigmoid"), "bce", "mean", False),
        ("1-2-2 tanh/identity mse half mean_all", ("tanh", "identity"), "mse", "mean_all",
         True),
        ("2-1-2 tanh/softmax ce sum", ("tanh", "softmax"), "ce", "sum", False),
    ],
)
def test_parameter_gradients_match_the_documents_network_builder(layout, text, acts, loss,
                                                                 reduction, half):
    spec = parse_spec(f"{text} {layout}")
    dims = (*spec.sizes, 2)
    ref = gradients(network(spec.sizes, 2, layout=layout, activations=acts, loss=loss,
                            reduction=reduction, half=half))
    for name in ("W1", "b1", "W2", "b2"):
        mine = sp.Matrix(true_gradient(spec, dims, f"d{name}"))
        assert mine.shape == ref[name].shape
        assert all(sp.simplify(a - b) == 0 for a, b in zip(mine, ref[name], strict=True)), name


def test_summed_scales_dz_and_da_but_not_dw():
    plain = parse_spec("2-2-1 sigmoid/sigmoid bce mean columns")
    summed = parse_spec("2-2-1 sigmoid/sigmoid bce mean columns summed")
    dims = (2, 2, 1, 3)
    assert np.array_equal(true_gradient(plain, dims, "dW1"), true_gradient(summed, dims, "dW1"))
    ratio = true_gradient(summed, dims, "dZ2")[0, 0] / true_gradient(plain, dims, "dZ2")[0, 0]
    assert sp.simplify(ratio) == 3


def test_dz_is_the_derivative_through_the_tail():
    # one layer, identity, half squared error summed: dZ1 = A1 - Y exactly
    spec = parse_spec("1-1 identity mse half sum rows")
    net = spec_network(spec, (1, 1, 1))
    dz = true_gradient(spec, (1, 1, 1), "dZ1")[0, 0]
    assert sp.expand(dz - (net.values["A1"][0, 0] - net.values["Y"][0, 0])) == 0


def test_activation_primes_are_sympy_derivatives_in_normal_form():
    z = sp.Symbol("z", real=True)
    sigmoid_prime = activation_prime("sigmoid")(z).rewrite(sp.exp)
    assert sp.simplify(sigmoid_prime - sp.diff(1 / (1 + sp.exp(-z)), z)) == 0
    leaky = activation_prime("leaky_relu")(z)
    assert leaky == sp.Rational(99, 100) * sp.Heaviside(z) + sp.Rational(1, 100)
    assert normal_steps(sp.Heaviside(-2 * z)) == 1 - sp.Heaviside(z)
