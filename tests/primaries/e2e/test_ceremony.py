"""The key ceremony: the happy path for several (t, m) and every fault of section 6."""

import copy
import itertools

import pytest

from bastau.primaries.e2e import canonical, ceremony, group, tally
from bastau.primaries.e2e.ceremony import CeremonyError
from bastau.primaries.e2e.hashing import TestRng, b64d, b64e

UUID = "6f1d0c2e-9a43-4b7e-8f25-3c1e0d9b7a51"
SEED = b"ceremony tests"
NAMES = ["Aigerim", "Bolat", "Saule", "Daniyar", "Erlan"]


def _rng(label="rng"):
    return TestRng(SEED, label)


@pytest.mark.parametrize(("t", "m"), [(1, 1), (1, 2), (2, 2), (2, 3), (3, 5), (5, 5)])
def test_happy_path_any_t_subset_recovers_the_key(t, m):
    tr, secrets = ceremony.simulate(UUID, NAMES[:m], t, _rng(f"{t}-{m}"))
    pk = ceremony.verify_transcript(canonical.loads(canonical.dumps(tr)), UUID, t)
    assert (pk.t, pk.m) == (t, m)
    assert pk.names == {i + 1: n for i, n in enumerate(NAMES[:m])}
    for j, sec in secrets.items():
        assert pk.k[j] == group.base_mul(sec.share)
    for subset in itertools.combinations(range(1, m + 1), t):
        lam = tally.lagrange(list(subset))
        s = group.ZERO
        for j in subset:
            s = group.s_add(s, group.s_mul(lam[j], secrets[j].share))
        assert group.base_mul(s) == pk.y
    assert len(ceremony.transcript_digest(tr)) == 32


def test_transcript_bound_to_uuid_and_threshold():
    tr, _ = ceremony.simulate(UUID, NAMES[:3], 2, _rng())
    with pytest.raises(CeremonyError, match="threshold"):
        ceremony.verify_transcript(tr, UUID, 3)
    with pytest.raises(CeremonyError, match="uuid"):
        ceremony.verify_transcript(tr, "00000000-0000-4000-8000-000000000000", 2)


# --- A ceremony run step by step, with hooks for cheating trustees. ---------------------------


def _run(m=3, t=2, polys=None, cheat=None):
    """Certificates, reveals and deals; `cheat(i, state, reveal, deal, states, certs)` may
    replace trustee i's reveal and deal."""
    setup = ceremony.make_setup(UUID, NAMES[:m], t)
    rng = _rng("steps")
    states, certs = [], []
    for i in range(1, m + 1):
        st, cert = ceremony.make_certificate(setup, i, rng, poly=(polys or {}).get(i))
        states.append(st)
        certs.append(cert)
    reveals, deals = [], []
    for st in states:
        rev, deal = ceremony.reveal(st, certs, rng)
        if cheat:
            rev, deal = cheat(st["index"], st, rev, deal, states, certs)
        reveals.append(rev)
        deals.append(deal)
    return setup, states, certs, reveals, deals, rng


def _seed(states, i):
    return b64d(states[i - 1]["seed"])


def test_bad_share_becomes_a_complaint_naming_the_dealer():
    def cheat(i, st, rev, deal, states, certs):
        if i != 1:
            return rev, deal
        bad = ceremony.sign_object(
            _seed(states, 1),
            {"type": "share", "context": rev["context"], "from": 1, "to": 2,
             "share": b64e(group.scalar(12345))},
        )  # fmt: skip
        seal_key = b64d(certs[1]["seal_key"])
        box = ceremony.seal(seal_key, canonical.dumps(bad), _rng("cheat"))
        deal = copy.deepcopy(deal)
        deal["sealed"] = [
            {"to": 2, "box": b64e(box)} if s["to"] == 2 else s for s in deal["sealed"]
        ]
        return rev, deal

    setup, states, certs, reveals, deals, rng = _run(cheat=cheat)
    res2 = ceremony.check_shares(states[1], certs, reveals, deals, rng)
    assert res2.key is None and res2.problems == []
    assert len(res2.complaints) == 1
    complaint = res2.complaints[0]
    assert (complaint["from"], complaint["against"]) == (2, 1)
    # Anyone holding the public certificates and reveals can check the evidence.
    public = canonical.loads(canonical.dumps(complaint))
    assert ceremony.verify_complaint(public, setup, certs, reveals) == 1
    # Trustee 3 got a good share from trustee 1 and finishes.
    res3 = ceremony.check_shares(states[2], certs, reveals, deals, rng)
    assert res3.key is not None and not res3.complaints
    # The server refuses to assemble a transcript while a complaint stands.
    with pytest.raises(CeremonyError, match="trustee 1"):
        ceremony.assemble_transcript([setup, *certs, *reveals, res3.key, complaint])


