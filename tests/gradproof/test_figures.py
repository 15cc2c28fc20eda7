"""The report's figures: every title, label and tick inside the canvas (none clipped)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from gradproof.report.figures import catalogue_figure, step_figure, training_figure
from gradproof.report.records import CatalogueRow, StepCurve, TrainingRecord

#: pixels a text may overhang the canvas through anti-aliasing alone
OVERHANG_PX = 1.0


def _training():
    return TrainingRecord(hidden=100, epochs=3000, lr=1.0, history=(1.1, 0.5, 0.03),
                          accuracy=0.993, X=np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.2]]),
                          y=np.array([0, 1, 2]), grid_x=np.linspace(0, 1, 3),
                          grid_y=np.linspace(0, 1, 3), grid_class=np.zeros((3, 3), dtype=int))


def _catalogue(methods):
    names = ["missing_transpose_in_backprop_square", "correct_seed002_relu_mask_from_a"]
    return tuple(CatalogueRow(n, i == 0, dict.fromkeys(methods, "pass")) for i, n in
                 enumerate(names))


FIGURES = [
    pytest.param(lambda: step_figure((StepCurve("Richardson (central, h and h/2)",
                                                (1e-16, 1e-1), (1.0, 1e-7)),)), id="step"),
    pytest.param(lambda: training_figure(_training()), id="training"),
    pytest.param(lambda: catalogue_figure(_catalogue(["auto"])), id="catalogue-one-method"),
    pytest.param(lambda: catalogue_figure(_catalogue(
        ["auto", "central", "complex", "directional", "forward", "richardson"])),
        id="catalogue-six-methods"),
]


@pytest.mark.parametrize("make", FIGURES)
def test_everything_drawn_is_inside_the_canvas(make):
    fig = make()
    renderer = FigureCanvasAgg(fig).get_renderer()
    drawn = fig.get_tightbbox(renderer)  # inches, every visible artist (ticks off-axis excluded)
    canvas = fig.bbox_inches
    slack = OVERHANG_PX / fig.dpi
    assert drawn.x0 >= canvas.x0 - slack and drawn.y0 >= canvas.y0 - slack, (drawn, canvas)
    assert drawn.x1 <= canvas.x1 + slack and drawn.y1 <= canvas.y1 + slack, (drawn, canvas)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles, "every figure has a title"
