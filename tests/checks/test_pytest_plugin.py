"""Tests of checks.pytest_plugin, run on generated test files with pytester.

The plugin is loaded in the inner pytest runs through its pytest11 entry point (the project is
installed editable), exactly as in a user's suite.
"""

from __future__ import annotations

import numpy as np
import pytest

from checks import check_gradients
from checks.pytest_plugin import seed_for

pytest_plugins = ["pytester"]

EXAMPLE = """
import numpy as np

def loss(x):
    return float(np.sum(x ** 3))

def right(x):
    return 3 * x ** 2

def wrong(x):                   # a student's slip: the factor 3 forgotten
    return x ** 2

X = np.linspace(0.5, 2.0, 6).reshape(2, 3)

def test_right(gradcheck):
    result = gradcheck(loss, X, right)
    assert result.seed == gradcheck.seed  # the test's seed reached the checker
    print("seed", gradcheck.seed)

def test_wrong(gradcheck):
    gradcheck(loss, X, wrong)
"""

OPTIONS = """
def test_options(gradcheck):
    print("OPTIONS", gradcheck.method, gradcheck.rtol, gradcheck.atol, gradcheck.seed)
"""


def _loss(x):
    return float(np.sum(x**3))


def _wrong(x):
    return x**2


@pytest.fixture
def example(pytester):
    pytester.makepyfile(test_example=EXAMPLE)
    return pytester


def test_right_gradient_passes_and_wrong_fails_with_diagnosis(example):
    result = example.runpytest("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "GradientMismatch" in out
    # the checker's own report of the same wrong gradient, run here in-process: its diagnosis
    # must reach the failing test's output
    direct = check_gradients(_loss, np.linspace(0.5, 2.0, 6).reshape(2, 3), _wrong)
    assert direct.verdict == "fail"
    assert direct.diagnoses, "the checker gave no diagnosis for a gradient off by a factor 3"
    for diagnosis in direct.diagnoses.values():
        assert f"diagnosis: {diagnosis}" in out


def test_failure_names_the_seed_and_how_to_rerun(example):
    result = example.runpytest("-p", "no:cacheprovider", "--gradcheck-seed=7")
    seed = seed_for(7, "test_example.py::test_wrong")
    result.stdout.fnmatch_lines([
        f"gradcheck seed {seed} (--gradcheck-seed=7 + crc32 of the node id); "
        "rerun with: pytest 'test_example.py::test_wrong' --gradcheck-seed=7",
    ])
    assert f"gradcheck seed {seed_for(7, 'test_example.py::test_right')}" not in (
        result.stdout.str()
    )  # only failing tests get the section


def test_seed_is_derived_from_the_node_id_and_stable(example):
    first = example.runpytest("-p", "no:cacheprovider", "-s", "-k", "right")
    second = example.runpytest("-p", "no:cacheprovider", "-s", "-k", "right")
    expected = seed_for(0, "test_example.py::test_right")
    for run in (first, second):
        run.assert_outcomes(passed=1, deselected=1)
        run.stdout.fnmatch_lines([f"*seed {expected}*"])
    shifted = example.runpytest("-p", "no:cacheprovider", "-s", "-k", "right",
                                "--gradcheck-seed=3")
    shifted.stdout.fnmatch_lines([f"*seed {seed_for(3, 'test_example.py::test_right')}*"])


def test_command_line_options_become_the_fixture_defaults(pytester):
    pytester.makepyfile(test_options=OPTIONS)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-s", "--gradcheck-method=central", "--gradcheck-rtol=1e-4",
        "--gradcheck-atol=0",
    )
    result.assert_outcomes(passed=1)
    seed = seed_for(0, "test_options.py::test_options")
    result.stdout.fnmatch_lines([f"*OPTIONS central 0.0001 0.0 {seed}"])
    default = pytester.runpytest("-p", "no:cacheprovider", "-s")
    default.stdout.fnmatch_lines([f"*OPTIONS None None None {seed}"])


