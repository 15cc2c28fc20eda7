"""Shared test configuration: Hypothesis profiles.

``dev`` is quick, ``ci`` is thorough; the profile is picked with ``--hypothesis-profile``,
and defaults to ``ci`` when the environment variable ``CI`` is set, else ``dev``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
