"""Run code that compares values on symbolic inputs, one sign pattern at a time.

Code such as ``dZ1 = dA1 * (Z1 > 0)`` cannot run on SymPy symbols: ``Z1 > 0`` has no truth
value. Here it runs on object arrays of :class:`Traced` values, each a SymPy expression in
the network's symbols: arithmetic builds the expression, and a comparison asks a
:class:`Pattern` for the sign of the quantity compared (``Z1[0, 0]`` for ``Z1 > 0``). The
first time a quantity is met its sign is *chosen*; :func:`patterns` re-runs the code until
every combination of choices has been taken (a depth-first walk of the code's decision tree).

Each run gives the code's output as an exact expression valid on one open region of the
inputs: the points where every compared quantity has the sign chosen. The region may be
empty (the choices contradict each other); an identity proven there holds vacuously. Every
point where no compared quantity is 0 lies in the region of one run, so an identity proven
on every run holds everywhere off the kinks (the points where a compared quantity is 0, at
which ReLU'(0) and ``>`` against ``>=`` are conventions).

The derivative of the loss is put on the same footing by :func:`on_pattern`: each
``Heaviside(u)`` becomes 1 or 0 and each ``Relu(u)`` becomes ``u`` or 0, by the sign of ``u``
in the same pattern (a new quantity is a new choice, walked like the code's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from derivations.decide import PRECISION
from derivations.spec_network import Relu

__all__ = ["Pattern", "Traced", "on_pattern", "patterns", "traced_array", "untraced"]


def normal_quantity(q: sp.Expr) -> tuple[int, sp.Expr]:
    """``q = s * c * u`` with ``s`` = +1 or -1, ``c > 0`` and ``u``'s leading coefficient 1.

    The same normal form as :func:`derivations.spec_network.normal_steps`, so that the code's
    ``Z1 > 0`` and the derivative's ``Heaviside(Z1)`` ask about one quantity.
    """
    q = sp.expand(q)
    terms = sorted(sp.Add.make_args(q), key=lambda t: sp.default_sort_key(t.as_coeff_Mul()[1]))
    lead = terms[0].as_coeff_Mul()[0]
    if not lead.is_number or lead == 0:
        return 1, q
    u = sp.expand(q / abs(lead))
    return (1, u) if lead > 0 else (-1, sp.expand(-u))


class Pattern:
    """The signs chosen, in order, for the quantities one run compares.

    Parameters
    ----------
    prefix : sequence of bool
        The choices to take for the first quantities met (True: positive); later ones are
        chosen positive.
    """

    def __init__(self, prefix: tuple[bool, ...] = ()) -> None:
        self._prefix = prefix
        self.signs: dict[sp.Expr, bool] = {}

    def sign(self, q: Any) -> int:
        """The sign of ``q`` on this pattern's region: 1, -1, or 0 for a number equal to 0."""
        q = sp.sympify(q)
        if q.is_number:
            return _number_sign(q)
        s, u = normal_quantity(q)
        if u.is_number:
            return s * _number_sign(u)
        if u not in self.signs:
            k = len(self.signs)
            self.signs[u] = self._prefix[k] if k < len(self._prefix) else True
        return s if self.signs[u] else -s

    def next_prefix(self) -> tuple[bool, ...] | None:
        """The choices of the next run of the walk, or ``None`` when the walk is complete."""
        taken = list(self.signs.values())
        while taken and not taken[-1]:
            taken.pop()
        return None if not taken else (*taken[:-1], False)

    def describe(self) -> str:
        """The region in words, e.g. ``Z > 0 for 3 quantities, < 0 for 1``."""
        pos = sum(self.signs.values())
        return f"{pos} quantities > 0 and {len(self.signs) - pos} < 0"


def _number_sign(q: sp.Expr) -> int:
    if q.is_Rational:
        return int(sp.sign(q))
    value = sp.N(q, PRECISION)
    if not value.is_number or not value.is_real:
        raise TypeError(f"cannot compare {q}: it is not a real number")
    tiny = sp.Float(10) ** (-(PRECISION - 10))
    return 0 if abs(value) < tiny else (1 if value > 0 else -1)


def _lift(x: Any) -> sp.Expr:
    if isinstance(x, Traced):
        return x.e
    if isinstance(x, (bool, np.bool_)):
        return sp.Integer(int(x))
    if isinstance(x, (int, np.integer)):
        return sp.Integer(int(x))
    if isinstance(x, (float, np.floating)):
        f = Fraction(repr(float(x)))  # 0.01 is meant as 1/100
        return sp.Rational(f.numerator, f.denominator)
    if isinstance(x, sp.Basic):
        return x
    raise TypeError(f"cannot trace an operation with {type(x).__name__}")


