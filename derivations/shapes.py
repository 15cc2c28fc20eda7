"""Shape algebra on symbolic matrices: is a product defined, what shape results, is it as stated.

The documents state shapes in the text ("must be multiplied such that the resulting matrix
has the shape (4, 3)") and write products whose definedness depends on the layout
(``w^{2^T} * a^1`` with ``a^1`` of shape (300, 4)). These statements are decided here on
SymPy ``MatrixSymbol`` objects of the stated dimensions: a product that is not defined
raises ``sympy.ShapeError``; a defined one has a computed ``.shape``.

NumPy's broadcasting of a bias row over the samples (``np.dot(x, w1) + b1``) has no
counterpart in matrix algebra; :func:`np_add` and :func:`np_sum` express it with SymPy's
``OneMatrix`` so that the code cells' shapes are computed the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import sympy as sp

from derivations.claim import Counterexample, Decision, Verdict

__all__ = [
    "Shape",
    "decide_product_orientation",
    "decide_shape",
    "decide_shapes",
    "mat",
    "np_add",
    "np_sum",
    "products_with_shape",
    "shape_of",
    "shape_text",
]

Shape = tuple[int, ...]
ShapeBuild = Callable[[], sp.MatrixExpr]


def mat(name: str, rows: int, cols: int) -> sp.MatrixSymbol:
    """A symbolic ``rows x cols`` matrix named ``name``.

    Examples
    --------
    >>> (mat("a1", 300, 4).T * mat("dz2", 300, 3)).shape
    (4, 3)
    """
    if rows < 1 or cols < 1:
        raise ValueError(f"mat({name!r}): rows and cols must be >= 1, got ({rows}, {cols})")
    return sp.MatrixSymbol(name, rows, cols)


def np_add(a: sp.MatrixExpr, b: sp.MatrixExpr) -> sp.MatrixExpr:
    """``a + b`` with NumPy broadcasting of a (1, n) row or an (m, 1) column.

    Raises
    ------
    sympy.ShapeError
        If the shapes do not broadcast (NumPy would raise ``ValueError`` there).

    Examples
    --------
    >>> np_add(mat("xw", 300, 4), mat("b1", 1, 4)).shape
    (300, 4)
    """
    (ar, ac), (br, bc) = a.shape, b.shape
    rows, cols = _broadcast(ar, br, "rows", a, b), _broadcast(ac, bc, "columns", a, b)
    return _stretch(a, rows, cols) + _stretch(b, rows, cols)


def _broadcast(x: int, y: int, axis: str, a: sp.MatrixExpr, b: sp.MatrixExpr) -> int:
    if x == y or y == 1:
        return x
    if x == 1:
        return y
    raise sp.ShapeError(
        f"shapes {a.shape} and {b.shape} do not broadcast: {axis} {x} and {y} differ and "
        "neither is 1"
    )


def _stretch(a: sp.MatrixExpr, rows: int, cols: int) -> sp.MatrixExpr:
    if a.shape[0] != rows:
        a = sp.OneMatrix(rows, 1) * a
    if a.shape[1] != cols:
        a = a * sp.OneMatrix(1, cols)
    return a


def np_sum(a: sp.MatrixExpr, *, axis: int) -> sp.MatrixExpr:
    """``np.sum(a, axis=axis, keepdims=True)`` as a product with a matrix of ones.

    Examples
    --------
    >>> np_sum(mat("dz2", 300, 3), axis=0).shape
    (1, 3)
    """
    if axis == 0:
        return sp.OneMatrix(1, a.shape[0]) * a
    if axis == 1:
        return a * sp.OneMatrix(a.shape[1], 1)
    raise ValueError(f"axis={axis!r} is not one of 0, 1")


def shape_of(build: ShapeBuild) -> Shape | None:
    """The shape of the matrix expression ``build()`` returns, or ``None`` if it is undefined."""
    try:
        return tuple(int(d) for d in build().shape)
    except sp.ShapeError:
        return None


def shape_text(shape: Shape | None) -> str:
    """``(300, 4)``, or ``undefined`` for ``None``."""
    return "undefined" if shape is None else str(tuple(shape))


def decide_shape(
    build: ShapeBuild,
    stated: Shape,
    *,
    what: str,
    corrected: ShapeBuild | None = None,
    corrected_latex: str | None = None,
) -> Decision:
    """Decide whether the expression ``build()`` is defined and has the ``stated`` shape.

    Parameters
    ----------
    build : callable () -> sympy.MatrixExpr
        Builds the expression on symbolic matrices of the document's dimensions; raises
        ``sympy.ShapeError`` when a product or sum in it is undefined.
    stated : tuple of int
        The shape the document states.
    what : str
        How the reason names the expression.
    corrected, corrected_latex : optional
        For a refutation: the expression that is defined and has the right shape (decided
        the same way, it must come out proven) and how to display it.

    Returns
    -------
    Decision
        ``PROVEN`` if defined with the stated shape, else ``REFUTED`` with the computed shape
        (or ``undefined``) as the counterexample.
    """
    stated = tuple(stated)
    try:
        shape: Shape | None = tuple(int(d) for d in build().shape)
        error = ""
    except sp.ShapeError as exc:
        shape, error = None, str(exc)
    if shape == stated:
        return Decision(
            Verdict.PROVEN,
            f"{what} is defined on symbolic matrices and has shape {stated}",
            evidence=("shape algebra on sympy.MatrixSymbol",),
        )
    check = None
    if corrected is not None:
        right = shape_of(corrected)
        check = decide_shape(corrected, right or stated, what="the corrected expression")
    why = f"is not defined ({error})" if shape is None else f"has shape {shape}"
    return Decision(
        Verdict.REFUTED,
        f"{what} {why}, not the stated {stated}",
        counterexample=Counterexample(
            point={"expression": what}, stated=shape_text(stated), correct=shape_text(shape)
        ),
        corrected=corrected_latex,
        corrected_check=check,
        evidence=("shape algebra on sympy.MatrixSymbol",),
    )


def decide_shapes(builds: Mapping[str, ShapeBuild], stated: Mapping[str, Shape], *,
                  what: str) -> Decision:
    """Decide several stated shapes at once (``"dz2 is (300, 3) and a1 is (300, 4)"``).

    Each named expression is decided by :func:`decide_shape`; the first refutation is
    returned, else ``PROVEN`` naming every shape.
    """
    if set(builds) != set(stated):
        raise ValueError(f"builds names {sorted(builds)} but stated names {sorted(stated)}")
    for name, build in builds.items():
        d = decide_shape(build, stated[name], what=f"{what}: {name}")
        if d.verdict is not Verdict.PROVEN:
            return d
    listing = ", ".join(f"{k} {tuple(v)}" for k, v in stated.items())
    return Decision(
        Verdict.PROVEN,
        f"{what}: computed on symbolic matrices, {listing}",
        evidence=("shape algebra on sympy.MatrixSymbol",),
    )


def products_with_shape(operands: Mapping[str, sp.MatrixExpr], target: Shape) -> list[str]:
    """Every product of two operands, each possibly transposed, that is defined with ``target``.

    Parameters
    ----------
    operands : mapping name -> sympy.MatrixExpr
        Exactly two named matrices.
    target : tuple of int

    Returns
    -------
    list of str
        The products in the form ``"a1.T @ dz2"``, sorted.

    Examples
    --------
    >>> products_with_shape({"a1": mat("a1", 300, 4), "dz2": mat("dz2", 300, 3)}, (4, 3))
    ['a1.T @ dz2']
    """
    if len(operands) != 2:
        raise ValueError(f"operands must name exactly two matrices, got {list(operands)}")
    variants = {}
    for name, m in operands.items():
        variants[name] = m
        variants[f"{name}.T"] = m.T
    found = []
    p, q = operands
    for left, right in itertools.chain(
        itertools.product((p, f"{p}.T"), (q, f"{q}.T")),
        itertools.product((q, f"{q}.T"), (p, f"{p}.T")),
    ):
        try:
            product = variants[left] * variants[right]
        except sp.ShapeError:
            continue
        if tuple(product.shape) == tuple(target):
            found.append(f"{left} @ {right}")
    return sorted(found)


def decide_product_orientation(
    operands: Mapping[str, sp.MatrixExpr],
    target: Shape,
    stated: str | None,
    *,
    what: str,
) -> Decision:
    """Decide "``operands`` must be multiplied so that the result has shape ``target``".

    Every orientation (each operand transposed or not, either order) is tried on symbolic
    matrices. The statement is proven when the document's ``stated`` product (``"a1.T @ dz2"``;
    ``None`` if it names none) is the only one with that shape, refuted when no product has it
    or the stated one does not.
    """
    found = products_with_shape(operands, target)
    tried = "; ".join(
        f"{n} {shape_text(tuple(m.shape))}" for n, m in operands.items()
    )
    if stated is not None and found == [stated]:
        return Decision(
            Verdict.PROVEN,
            f"of all products of {tried} (each possibly transposed, either order), only "
            f"{stated} has shape {target}",
            evidence=("all 8 orientations tried on sympy.MatrixSymbol",),
        )
    if stated is None and found:
        return Decision(
            Verdict.PROVEN,
            f"the products of {tried} with shape {target} exist: {', '.join(found)}",
            evidence=("all 8 orientations tried on sympy.MatrixSymbol",),
        )
    all_shapes = {}
    for n1, n2 in itertools.permutations(operands, 2):
        for t1, t2 in itertools.product(("", ".T"), repeat=2):
            m1 = operands[n1].T if t1 else operands[n1]
            m2 = operands[n2].T if t2 else operands[n2]
            all_shapes[f"{n1}{t1} @ {n2}{t2}"] = shape_of(lambda m1=m1, m2=m2: m1 * m2)
    defined = {k: v for k, v in all_shapes.items() if v is not None}
    listing = ", ".join(f"{k} -> {shape_text(v)}" for k, v in sorted(defined.items()))
    reason = (
        f"no product of {tried} has shape {target}; the defined ones are {listing}"
        if not found
        else f"{stated} is not the product with shape {target}; those are {', '.join(found)}"
    )
    return Decision(
        Verdict.REFUTED,
        f"{what}: {reason}",
        counterexample=Counterexample(
            point={"operands": tried},
            stated=f"{stated or 'a product'} of shape {target}",
            correct=listing or "no product is defined",
        ),
        evidence=("all 8 orientations tried on sympy.MatrixSymbol",),
    )
