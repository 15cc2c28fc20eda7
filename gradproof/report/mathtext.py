r"""The documents' own text, split into prose and LaTeX, and LaTeX turned into MathML.

The tutorials mix prose and LaTeX: ``$...$`` spans, a quote that starts or ends inside one
(so its ``$`` are unbalanced), and bare formulas such as ``\frac{dL}{dW} = ...``. The
report typesets every formula, so its text is split here:

- with ``$`` delimiters, the spans between them alternate prose and math; when a quote has an
  unbalanced ``$``, the phase that leaves no LaTeX command in the prose is taken;
- in prose, a run of words that holds a LaTeX command (``\sigma``, ``J(\theta)``) and no
  plain English word is math.

`latex_to_mathml` converts with ``latex2mathml``; a command it does not know (which it would
leave as raw text) is typeset upright by name instead, so no ``\command`` reaches a reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from latex2mathml.converter import convert

__all__ = ["Segment", "has_command", "latex_to_mathml", "split_math"]

_COMMAND = re.compile(r"\\[A-Za-z]+")
#: a plain word of prose: letters (a capital first at most), perhaps bracketed or punctuated
_PROSE_WORD = re.compile(r"[(\[]?[A-Za-z]?[a-z]{2,}(?:'[a-z]+)?[)\],.;:!?]*")
_TRAILING = re.compile(r"[,.;:!?]+$")


@dataclass(frozen=True)
class Segment:
    """A piece of mixed text: prose (``math=False``) or a LaTeX formula (``math=True``)."""

    text: str
    math: bool


def has_command(text: str) -> bool:
    r"""Whether ``text`` holds a LaTeX command such as ``\frac``."""
    return _COMMAND.search(text) is not None


def _tokens(text: str) -> list[str]:
    r"""Split on whitespace outside braces; ``\ `` (a LaTeX space) does not split."""
    tokens, cur, depth, i = [], "", 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur += text[i:i + 2]
            i += 2
            continue
        depth += (ch == "{") - (ch == "}")
        if ch.isspace() and depth <= 0:
            if cur:
                tokens.append(cur)
            cur = ""
            tokens.append(ch)
        else:
            cur += ch
        i += 1
    if cur:
        tokens.append(cur)
    return tokens


def _split_prose(text: str) -> list[Segment]:
    """Prose without ``$``: each run of non-words that holds a command becomes math."""
    out: list[Segment] = []
    run: list[str] = []  # non-word tokens, inner blanks included, since the last word

    def flush() -> None:
        joined = "".join(run)
        core = joined.strip()
        if core and has_command(core):
            lead = joined[:len(joined) - len(joined.lstrip())]
            trail = joined[len(joined.rstrip()):]
            punct = _TRAILING.search(core)
            out.append(Segment(lead, False))
            out.append(Segment(core[:punct.start()] if punct else core, True))
            out.append(Segment((punct.group(0) if punct else "") + trail, False))
        else:
            out.append(Segment(joined, False))
        run.clear()

    for tok in _tokens(text):
        if not tok.isspace() and _PROSE_WORD.fullmatch(tok):
            flush()
            out.append(Segment(tok, False))
        else:
            run.append(tok)
    flush()
    return out


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    """Join neighbours of the same kind; drop empty and blank math."""
    out: list[Segment] = []
    for s in segments:
        if not s.text or (s.math and not s.text.strip()):
            continue
        if out and out[-1].math == s.math and not s.math:
            out[-1] = Segment(out[-1].text + s.text, False)
        else:
            out.append(Segment(s.text.strip() if s.math else s.text, s.math))
    return tuple(out)


def split_math(text: str) -> tuple[Segment, ...]:
    r"""Split the documents' mixed text into prose and LaTeX segments, in order.

    Examples
    --------
    >>> [(s.text, s.math) for s in split_math("the label $\\nabla E$ is a vector")]
    [('the label ', False), ('\\nabla E', True), (' is a vector', False)]
    >>> [(s.text, s.math) for s in split_math("J(\\theta) as bracketed")]
    [('J(\\theta)', True), (' as bracketed', False)]
    """
    pieces = re.split(r"\$\$?", text)
    if len(pieces) == 1:
        return _merge(_split_prose(text))

    def stray(phase: int) -> int:  # LaTeX commands left in the prose for this phase
        return sum(has_command(p) for i, p in enumerate(pieces) if (i + phase) % 2 == 0)

    phase = 0 if stray(0) <= stray(1) else 1
    segments: list[Segment] = []
    for i, piece in enumerate(pieces):
        if (i + phase) % 2 == 1:
            segments.append(Segment(piece, True))
        else:
            segments.extend(_split_prose(piece))
    return _merge(segments)


def _upright_unknown(latex: str, unknown: set[str]) -> str:
    for name in sorted(unknown, key=len, reverse=True):
        latex = re.sub(rf"\\{name}(?![A-Za-z])", rf"\\operatorname{{{name}}}", latex)
    return latex


def _leftover_commands(mathml: str) -> set[str]:
    text = re.sub(r"<[^>]*>", " ", mathml)
    return {m.group(0)[1:] for m in _COMMAND.finditer(text)}


def latex_to_mathml(latex: str, *, display: bool = True) -> str:
    r"""``latex`` as a ``<math>`` element of presentation MathML.

    Parameters
    ----------
    latex : str
        A formula in LaTeX, as the documents write it (unbalanced braces are tolerated).
    display : bool
        Block (``display="block"``) or inline math.

    Returns
    -------
    str
        The ``<math>`` element; its text holds no ``\command``.

    Notes
    -----
    ``latex2mathml`` leaves a command it does not know as raw text (``<mi>\foo</mi>``);
    such commands are typeset upright by name, as operators (``\operatorname{foo}``).
    Text it cannot parse at all (a lone ``{``) is typeset as upright text.
    """
    mode = "block" if display else "inline"
    try:
        out = convert(latex, display=mode)
        unknown = _leftover_commands(out)
        if unknown:
            out = convert(_upright_unknown(latex, unknown), display=mode)
    except Exception:  # latex2mathml raises its own errors on unparsable input
        body = _COMMAND.sub(lambda m: m.group(0)[1:], latex).replace("\\", " ")
        body = body.replace("{", "").replace("}", "")
        out = convert(rf"\text{{{body}}}", display=mode)
    if _leftover_commands(out):  # pragma: no cover - the fallbacks above leave none
        raise ValueError(f"LaTeX {latex!r} left a command in its MathML")
    return out