class Traced:
    """An exact value in the inputs' symbols whose comparisons ask a :class:`Pattern`."""

    __slots__ = ("e", "pattern")
    __hash__ = None  # type: ignore[assignment] - compared by sign, not by identity

    def __init__(self, e: sp.Expr, pattern: Pattern) -> None:
        self.e = e
        self.pattern = pattern

    def _new(self, e: sp.Expr) -> Traced:
        return Traced(e, self.pattern)

    def __deepcopy__(self, memo: dict[int, Any]) -> Traced:
        return self  # immutable; copies must share the pattern

    def __repr__(self) -> str:
        return f"Traced({self.e})"

    def __add__(self, o: Any) -> Traced:
        return self._new(self.e + _lift(o))

    def __radd__(self, o: Any) -> Traced:
        return self._new(_lift(o) + self.e)

    def __sub__(self, o: Any) -> Traced:
        return self._new(self.e - _lift(o))

    def __rsub__(self, o: Any) -> Traced:
        return self._new(_lift(o) - self.e)

    def __mul__(self, o: Any) -> Traced:
        return self._new(self.e * _lift(o))

    def __rmul__(self, o: Any) -> Traced:
        return self._new(_lift(o) * self.e)

    def __truediv__(self, o: Any) -> Traced:
        return self._new(self.e / _lift(o))

    def __rtruediv__(self, o: Any) -> Traced:
        return self._new(_lift(o) / self.e)

    def __pow__(self, o: Any) -> Traced:
        return self._new(self.e ** _lift(o))

    def __rpow__(self, o: Any) -> Traced:
        return self._new(_lift(o) ** self.e)

    def __neg__(self) -> Traced:
        return self._new(-self.e)

    def __pos__(self) -> Traced:
        return self

    def __abs__(self) -> Traced:
        return self if self.pattern.sign(self.e) >= 0 else self._new(-self.e)

    def _cmp(self, o: Any) -> int:
        return self.pattern.sign(self.e - _lift(o))

    def __gt__(self, o: Any) -> bool:
        return self._cmp(o) > 0

    def __ge__(self, o: Any) -> bool:
        return self._cmp(o) >= 0

    def __lt__(self, o: Any) -> bool:
        return self._cmp(o) < 0

    def __le__(self, o: Any) -> bool:
        return self._cmp(o) <= 0

    def __eq__(self, o: object) -> bool:  # type: ignore[override]
        return self._cmp(o) == 0

    def __ne__(self, o: object) -> bool:  # type: ignore[override]
        return self._cmp(o) != 0

    def __bool__(self) -> bool:
        return self.pattern.sign(self.e) != 0

    # NumPy's ufuncs on object arrays call these methods
    def exp(self) -> Traced:  # noqa: D102 - the method np.exp calls
        return self._new(sp.exp(self.e))

    def log(self) -> Traced:  # noqa: D102
        return self._new(sp.log(self.e))

    def tanh(self) -> Traced:  # noqa: D102
        return self._new(sp.tanh(self.e))

    def sqrt(self) -> Traced:  # noqa: D102
        return self._new(sp.sqrt(self.e))


def traced_array(value: Any, pattern: Pattern) -> Any:
    """``value`` (an object array of SymPy expressions, or a scalar) as Traced values."""
    if isinstance(value, np.ndarray):
        out = np.empty(value.shape, dtype=object)
        for idx in np.ndindex(*value.shape):
            out[idx] = Traced(sp.sympify(value[idx]), pattern)
        return out
    return value


def untraced(value: Any) -> Any:
    """A run's value as SymPy: each Traced its expression, each number exact."""
    if isinstance(value, np.ndarray):
        out = np.empty(value.shape, dtype=object)
        for idx in np.ndindex(*value.shape):
            out[idx] = _lift(value[idx])
        return out
    return _lift(value)


def on_pattern(expr: sp.Expr, pattern: Pattern) -> sp.Expr:
    """``expr`` on the pattern's region: steps to 1 or 0, ``Relu(u)`` to ``u`` or 0.

    Innermost first, so ``Heaviside(W2 Relu(Z1) + b2)`` asks about the pre-activation as the
    code computes it on the region.
    """
    expr = sp.sympify(expr)
    while True:
        inner = [a for a in expr.atoms(sp.Heaviside, Relu)
                 if not a.args[0].has(sp.Heaviside, Relu)]
        if not inner:
            return expr
        changes = {}
        for a in inner:
            positive = pattern.sign(a.args[0]) > 0
            if isinstance(a, sp.Heaviside):
                changes[a] = sp.Integer(1 if positive else 0)
            else:
                changes[a] = a.args[0] if positive else sp.Integer(0)
        expr = expr.xreplace(changes)


def patterns(run: Callable[[Pattern], Any], *, limit: int) -> Iterator[tuple[Pattern, Any]]:
    """Run ``run`` once per sign pattern of the walk, yielding each pattern and its result.

    Stops after ``limit`` runs; the caller knows the walk was complete when fewer were
    yielded or when the last pattern's :meth:`Pattern.next_prefix` is ``None``.
    """
    prefix: tuple[bool, ...] | None = ()
    for _ in range(limit):
        pattern = Pattern(prefix)
        yield pattern, run(pattern)
        prefix = pattern.next_prefix()
        if prefix is None:
            return
