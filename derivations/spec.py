"""A network a person can type: ``"2-4-1 sigmoid/sigmoid bce mean columns"``.

The grammar, shared by :func:`parse_spec` (Python) and ``gradproof check`` (command line)::

    SIZES  ACTIVATIONS  LOSS  [half]  [REDUCTION]  [LAYOUT]  [summed]

- ``SIZES``: layer widths joined by ``-``, inputs first: ``2-4-1`` is 2 inputs, one hidden
  layer of 4, 1 output; at least two widths, each >= 1.
- ``ACTIVATIONS``: ``HIDDEN/OUTPUT``; ``HIDDEN`` is one name for every hidden layer or one
  name per hidden layer separated by commas (``tanh,relu/identity``). A network without a
  hidden layer (``2-1``) takes just the output's name; a single name without ``/`` applies to
  every layer. Names: see :data:`ACTIVATIONS`; ``softmax`` only at the output.
- ``LOSS``: ``bce`` (binary cross-entropy, sigmoid or softmax outputs), ``ce`` (categorical
  cross-entropy with one-hot targets, softmax outputs), ``mse`` (squared error).
- ``half``: the squared error carries the factor 1/2 (``mse`` only).
- ``REDUCTION``: ``mean`` over the m samples (default), ``sum``, or ``mean_all`` over
  samples x outputs.
- ``LAYOUT``: ``columns`` (samples are columns, ``Z = W @ A_prev + b``; default) or ``rows``
  (samples are rows, ``Z = A_prev @ W + b``).
- ``summed``: in formulas, ``dZ1``, ``dA1``, ... name the gradients of the *summed* loss, the
  loss before the reduction divides it (Andrew Ng's notes: ``dZ2 = A2 - Y`` and
  ``dW2 = dZ2 @ A1.T / m``). Without it (the default) they are the gradients of the loss
  itself (cs231n: ``dscores = (probs - y) / N``). ``dW`` and ``db`` are always gradients of
  the loss itself.

The words after ``ACTIVATIONS`` may come in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from derivations.networks import LOSSES, REDUCTIONS, Layout

__all__ = [
    "ACTIVATIONS",
    "LAYOUTS",
    "LOSSES",
    "REDUCTIONS",
    "Spec",
    "SpecError",
    "parse_spec",
]

#: every activation a spec may name; ``leaky_relu`` has slope 1/100 below 0 (the documents'
#: networks, `derivations.networks`, know no leaky ReLU but an exp-form sigmoid)
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax")
LAYOUTS: tuple[Layout, ...] = ("columns", "rows")

_OUTPUTS_FOR_LOSS = {"bce": ("sigmoid", "softmax"), "ce": ("softmax",), "mse": ACTIVATIONS}


class SpecError(ValueError):
    """A network spec that does not follow the grammar; the message names the token at fault."""


def _listing(choices: Sequence[str]) -> str:
    return ", ".join(repr(c) for c in choices)


@dataclass(frozen=True)
class Spec:
    """A small MLP and its loss, as one line of text or as keywords.

    Parameters
    ----------
    sizes : tuple of int
        ``(n_0, ..., n_L)``: inputs, hidden widths, outputs; at least two, each >= 1.
    hidden : tuple of str
        One activation per hidden layer (``L - 1`` names; a single name is repeated).
    output : str
        The output layer's activation.
    loss : {"bce", "ce", "mse"}
    reduction : {"mean", "sum", "mean_all"}
    half : bool
        Whether the squared error carries 1/2 (``mse`` only).
    layout : {"columns", "rows"}
        ``columns``: X (n_0, m), W_l (n_l, n_{l-1}), b_l (n_l, 1); ``rows``: X (m, n_0),
        W_l (n_{l-1}, n_l), b_l (1, n_l).
    summed : bool
        Whether ``dZl``/``dAl`` mean gradients of the summed loss (see the module docstring).

    Raises
    ------
    SpecError
        For a size, name or combination outside the grammar (a ``ValueError``).

    Examples
    --------
    >>> str(Spec(sizes=(2, 4, 1), hidden="sigmoid", output="sigmoid", loss="bce"))
    '2-4-1 sigmoid/sigmoid bce mean columns'
    >>> parse_spec("3-5-5-2 tanh,relu/identity mse half mean_all columns").hidden
    ('tanh', 'relu')
    """

    sizes: tuple[int, ...]
    hidden: tuple[str, ...] | str = ()
    output: str = "sigmoid"
    loss: str = "bce"
    reduction: str = "mean"
    half: bool = False
    layout: Layout = "columns"
    summed: bool = False

    def __post_init__(self) -> None:
        sizes = self.sizes
        if isinstance(sizes, str) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in sizes
        ):
            raise SpecError(f"sizes={sizes!r}: expected a tuple of ints such as (2, 4, 1)")
        sizes = tuple(sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise SpecError(
                f"sizes={sizes}: expected at least two widths (inputs and outputs), each >= 1"
            )
        object.__setattr__(self, "sizes", sizes)
        n_hidden = len(sizes) - 2
        hidden = (self.hidden,) * n_hidden if isinstance(self.hidden, str) else tuple(self.hidden)
        if n_hidden and len(hidden) == 1:
            hidden = hidden * n_hidden
        if len(hidden) != n_hidden:
            raise SpecError(
                f"hidden={hidden!r}: sizes {'-'.join(map(str, sizes))} has {n_hidden} hidden "
                f"layer(s); give one activation for all or one per hidden layer"
            )
        object.__setattr__(self, "hidden", hidden)
        for name in hidden:
            if name not in ACTIVATIONS or name == "softmax":
                allowed = [a for a in ACTIVATIONS if a != "softmax"]
                raise SpecError(
                    f"hidden activation {name!r} is not one of {_listing(allowed)} "
                    "(softmax only at the output)"
                )
        _choice("output activation", self.output, ACTIVATIONS)
        _choice("loss", self.loss, LOSSES)
        _choice("reduction", self.reduction, REDUCTIONS)
        _choice("layout", self.layout, LAYOUTS)
        if self.output not in _OUTPUTS_FOR_LOSS[self.loss]:
            raise SpecError(
                f"loss {self.loss!r} needs an output activation in "
                f"{_listing(_OUTPUTS_FOR_LOSS[self.loss])}, got {self.output!r} (its log needs "
                "outputs in (0, 1))"
            )
        if self.half and self.loss != "mse":
            raise SpecError(f"'half' is for the squared error (mse), not loss {self.loss!r}")
        if self.loss in ("bce", "ce") and self.output == "softmax" and sizes[-1] < 2:
            raise SpecError(
                f"softmax over {sizes[-1]} output is the constant 1; give at least 2 outputs"
            )

    @property
    def activations(self) -> tuple[str, ...]:
        """One activation per layer, the output's last."""
        return (*self.hidden, self.output)

    @property
    def n_layers(self) -> int:
        """L, the number of affine layers."""
        return len(self.sizes) - 1

    def __str__(self) -> str:
        acts = self.output if not self.hidden else f"{','.join(self.hidden)}/{self.output}"
        if len(set(self.hidden)) == 1 and len(self.hidden) > 1:
            acts = f"{self.hidden[0]}/{self.output}"
        words = ["-".join(map(str, self.sizes)), acts, self.loss]
        words += ["half"] if self.half else []
        words += [self.reduction, self.layout]
        words += ["summed"] if self.summed else []
        return " ".join(words)


