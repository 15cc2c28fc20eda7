"""The networks the documents describe, as `numeric` specifications.

Each document module declares its networks as `derivations.spec` lines
(``DOC.networks``, :class:`derivations.document.DeclaredNetwork`); :func:`document_networks`
turns them into ``numeric.MLP`` specs. It is the single source for the report's conventions
table and its numeric cross-checks, so the two cannot disagree, and a new document's
networks appear in the report without an edit here (a document that declares none shows its
claims only).
"""

from __future__ import annotations

from dataclasses import dataclass

from derivations import DeclaredNetwork, Document, all_documents, parse_spec
from numeric import MLP

__all__ = ["DocumentNetwork", "document_networks", "mlp_of", "network_of"]


@dataclass(frozen=True)
class DocumentNetwork:
    """A network of a document: its ``numeric`` spec and how the document labels its targets."""

    name: str
    document: str
    description: str
    net: MLP
    labels: str
    data: str  # "two_class", "spiral" or "regression": which numeric.data set feeds it

    @property
    def loss_text(self) -> str:
        """The output activation and loss, e.g. ``"sigmoid + BCE"``."""
        return f"{self.net.output} + {self.net.loss.upper()}"

    @property
    def reduction_text(self) -> str:
        """The loss reduction in the documents' words."""
        return {
            "mean": "mean over samples m",
            "mean_all": "mean over samples x outputs (N*M)",
            "sum": "sum",
        }[self.net.reduction]

    @property
    def half_text(self) -> str:
        """Whether MSE carries the 1/2 factor (``"—"`` for other losses)."""
        if self.net.loss != "mse":
            return "—"
        return "yes" if self.net.half else "no"


def mlp_of(spec: str) -> MLP:
    """The ``numeric.MLP`` of a `derivations.spec` line, e.g. ``"2-4-1 sigmoid/sigmoid bce"``."""
    sp = parse_spec(spec)
    return MLP(sp.sizes, hidden=sp.hidden, output=sp.output, loss=sp.loss, layout=sp.layout,
               reduction=sp.reduction, half=sp.half)


def network_of(doc: Document, declared: DeclaredNetwork) -> DocumentNetwork:
    """One declared network of ``doc`` as the report's :class:`DocumentNetwork`."""
    return DocumentNetwork(declared.name, doc.file, declared.description, mlp_of(declared.spec),
                           labels=declared.labels, data=declared.data)


def document_networks() -> tuple[DocumentNetwork, ...]:
    """Every document's networks, in document order, from each module's ``DOC.networks``."""
    out: list[DocumentNetwork] = []
    for doc in all_documents():
        out.extend(network_of(doc, n) for n in doc.networks)
    return tuple(out)
