"""The documentation runs: README.md's and docs/guide.md's examples are executed as written.

Rules for the Markdown files (``docs/guide.md`` states them for writers):

- Every ```` ```python ```` block is executed in a fresh module of its own. When a ```` ```text ````
  block follows it (blank lines between allowed), that block is the example's printed output:
  the block's stdout must match it, with whitespace runs equal, integers equal, other numbers
  within ``REL`` (figures below ``NOISE`` in magnitude, such as finite-difference error bars,
  only need to stay below it on both sides), and ``...`` standing for any text.
- A block whose first line is ``# file: NAME.py`` is a test file: it runs under pytest
  (pytester, with gradproof's plugin loaded through its entry point), and the ```` ```text ````
  block after it holds lines that must appear, in order, in pytest's output (``*`` globs).
- A block whose first line is ``# not run: <reason>`` is only compiled; its execution is
  skipped with that reason (for example a Dask cluster, which CI does not have).
- A claim cited in the guide as ```` `NNN-some-id` (verdict) ```` must exist and SymPy must
  decide it with that verdict now (``derivations.verify``).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import subprocess
import sys
import textwrap
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "README.md", ROOT / "docs" / "guide.md")
REPORT_JSON = ROOT / "docs" / "report" / "report.json"

REL = 2e-3
"""Relative tolerance on printed non-integer figures (BLAS builds differ in the last bits)."""
NOISE = 1e-6
"""Printed figures below this magnitude (error bars, round-off) are compared as 'tiny'."""

# a fence may be indented (a block inside a list item); its contents are dedented
_FENCE = re.compile(r"^[ \t]*```(\w*)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
_VERDICTS = {
    "proven": "proven",
    "proven under convention": "proven_under_convention",
    "refuted": "refuted",
    "undecided": "undecided",
    "ambiguous": "ambiguous",
    "definition": "definition",
}
_CITATION = re.compile(
    r"`(\d{3}-[\w.\-]+)` \((" + "|".join(sorted(_VERDICTS, key=len, reverse=True)) + r")[);:]"
)
_CLAIM_ID = re.compile(r"`(\d{3}-[A-Za-z][\w.\-]*)`")


@dataclass(frozen=True)
class Block:
    """One fenced code block and the output block that follows it, if any."""

    doc: str
    line: int
    lang: str
    code: str
    output: str | None

    @property
    def first_line(self) -> str:
        return self.code.lstrip().splitlines()[0] if self.code.strip() else ""

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def blocks(path: Path, *, root: Path = ROOT) -> list[Block]:
    """The fenced blocks of ``path``; a text block right after a code block is its output."""
    text = path.read_text(encoding="utf-8")
    found = [
        (m.start(), m.end(), m.group(1), textwrap.dedent(m.group(2)))
        for m in _FENCE.finditer(text)
    ]
    out: list[Block] = []
    for k, (start, end, lang, code) in enumerate(found):
        if lang == "text":
            continue
        output = None
        if k + 1 < len(found):
            nstart, _, nlang, ncode = found[k + 1]
            if nlang == "text" and text[end:nstart].strip() == "":
                output = ncode
        line = text.count("\n", 0, start) + 1
        out.append(Block(path.relative_to(root).as_posix(), line, lang, code, output))
    return out


def _python_blocks() -> list[Block]:
    return [b for path in DOCS for b in blocks(path) if b.lang == "python"]


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _pattern(expected: str) -> tuple[re.Pattern[str], list[str]]:
    """A regex for normalised output: numbers captured, ``...`` any text, the rest literal."""
    parts: list[str] = []
    numbers: list[str] = []
    for k, chunk in enumerate(_normalise(expected).split("...")):
        if k:
            parts.append(".*?")
        pos = 0
        for m in _NUMBER.finditer(chunk):
            parts.append(re.escape(chunk[pos : m.start()]))
            parts.append(r"(\S+?)")
            numbers.append(m.group())
            pos = m.end()
        parts.append(re.escape(chunk[pos:]))
    return re.compile("".join(parts), re.DOTALL), numbers


def _same_number(expected: str, actual: str) -> bool:
    try:
        e, a = float(expected), float(actual)
    except ValueError:
        return False
    if re.fullmatch(r"[-+]?\d+", expected):
        return e == a
    if abs(e) < NOISE:
        return abs(a) < NOISE
    return math.isclose(e, a, rel_tol=REL, abs_tol=0.0)


def output_matches(expected: str, actual: str) -> str | None:
    """None if ``actual`` matches the documented ``expected`` output, else why not."""
    pattern, numbers = _pattern(expected)
    m = pattern.fullmatch(_normalise(actual))
    if m is None:
        return "the text differs"
    for k, (e, a) in enumerate(zip(numbers, m.groups(), strict=True)):
        if not _same_number(e, a):
            return f"figure {k + 1} differs: documented {e}, printed {a}"
    return None


def _run(block: Block) -> str:
    """Execute ``block`` in a fresh module (registered, so its functions pickle) -> stdout."""
    name = f"_docs_example_{abs(hash(block.id))}"
    module = types.ModuleType(name)
    module.__file__ = f"<{block.id}>"
    sys.modules[name] = module
    buffer = io.StringIO()
    try:
        code = compile(block.code, f"<{block.id}>", "exec")
        with contextlib.redirect_stdout(buffer):
            exec(code, module.__dict__)
    finally:
        del sys.modules[name]
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# The comparison itself (a bug here would let any documented output pass)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        pytest.param("loss 1.1753 -> 0.4470", "loss 1.1753 -> 0.4470\n", True, id="same"),
        pytest.param("a  b\n c", "a b c", True, id="whitespace runs"),
        pytest.param("loss 1.1753", "loss 1.1755", True, id="float within REL"),
        pytest.param("loss 1.1753", "loss 1.2753", False, id="float beyond REL"),
        pytest.param("P = 3", "P = 4", False, id="integer differs"),
        pytest.param("bar 5.79e-11", "bar 8.66e-11", True, id="both tiny"),
        pytest.param("bar 5.79e-11", "bar 3.1e-05", False, id="tiny vs not tiny"),
        pytest.param("took ... s, done", "took 0.004 s, done", True, id="ellipsis"),
        pytest.param("verdict: pass", "verdict: fail", False, id="words differ"),
        pytest.param("shape (300, 2)", "shape (300, 2) extra", False, id="extra output"),
        pytest.param("W1 (2, 4)", "W1 (2, 5)", False, id="number in a tuple"),
        pytest.param("x = 1.5", "x = [1.5]", False, id="number vs list"),
    ],
)
def test_output_matches(expected: str, actual: str, ok: bool) -> None:
    assert (output_matches(expected, actual) is None) is ok


def test_blocks_pair_code_with_following_output(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "```python\nprint(1)\n```\n\n```text\n1\n```\n\nprose\n\n"
        "```python\nx = 2\n```\nprose between\n```text\nnot an output\n```\n"
        "- a list item:\n\n  ```python\n  if x:\n      print(3)\n  ```\n\n  ```text\n  3\n  ```\n",
        encoding="utf-8",
    )
    found = blocks(doc, root=tmp_path)
    assert [(b.code, b.output) for b in found] == [
        ("print(1)\n", "1\n"),
        ("x = 2\n", None),
        ("if x:\n    print(3)\n", "3\n"),
    ]


# ---------------------------------------------------------------------------------------------
# The documents
# ---------------------------------------------------------------------------------------------


def test_docs_exist_and_have_examples() -> None:
    for path in DOCS:
        assert path.is_file(), f"{path} is missing"
    readme = [b for b in blocks(DOCS[0]) if b.lang == "python"]
    # one example per public package: numeric, derivations, checks
    for package in ("numeric", "derivations", "checks"):
        assert any(re.search(rf"^(from|import) {package}\b", b.code, re.M) for b in readme), (
            f"README has no Python example importing {package}"
        )


@pytest.mark.parametrize("block", _python_blocks(), ids=lambda b: b.id)
def test_python_block_compiles(block: Block) -> None:
    compile(block.code, f"<{block.id}>", "exec")


def _exec_params() -> list[object]:
    params: list[object] = []
    for b in _python_blocks():
        if b.first_line.startswith(("# file:", "# script:")):
            continue
        marks = []
        if b.first_line.startswith("# not run:"):
            reason = b.first_line.removeprefix("# not run:").strip()
            marks.append(pytest.mark.skip(reason=f"{b.id}: {reason} (compiled only)"))
        params.append(pytest.param(b, id=b.id, marks=marks))
    return params


@pytest.mark.parametrize("block", _exec_params())
def test_python_example_runs_and_prints_what_the_docs_show(block: Block) -> None:
    printed = _run(block)
    if block.output is None:
        return
    problem = output_matches(block.output, printed)
    assert problem is None, (
        f"{block.id}: the example's output no longer matches the documented one ({problem}).\n"
        f"--- documented ---\n{block.output}--- printed ---\n{printed}"
    )


def _marked(prefix: str) -> list[object]:
    """The Python blocks whose first line starts with ``prefix``, as test parameters."""
    return [pytest.param(b, id=b.id) for b in _python_blocks() if b.first_line.startswith(prefix)]


@pytest.mark.parametrize("block", _marked("# file:"))
def test_documented_test_file_runs_under_pytest(block: Block, pytester: pytest.Pytester) -> None:
    name = block.first_line.removeprefix("# file:").strip()
    assert re.fullmatch(r"test_\w+\.py", name), f"{block.id}: bad file name {name!r}"
    pytester.makepyfile(**{name.removesuffix(".py"): block.code})
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert block.output is not None, f"{block.id}: a test file needs its output block"
    # each documented line is a piece of one output line, in order
    lines = [line.strip() for line in block.output.splitlines() if line.strip()]
    result.stdout.re_match_lines([f".*{re.escape(line)}" for line in lines])


@pytest.mark.parametrize("block", _marked("# script:"))
def test_documented_script_runs_as_a_file(block: Block, tmp_path: Path) -> None:
    name = block.first_line.removeprefix("# script:").split()[0]
    assert re.fullmatch(r"\w+\.py", name), f"{block.id}: bad file name {name!r}"
    (tmp_path / name).write_text(block.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, name], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{block.id} failed:\n{done.stderr}"
    assert block.output is not None, f"{block.id}: a script needs its output block"
    problem = output_matches(block.output, done.stdout)
    assert problem is None, f"{block.id}: {problem}\n--- printed ---\n{done.stdout}"


def _current_verdicts(claim_ids: set[str]) -> dict[str, str]:
    """Each claim's verdict now: from the committed report when there is one, else SymPy.

    The committed ``docs/report/report.json`` is itself checked against live computation by
    ``tests/gradproof/test_report_end_to_end.py``, so reading it is as current as deciding the
    claims again here, at a fraction of the time (the network claims take seconds each).
    """
    from derivations import get_claim, verify

    verdicts: dict[str, str] = {}
    if REPORT_JSON.is_file():
        report = json.loads(REPORT_JSON.read_text(encoding="utf-8"))
        verdicts = {c["id"]: c["verdict"] for c in report["claims"] if c["id"] in claim_ids}
    for claim_id in sorted(claim_ids - verdicts.keys()):
        verdicts[claim_id] = verify(get_claim(claim_id)).verdict.value
    return verdicts


def test_cited_claims_exist_and_have_the_stated_verdicts() -> None:
    from derivations import get_claim

    text = _normalise(DOCS[1].read_text(encoding="utf-8"))  # a citation may wrap lines
    cited = sorted(set(_CITATION.findall(text)))
    assert len(cited) >= 10, "the guide cites (almost) no claim with its verdict"
    for claim_id in set(_CLAIM_ID.findall(text)):
        get_claim(claim_id)  # KeyError names the closest ids
    verdicts = _current_verdicts({claim_id for claim_id, _ in cited})
    wrong = [
        f"{claim_id}: the guide says {stated}, SymPy now says {verdicts[claim_id]}"
        for claim_id, stated in cited
        if verdicts[claim_id] != _VERDICTS[stated]
    ]
    assert not wrong, "\n".join(wrong)


def test_citations_are_read_across_line_breaks() -> None:
    text = _normalise(
        "see `002-dw2-rows` (proven\n  under convention: rows) and `001-x` (refuted; why),"
        " not `003-y` (maybe)"
    )
    assert _CITATION.findall(text) == [
        ("002-dw2-rows", "proven under convention"),
        ("001-x", "refuted"),
    ]