def test_complaint_about_a_good_share_is_unfounded_and_a_forged_share_proves_nothing():
    setup, states, certs, reveals, deals, rng = _run()
    # Trustee 2 opens trustee 1's good share and falsely complains.
    box = next(s for s in deals[0]["sealed"] if s["to"] == 2)["box"]
    share = canonical.loads(ceremony.open_sealed(b64d(states[1]["seal_secret"]), b64d(box)))
    complaint = ceremony.sign_object(
        _seed(states, 2),
        {"type": "complaint", "context": share["context"], "from": 2, "against": 1,
         "share": share},
    )  # fmt: skip
    with pytest.raises(CeremonyError, match="unfounded") as e:
        ceremony.verify_complaint(complaint, setup, certs, reveals)
    assert e.value.culprit == 2
    # A made-up share (not signed by trustee 1) does not accuse trustee 1.
    forged = dict(share, share=b64e(group.scalar(7)))
    complaint = ceremony.sign_object(_seed(states, 2), dict(complaint, share=forged))
    with pytest.raises(CeremonyError, match="bad signature"):
        ceremony.verify_complaint(complaint, setup, certs, reveals)


def test_tampered_box_is_a_problem_not_a_complaint():
    def cheat(i, st, rev, deal, states, certs):
        if i == 3:
            deal = copy.deepcopy(deal)
            raw = bytearray(b64d(deal["sealed"][0]["box"]))
            raw[-1] ^= 1
            deal["sealed"][0]["box"] = b64e(bytes(raw))
        return rev, deal

    _, states, certs, reveals, deals, rng = _run(cheat=cheat)
    res = ceremony.check_shares(states[0], certs, reveals, deals, rng)
    assert res.key is None and not res.complaints
    assert any("trustee 3 deal" in p for p in res.problems)


def _transcript(**kw):
    setup, states, certs, reveals, deals, rng = _run(**kw)
    keys = [ceremony.check_shares(st, certs, reveals, deals, rng).key for st in states]
    return setup, states, certs, reveals, keys


def _tr(setup, certs, reveals, keys):
    st = ceremony.parse_setup(setup)
    return {
        "format": ceremony.FORMAT, "uuid": st.uuid, "threshold": st.t, "names": st.names,
        "context": b64e(st.kappa),
        "trustees": [{"certificate": c, "reveal": r, "key": k}
                     for c, r, k in zip(certs, reveals, keys, strict=True)],
    }  # fmt: skip


def test_assembled_transcript_verifies():
    setup, states, certs, reveals, keys = _transcript()
    tr = ceremony.assemble_transcript([*keys, setup, *reveals[::-1], *certs])
    assert tr == _tr(setup, certs, reveals, keys)
    ceremony.verify_transcript(tr, UUID, 2)


def _fails(tr, where, match):
    with pytest.raises(CeremonyError, match=match) as e:
        ceremony.verify_transcript(tr, UUID, 2)
    assert e.value.where.startswith(where), e.value.where


def test_commitment_mismatch_names_the_trustee():
    setup, states, certs, reveals, keys = _transcript()
    rev = dict(reveals[1])
    rev["coefs"] = [rev["coefs"][0], b64e(group.small_mul(5))]
    reveals[1] = ceremony.sign_object(_seed(states, 2), rev)
    _fails(_tr(setup, certs, reveals, keys), "trustee 2 reveal", "certificate's digest")


def test_missing_or_bad_proof_of_knowledge():
    setup, states, certs, reveals, keys = _transcript()
    rev = {k: v for k, v in reveals[0].items() if k not in ("pok", "sig")}
    bad = list(reveals)
    bad[0] = ceremony.sign_object(_seed(states, 1), rev)
    _fails(_tr(setup, certs, bad, keys), "trustee 1 reveal", "missing field")
    pok = bytearray(b64d(reveals[0]["pok"]))
    pok[40] ^= 1
    bad[0] = ceremony.sign_object(_seed(states, 1), dict(rev, pok=b64e(bytes(pok))))
    _fails(_tr(setup, certs, bad, keys), "trustee 1 reveal", "proof of knowledge")
    key = dict(keys[2], pok=reveals[0]["pok"])
    bad_keys = list(keys)
    bad_keys[2] = ceremony.sign_object(_seed(states, 3), key)
    _fails(_tr(setup, certs, reveals, bad_keys), "trustee 3 key", "proof of knowledge")