def test_method_option_reaches_the_checker(pytester):
    pytester.makepyfile(test_method="""
        import numpy as np

        def test_method(gradcheck):
            r = gradcheck(lambda x: float(np.sum(x ** 2)), np.ones(3), lambda x: 2 * x)
            print("METHOD", r.method)
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "-s", "--gradcheck-method=richardson")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*METHOD richardson*"])


def test_an_unknown_method_is_a_usage_error_at_start_up_not_a_failure_per_test(pytester):
    pytester.makepyfile(test_options=OPTIONS, test_example=EXAMPLE)
    result = pytester.runpytest("-p", "no:cacheprovider", "--gradcheck-method=bogus")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*argument --gradcheck-method: expected one of 'auto', 'forward', 'central'*"
        "got 'bogus'*",
    ])
    assert "passed" not in result.stdout.str() and "failed" not in result.stdout.str()


def test_a_failing_check_shows_the_table_not_the_library_source(example):
    result = example.runpytest("-p", "no:cacheprovider", "-k", "wrong")
    result.assert_outcomes(failed=1, deselected=1)
    out = result.stdout.str()
    failure = out[out.index("test_wrong"):]
    lines = failure.splitlines()
    table = next(i for i, line in enumerate(lines) if "gradient check: FAIL" in line)
    # the test's own line, then the table: no frame of checks' source in between
    assert table < 12, failure
    assert "def assert_gradients" not in out and "def __call__" not in out
    assert "checks/gradcheck.py" not in out and "checks/pytest_plugin.py" not in out


def test_report_header_states_the_defaults(pytester):
    pytester.makepyfile(test_options=OPTIONS)
    result = pytester.runpytest("-p", "no:cacheprovider", "--gradcheck-rtol=1e-3")
    result.stdout.fnmatch_lines([
        "gradproof gradcheck: method=auto, rtol=0.001, atol=automatic, --gradcheck-seed=0 "
        "(per test: seed + crc32(node id))",
    ])


@pytest.mark.parametrize(
    ("option", "message"),
    [
        pytest.param("--gradcheck-rtol=-1", "expected a finite number >= 0, got '-1'", id="rtol<0"),
        pytest.param("--gradcheck-atol=abc", "expected a number such as 1e-6, got 'abc'",
                     id="atol=abc"),
        pytest.param("--gradcheck-seed=1.5", "expected an integer >= 0, got '1.5'", id="seed=1.5"),
    ],
)
def test_invalid_options_are_usage_errors_naming_the_option(pytester, option, message):
    pytester.makepyfile(test_options=OPTIONS)
    result = pytester.runpytest("-p", "no:cacheprovider", option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    name = option.split("=")[0]
    result.stderr.fnmatch_lines([f"*argument {name}: {message}*"])


def test_keyword_overrides_beat_the_defaults(pytester):
    pytester.makepyfile(test_override="""
        import numpy as np
        import pytest

        def test_override(gradcheck):
            # --gradcheck-method=directional is the default; the override wins
            r = gradcheck(lambda x: float(np.sum(x ** 2)), np.ones(3), lambda x: 2 * x,
                          method="central")
            assert r.method == "central"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--gradcheck-method=directional")
    result.assert_outcomes(passed=1)


def test_a_refused_f_shows_the_message_not_the_library_source(pytester):
    pytester.makepyfile(test_int="""
        import numpy as np

        def test_int(gradcheck):
            gradcheck(lambda x: int(np.sum(x)), np.ones(3), lambda x: np.ones(3))

        def test_user_error(gradcheck):
            def f(x):
                raise KeyError("the user's own bug")
            gradcheck(f, np.ones(3), lambda x: np.ones(3))
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert "OutputError: f returns an integer" in out
    assert "def check_gradients" not in out and "def _validated_f" not in out
    # the user's own exception still shows the user's frame
    assert "raise KeyError" in out and "KeyError: \"the user's own bug\"" in out
