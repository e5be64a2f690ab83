"""The pure modules' errors (ceremony, shares, canonical files, rejected ballots) as a Kazakh or
Russian page shows them: each names the failing object (the trustee, the candidate) in the
page's language, with no English left (the check of tests/test_i18n_forms.py)."""

from __future__ import annotations

import pytest
from django.utils import translation

from bastau.primaries import e2e_messages, encrypted
from bastau.primaries.e2e import canonical, ceremony, shares
from bastau.primaries.e2e.hashing import TestRng

from ..test_i18n_forms import english_in

LANGS = ["kk", "ru"]
TOOL = "bastau-trustee"  # the command's name stays as it is


def no_english(text: str) -> list[str]:
    return english_in(text.replace(TOOL, " "))


def real_ceremony_errors() -> list[ceremony.CeremonyError]:
    """Errors the ceremony module itself raises on bad uploads."""
    rng = TestRng(b"messages", "ceremony")
    setup = ceremony.make_setup("8d5c1f2e-1111-4222-8333-944455556666", ["A", "B", "C"], 2)
    states, certs = [], []
    for i in (1, 2, 3):
        st, cert = ceremony.make_certificate(setup, i, rng)
        states.append(st)
        certs.append(cert)
    rev, _deal = ceremony.reveal(states[0], certs, rng)
    attempts = [
        ([setup], rev),  # too early: a reveal before the certificates
        ([setup, *certs], {**certs[0], "sig": certs[1]["sig"]}),  # another certificate
        ([setup, certs[0]], {**certs[1], "sig": certs[0]["sig"]}),  # bad signature
        ([setup], {"type": "nonsense"}),
        ([setup], {"type": "certificate", "index": 9}),
        ([setup, *certs], {**rev, "index": 2}),
    ]
    out = []
    for board, msg in attempts:
        with pytest.raises(ceremony.CeremonyError) as info:
            ceremony.accept_message(board, msg)
        out.append(info.value)
    out.append(
        ceremony.CeremonyError("trustee 1", "dealt a bad share to trustee 2 (...)", 1)
    )  # as encrypted.ceremony_problem makes it
    return out


SHARE_ERRORS = [
    shares.ShareError("SHARE", "trustee: expected an integer"),
    shares.ShareError("SHARE of trustee 2", "bad signature", 2),
    shares.ShareError("SHARE of trustee 2", "3 questions; the TALLY has 1", 2),
    shares.ShareError(
        "SHARE of trustee 3, question main, online, candidate 4", "the decryption proof fails", 3
    ),
    shares.ShareError(
        "SHARE of trustee 3, question main, paper, candidate 0",
        "an empty total's share must be zero bytes",
        3,
    ),
]

REJECTIONS = [
    "main[2]: 0/1 proof does not verify",
    "main: sum proof does not verify",
    "ballot: sigma does not verify",
    "ballot: phi is another election's",
    "ballot: 10 bytes, expected 456",
]


@pytest.mark.parametrize("lang", LANGS)
def test_ceremony_errors_name_the_trustee_in_the_language(lang):
    errors = real_ceremony_errors()
    with translation.override(lang):
        for exc in errors:
            text = e2e_messages.ceremony_error(exc)
            assert no_english(text) == [], (str(exc), text)
            if exc.culprit is not None:
                assert str(exc.culprit) in text
        for kind in ("ceremony", "share", "credentials"):
            assert no_english(e2e_messages.file_error(kind)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_share_errors_name_the_trustee_and_candidate_in_the_language(lang):
    with translation.override(lang):
        texts = [e2e_messages.share_error(exc) for exc in SHARE_ERRORS]
    for exc, text in zip(SHARE_ERRORS, texts, strict=True):
        assert no_english(text) == [], (str(exc), text)
        if exc.trustee is not None:
            assert str(exc.trustee) in text
    assert "5" in texts[3]  # candidate index 4 is the fifth candidate


@pytest.mark.parametrize("lang", LANGS)
def test_rejection_reasons_in_the_language(lang):
    with translation.override(lang):
        texts = [encrypted.rejection_reason(r) for r in REJECTIONS]
    assert all(no_english(t) == [] for t in texts), texts
    assert "3" in texts[0]  # candidate index 2 is the third
    assert len(set(texts)) == len(texts)


def test_the_english_texts_differ_from_the_module_detail():
    with translation.override("en"):
        text = e2e_messages.share_error(SHARE_ERRORS[3])
    assert "candidate 5" in text and "trustee 3" in text
    assert canonical  # the module's own errors stay available to the command-line tools