def test_wrong_key_is_refused():
    setup, states, certs, reveals, keys = _transcript()
    # A key with a valid proof of knowledge, but of a secret other than the dealt sum.
    kappa = ceremony.parse_setup(setup).kappa
    s = group.scalar(99)
    k = group.base_mul(s)
    key = dict(keys[1], key=b64e(k),
               pok=b64e(ceremony.prove_knowledge(kappa, "key", 2, s, k, _rng("k"))))  # fmt: skip
    keys[1] = ceremony.sign_object(_seed(states, 2), key)
    _fails(_tr(setup, certs, reveals, keys), "trustee 2 key", "K_j differs")


def test_index_zero_and_duplicate_index():
    setup, states, certs, reveals, keys = _transcript()
    for index, match in ((0, "index 0"), (1, "duplicate")):
        bad = list(certs)
        bad[1] = ceremony.sign_object(_seed(states, 2), dict(certs[1], index=index))
        _fails(_tr(setup, bad, reveals, keys), "trustee 2 certificate", match)
    with pytest.raises(CeremonyError, match="no such trustee"):
        ceremony.assemble_transcript([setup, *certs, *reveals, *keys, dict(keys[0], index=0)])
    with pytest.raises(CeremonyError, match="two different"):
        ceremony.assemble_transcript([setup, *certs, *reveals, *keys, dict(keys[1], index=1)])


def test_wrong_degree_is_refused_at_reveal():
    rng = _rng("poly")
    polys = {2: [rng.scalar() for _ in range(3)]}  # degree 2 where t - 1 = 1
    setup = ceremony.make_setup(UUID, NAMES[:3], 2)
    states, certs = [], []
    for i in (1, 2, 3):
        st, c = ceremony.make_certificate(setup, i, rng, poly=polys.get(i))
        states.append(st)
        certs.append(c)
    reveals = [ceremony.reveal(st, certs, rng)[0] for st in states]
    with pytest.raises(CeremonyError, match="degree t-1") as e:
        ceremony.check_reveals(ceremony.parse_setup(setup), certs, reveals)
    assert e.value.where == "trustee 2 reveal" and e.value.culprit == 2


def test_identity_election_key_is_refused():
    rng = _rng("identity")
    a10, a11, a21 = rng.scalar(), rng.scalar(), rng.scalar()
    polys = {1: [a10, a11], 2: [group.s_neg(a10), a21]}
    setup, states, certs, reveals, keys = _transcript(m=2, polys=polys)
    with pytest.raises(CeremonyError, match="identity"):
        ceremony.verify_transcript(_tr(setup, certs, reveals, keys), UUID, 2)


def test_bad_signature_extra_field_and_other_ceremony():
    setup, states, certs, reveals, keys = _transcript()
    bad = list(certs)
    bad[2] = dict(certs[2], name="Saule ")
    _fails(_tr(setup, bad, reveals, keys), "trustee 3 certificate", "name")
    bad[2] = dict(certs[2], seal_key=certs[0]["seal_key"])
    _fails(_tr(setup, bad, reveals, keys), "trustee 3 certificate", "bad signature")
    bad[2] = dict(certs[2], elected="yes")
    _fails(_tr(setup, bad, reveals, keys), "trustee 3 certificate", "unexpected field")
    # A reveal signed over another list of certificates.
    rev = dict(reveals[0], certificates=b64e(bytes(32)))
    bad_r = list(reveals)
    bad_r[0] = ceremony.sign_object(_seed(states, 1), rev)
    _fails(_tr(setup, certs, bad_r, keys), "trustee 1 reveal", "another list")
    # Messages from another ceremony (another threshold) do not fit.
    tr = _tr(setup, certs, reveals, keys)
    tr["threshold"] = 3
    with pytest.raises(CeremonyError):
        ceremony.verify_transcript(tr, UUID, 3)


def test_sealed_box_only_opens_for_its_recipient():
    rng = _rng("box")
    a, b = rng.bytes(32), rng.bytes(32)
    box = ceremony.seal(ceremony.x25519_public(a), b"secret share", rng)
    assert ceremony.open_sealed(a, box) == b"secret share"
    with pytest.raises(ValueError):
        ceremony.open_sealed(b, box)


def test_uuid_may_be_given_as_a_uuid_object():
    import uuid

    tr, _ = ceremony.simulate(UUID, NAMES[:2], 1, _rng())
    assert ceremony.verify_transcript(tr, uuid.UUID(UUID), 1).m == 2
