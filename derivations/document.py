r"""The template of a document module: a :class:`Document` and its claims as :class:`Row` data.

A seed tutorial is one module ``derivations/documents/doc<NNN>.py``. It declares one
:class:`Document` (the seed file, the conventions it states, display tables, the networks it
trains) and lists its claims as :class:`Row` values in the document's order;
``Document.build`` turns the rows into :class:`~derivations.claim.Claim` objects. The
registry finds the module by its name (:func:`derivations.registry.document_modules`), so a
new tutorial is one module and its test (``derivations/documents/README.md``).

Examples
--------
>>> from derivations.decide import decide_equal, definition
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> DOC = Document("900_example.txt", conventions={"layout": "columns"})
>>> ROWS = (
...     Row("square", "y = x^2", "y is the square of x", lambda: definition("defines y"),
...         kind="definition"),
...     Row("slope", "dy/dx = 2x", "the slope of x^2 is 2x",
...         lambda: decide_equal(sp.diff(x**2, x), 2 * x, what="2x"),
...         statement=lambda: sp.Eq(sp.Derivative(x**2, x), 2 * x),
...         depends_on=("900-square",)),
... )
>>> [c.id for c in DOC.build(ROWS)]
['900-square', '900-slope']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import sympy as sp

from derivations.claim import Claim, Decision

__all__ = ["DATA_SETS", "DeclaredNetwork", "Document", "Row", "numpy_form"]

#: the data sets a declared network may be trained and checked on (``numeric.data``)
DATA_SETS = ("two_class", "spiral", "regression")


@dataclass(frozen=True)
class DeclaredNetwork:
    """A network a document trains or describes, for the report's numeric cross-checks.

    Attributes
    ----------
    name : str
        A unique label, e.g. ``"doc003-regression"``.
    spec : str
        The network as a :mod:`derivations.spec` line, e.g.
        ``"2-4-1 sigmoid/sigmoid bce mean columns"``; parsed (and so checked) on construction.
    description : str
        One line for the report's tables, e.g. ``"2-4-1 sigmoid, sigmoid + BCE"``.
    labels : str
        How the document gives its targets, e.g. ``"binary 0/1, shape (1, m)"``.
    data : {"two_class", "spiral", "regression"}
        Which ``numeric.data`` set feeds it.

    Raises
    ------
    derivations.spec.SpecError
        If ``spec`` does not follow the grammar (the message names the token at fault).
    ValueError
        If ``data`` is not one of :data:`DATA_SETS`.
    """

    name: str
    spec: str
    description: str
    labels: str
    data: str

    def __post_init__(self) -> None:
        from derivations.spec import parse_spec

        parse_spec(self.spec)
        if self.data not in DATA_SETS:
            raise ValueError(f"network {self.name!r}: data={self.data!r} is not one of "
                             f"{', '.join(map(repr, DATA_SETS))}")


@dataclass(frozen=True)
class Row:
    """One claim of a document as data: what the document says and how it is decided.

    Attributes
    ----------
    id : str
        The claim's id *without* the document prefix (``"dL-dA2"``; the claim is
        ``"000-dL-dA2"``).
    quote : str
        A short verbatim excerpt of the document (checked by :mod:`derivations.sources`).
    title : str
        One line saying what the claim states, in words.
    decide : callable () -> Decision
        Computes the verdict at run time. Call shared primitives (``decide_equal``,
        ``decide_matrix``, ...) inside a ``lambda`` or a function, never through
        ``functools.partial`` of the primitive itself: the mutation tests patch them by name.
    kind : str
        ``"scalar"``, ``"matrix"``, ``"shape"``, ``"code"``, ``"update"``, ``"verbal"``,
        ``"definition"`` or ``"network"``.
    statement : sympy.Basic, callable () -> sympy.Basic, or None
        The statement as SymPy objects, or a function building it when the claim is built;
        None: the document's ``statements`` table, else plain text.
    latex : str
        Display text; "" takes the document's ``latex`` table, else ``sp.latex(statement)``.
    conventions : Mapping[str, str] or None
        None: the document's conventions.
    depends_on : tuple of str
        *Full* ids (``"000-bce-definition"``) of the claims this one builds on.
    numpy : callable or None
        For matrix-form claims: builds the NumPy function of ``derivations.to_numpy``.
    """

    id: str
    quote: str
    title: str
    decide: Callable[[], Decision]
    kind: str = "scalar"
    statement: sp.Basic | Callable[[], sp.Basic] | None = None
    latex: str = ""
    conventions: Mapping[str, str] | None = None
    depends_on: tuple[str, ...] = ()
    numpy: Callable[[], Callable[..., Any]] | None = None


def _built(statement: sp.Basic | Callable[[], sp.Basic] | None) -> sp.Basic | None:
    """A statement, built first when it is given as a function (a SymPy Lambda is not one)."""
    if callable(statement) and not isinstance(statement, sp.Basic):
        return statement()
    return statement


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, eq=False)  # holds functions: identity is its equality and hash
class Document:
    """A seed document: its file, its conventions and the tables its claims share.

    Parameters
    ----------
    file : str
        The seed file's name, e.g. ``"000_7a69e03d4d058e30.txt"``.
    conventions : Mapping[str, str]
        The conventions the document states or assumes (layout, reduction, half, activation,
        loss, labels): every row's default.
    statements : Mapping[str, sympy.Basic or callable () -> sympy.Basic]
        By row id (no prefix): the statement of rows that give none (a function is called
        when the claims are built).
    latex : Mapping[str, str]
        By row id (no prefix): display text of rows that give none.
    networks : tuple of DeclaredNetwork
        The networks the document trains, for the report's conventions table and numeric
        cross-checks (empty: the report shows the claims only).
    prefix : str
        The id prefix, three digits; default: the file name's part before ``_``.

    Raises
    ------
    ValueError
        If the prefix is not three digits, or two networks share a name.
    """

    file: str
    conventions: Mapping[str, str] = field(default_factory=dict)
    statements: Mapping[str, sp.Basic | Callable[[], sp.Basic]] = field(default_factory=dict)
    latex: Mapping[str, str] = field(default_factory=dict)
    networks: tuple[DeclaredNetwork, ...] = ()
    prefix: str = ""

    def __post_init__(self) -> None:
        prefix = self.prefix or self.file.split("_")[0]
        if not re.fullmatch(r"\d{3}", prefix):
            raise ValueError(
                f"document {self.file!r}: prefix {prefix!r} is not three digits; name the "
                "file 'NNN_....txt' or pass prefix='NNN'")
        object.__setattr__(self, "prefix", prefix)
        for name in ("conventions", "statements", "latex"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "networks", tuple(self.networks))
        names = [n.name for n in self.networks]
        if len(set(names)) != len(names):
            raise ValueError(f"document {self.file!r}: two networks share a name in {names}")

    def id(self, row_id: str) -> str:
        """The full claim id of ``row_id``: ``"dL-dA2"`` -> ``"000-dL-dA2"``."""
        return f"{self.prefix}-{row_id}"

    def claim(self, row: Row) -> Claim:
        """The :class:`Claim` of one row, with the document's defaults filled in.

        Raises
        ------
        TypeError
            If ``row`` is not a :class:`Row`.
        ValueError
            If the row's id already carries the document's prefix.
        """
        if not isinstance(row, Row):
            raise TypeError(f"document {self.prefix}: expected a Row, got {type(row).__name__}")
        if row.id.startswith(f"{self.prefix}-"):
            raise ValueError(f"row id {row.id!r}: leave out the prefix {self.prefix}- "
                             "(Document.claim adds it)")
        statement = _built(row.statement)
        if statement is None:
            statement = _built(self.statements.get(row.id))
        return Claim(
            id=self.id(row.id), document=self.file, quote=row.quote, title=row.title,
            statement=statement, decide=row.decide,
            latex=row.latex or self.latex.get(row.id, ""),
            conventions=self.conventions if row.conventions is None else row.conventions,
            kind=row.kind, depends_on=row.depends_on, numpy=row.numpy,
        )

    def build(self, rows: Iterable[Row]) -> list[Claim]:
        """Every row's :class:`Claim`, in order (cheap: nothing is decided here).

        Raises
        ------
        ValueError
            If two rows share an id, or the ``statements`` or ``latex`` table has a key no
            row has (a typo in an id).
        """
        rows = list(rows)
        ids = [r.id for r in rows]
        seen: set[str] = set()
        for rid in ids:
            if rid in seen:
                raise ValueError(f"document {self.prefix}: two rows have id {rid!r}")
            seen.add(rid)
        for table in ("statements", "latex"):
            unused = sorted(set(getattr(self, table)) - seen)
            if unused:
                raise ValueError(
                    f"document {self.prefix}: {table} has entries for no row: "
                    f"{', '.join(unused)} (a typo in the id?)")
        return [self.claim(r) for r in rows]


def numpy_form(args: Sequence[sp.Basic], expr: sp.Basic, doc: str) -> Callable[..., Any]:
    """``expr`` as a NumPy function of ``args`` (``sympy.lambdify``), documented by ``doc``.

    What a :class:`Row`'s ``numpy`` builds for :func:`derivations.to_numpy`, e.g.
    ``numpy=lambda: numpy_form((A, Y), A - Y, "dZ = A - Y; A, Y: (n, m), columns")``.

    Parameters
    ----------
    args : sequence of sympy.Symbol or sympy.MatrixSymbol
        The function's arguments, in order.
    expr : sympy.Basic
        The formula, in those arguments.
    doc : str
        The function's ``__doc__``: the formula, each argument's shape and layout.

    Examples
    --------
    >>> a, y = sp.symbols("a y")
    >>> f = numpy_form((a, y), a - y, "a - y, entrywise")
    >>> f(3.0, 1.0), f.__doc__
    (2.0, 'a - y, entrywise')
    """
    f = sp.lambdify(list(args), expr, "numpy")
    f.__doc__ = doc
    return f
