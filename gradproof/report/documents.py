"""The networks the four documents describe, as `numeric` specifications.

One table is the single source for the report's conventions table and its numeric
cross-checks, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from numeric import MLP

__all__ = ["DOCUMENT_NETWORKS", "DocumentNetwork"]


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


DOCUMENT_NETWORKS: tuple[DocumentNetwork, ...] = (
    DocumentNetwork(
        "doc000", "000_7a69e03d4d058e30.txt", "2-4-1 sigmoid, sigmoid + BCE",
        MLP((2, 4, 1), hidden="sigmoid", output="sigmoid", loss="bce", layout="columns",
            reduction="mean"),
        labels="binary 0/1, shape (1, m)", data="two_class",
    ),
    DocumentNetwork(
        "doc001", "001_f90f8de70f3336a8.txt", "2-3-2 sigmoid, sigmoid + 1/2 MSE",
        MLP((2, 3, 2), hidden="sigmoid", output="sigmoid", loss="mse", layout="columns",
            reduction="mean_all", half=True),
        labels="real targets, shape (M, N)", data="regression",
    ),
    DocumentNetwork(
        "doc002", "002_37ba765e96841764.txt", "2-4-3 ReLU, softmax + CE (spiral)",
        MLP((2, 4, 3), hidden="relu", output="softmax", loss="ce", layout="rows",
            reduction="mean"),
        labels="integer class labels, shape (m,)", data="spiral",
    ),
    DocumentNetwork(
        "doc003-classification", "003_636d5d24609fc940.txt",
        "2-4-3-1 ReLU, ReLU, sigmoid + BCE",
        MLP((2, 4, 3, 1), hidden="relu", output="sigmoid", loss="bce", layout="columns",
            reduction="mean"),
        labels="binary 0/1, shape (1, m)", data="two_class",
    ),
    DocumentNetwork(
        "doc003-regression", "003_636d5d24609fc940.txt",
        "2-4-3-1 ReLU, ReLU, linear + 1/2 MSE",
        MLP((2, 4, 3, 1), hidden="relu", output="identity", loss="mse", layout="columns",
            reduction="mean", half=True),
        labels="real targets, shape (1, m)", data="regression",
    ),
)