def _choice(what: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        raise SpecError(f"{what} {value!r} is not one of {_listing(choices)}")


def _sizes(token: str) -> tuple[int, ...]:
    parts = token.split("-")
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        raise SpecError(
            f"sizes {token!r}: expected layer widths joined by '-', inputs first, e.g. '2-4-1'"
        )
    return tuple(int(p) for p in parts)


def _activations(token: str, n_layers: int) -> tuple[tuple[str, ...], str]:
    if "/" not in token:
        if "," in token:
            raise SpecError(
                f"activations {token!r}: separate the hidden layers from the output with '/', "
                "e.g. 'tanh,relu/identity'"
            )
        return (token,) * (n_layers - 1), token
    hidden, _, output = token.partition("/")
    if not output or "/" in output:
        raise SpecError(f"activations {token!r}: expected HIDDEN/OUTPUT, e.g. 'relu/softmax'")
    names = tuple(hidden.split(",")) if hidden else ()
    return names, output


_KEYWORDS = {**{w: "loss" for w in LOSSES}, **{w: "reduction" for w in REDUCTIONS},
             **{w: "layout" for w in LAYOUTS}, "half": "half", "summed": "summed"}


def parse_spec(text: str | Spec) -> Spec:
    """Read a spec written in the grammar of this module (a :class:`Spec` passes through).

    Parameters
    ----------
    text : str or Spec
        E.g. ``"2-4-3 relu/softmax ce mean rows"``.

    Returns
    -------
    Spec

    Raises
    ------
    SpecError
        Naming the token that is not in the grammar and listing what is allowed there.

    Examples
    --------
    >>> spec = parse_spec("2-4-3 relu/softmax ce mean rows")
    >>> spec.sizes, spec.activations, spec.loss, spec.reduction, spec.layout
    ((2, 4, 3), ('relu', 'softmax'), 'ce', 'mean', 'rows')
    """
    if isinstance(text, Spec):
        return text
    if not isinstance(text, str):
        raise SpecError(f"spec must be a str or a Spec, got {type(text).__name__}")
    tokens = text.split()
    if len(tokens) < 3:
        raise SpecError(
            f"spec {text!r}: expected at least SIZES ACTIVATIONS LOSS, e.g. "
            "'2-4-1 sigmoid/sigmoid bce mean columns'"
        )
    sizes = _sizes(tokens[0])
    hidden, output = _activations(tokens[1], len(sizes) - 1)
    options: dict[str, object] = {}
    for token in tokens[2:]:
        word = token.lower()
        kind = _KEYWORDS.get(word)
        if kind is None:
            raise SpecError(
                f"spec word {token!r} is not a loss ({_listing(LOSSES)}), a reduction "
                f"({_listing(REDUCTIONS)}), a layout ({_listing(LAYOUTS)}), 'half' or 'summed'"
            )
        if kind in options:
            raise SpecError(f"spec gives the {kind} twice ({token!r} after {options[kind]!r})")
        options[kind] = True if kind in ("half", "summed") else word
    if "loss" not in options:
        raise SpecError(f"spec {text!r} names no loss; add one of {_listing(LOSSES)}")
    return Spec(sizes=sizes, hidden=hidden, output=output, **options)  # type: ignore[arg-type]
