"""Registry-wide laws: every claim is tied to its document and decided at run time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derivations import Claim, Verdict, all_claims, get_claim, select, to_numpy, verify

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _seed_text(document: str) -> str:
    return _normalise((SEEDS / document).read_text(encoding="utf-8"))


CLAIMS = all_claims()


def test_ids_are_unique_and_well_formed():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    for cid in ids:
        assert re.fullmatch(r"\d{3}-[A-Za-z0-9][A-Za-z0-9.-]*", cid), cid


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds live in ../shared/seeds beside the repo")
@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_quote_is_found_in_its_document(claim: Claim):
    assert claim.document.startswith(claim.id[:3] + "_")
    assert _normalise(claim.quote), f"{claim.id} has an empty quote"
    assert _normalise(claim.quote) in _seed_text(claim.document), (
        f"{claim.id}: quote not found in {claim.document}: {claim.quote!r}"
    )


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_every_claim_is_decided_with_evidence(claim: Claim):
    result = verify(claim)
    assert result.claim_id == claim.id
    assert isinstance(result.verdict, Verdict)
    assert result.reason
    if result.verdict is Verdict.REFUTED:
        # a refutation shows where the statement fails and offers a proven correction
        assert result.counterexample is not None or "shape" in result.reason or result.readings, (
            str(result)
        )
        if result.counterexample is not None:
            assert result.counterexample.stated != result.counterexample.correct
        if result.corrected_check is not None:
            # a repair shown on a model problem is proven there (on_model), named in the reason
            assert result.corrected_check.verdict in (
                Verdict.PROVEN, Verdict.PROVEN_UNDER_CONVENTION), str(result)
    if result.verdict is Verdict.PROVEN_UNDER_CONVENTION:
        holds = [c.holds for c in result.conventions]
        on_a_model = any("model" in c.convention for c in result.conventions)
        assert any(holds) and (not all(holds) or on_a_model), str(result)
    if result.verdict is Verdict.AMBIGUOUS:
        assert len(result.readings) >= 2, str(result)
    assert claim.id in str(result)


def test_every_document_has_claims_and_a_mix_of_verdicts():
    docs = {c.document for c in CLAIMS}
    assert len(docs) >= 1
    assert len(CLAIMS) >= 10


def test_unknown_id_lists_the_five_closest_not_all():
    with pytest.raises(KeyError) as info:
        get_claim("000-sigmoid-derivativ")
    message = info.value.args[0]
    assert "Did you mean '000-sigmoid-derivative'" in message
    assert message.count("'0") == 1 + 5  # the id asked for and five suggestions


def test_unknown_document_lists_the_valid_ones():
    with pytest.raises(ValueError, match="valid documents"):
        select(document="999")


def test_to_numpy_refuses_a_claim_without_numpy_form():
    scalar = next(c for c in CLAIMS if c.numpy is None)
    with pytest.raises(ValueError, match="has no NumPy form"):
        to_numpy(scalar)
