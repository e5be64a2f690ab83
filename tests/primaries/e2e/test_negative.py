"""One rejection per mutation of section 6 that applies to the core: none may count as a pass."""

import uuid

import pytest

from bastau.primaries.e2e import ballot, credentials, group, proofs, tally
from bastau.primaries.e2e.elgamal import Ciphertext, ciphertext_sum, encrypt
from bastau.primaries.e2e.hashing import TAG_ELECTION, TestRng, hd

SEED = b"negative tests"
UUID = uuid.UUID(int=13)


def _setup(n=4, k_min=1, k_max=2):
    rng = TestRng(SEED, "setup")
    y = group.base_mul(rng.scalar())
    phi = hd(TAG_ELECTION, b"negative")
    election = ballot.Election(phi, y, (ballot.Question("q1", n, k_min, k_max),))
    cred = credentials.new_credential(rng)
    x = credentials.secret_key(UUID, cred)
    return election, x, credentials.public_key(x)


ELECTION, X_SECRET, X_PUB = _setup()
PHI, Y = ELECTION.phi, ELECTION.y


def _ballot(choices=(1, 0, 1, 0), label="b"):
    rng = TestRng(SEED, label)
    body, audit = ballot.encrypt_body(ELECTION, X_PUB, [list(choices)], rng)
    return ballot.sign_body(ELECTION, body, X_SECRET, rng), body, audit


SIGNED, BODY, AUDIT = _ballot()
CT_OFF = 72
BIT_OFF = CT_OFF + 4 * 64
SUM_OFF = BIT_OFF + 4 * 224


def _rejected(data, election=ELECTION):
    with pytest.raises(ballot.InvalidBallot):
        ballot.verify(election, data)


def _resign(body):
    return ballot.sign_body(ELECTION, body, X_SECRET, TestRng(SEED, "resign"))


def test_the_honest_ballot_passes():
    assert ballot.verify(ELECTION, SIGNED).x_pub == X_PUB


OFFSETS = [0, 8, 40, CT_OFF, CT_OFF + 32, BIT_OFF, BIT_OFF + 150, SUM_OFF, SUM_OFF + 200]


@pytest.mark.parametrize("offset", [*OFFSETS, len(BODY) - 1, len(BODY) + 5])
def test_any_changed_byte_fails_even_resigned(offset):
    data = bytearray(SIGNED)
    data[offset] ^= 0x01
    _rejected(bytes(data))
    if offset < len(BODY) and offset >= 72:
        _rejected(_resign(bytes(data[: len(BODY)])))  # the credential holder re-signs: still bad


def test_every_proof_field_changed_fails():
    # Within the first 0/1 proof: A0, B0, A1, B1, c0, v0, v1; each bumped by a valid value.
    for k in range(7):
        start = BIT_OFF + 32 * k
        chunk = BODY[start : start + 32]
        if k < 4:
            new = group.add(chunk, group.G)
        else:
            new = group.s_add(chunk, group.scalar(1))
        _rejected(_resign(BODY[:start] + new + BODY[start + 32 :]))


def test_alpha_beta_changed_fail():
    for start in (CT_OFF, CT_OFF + 32):
        new = group.add(BODY[start : start + 32], group.G)
        _rejected(_resign(BODY[:start] + new + BODY[start + 32 :]))


def test_candidates_swapped_fail():
    c0, c1 = BODY[CT_OFF : CT_OFF + 64], BODY[CT_OFF + 64 : CT_OFF + 128]
    p0, p1 = BODY[BIT_OFF : BIT_OFF + 224], BODY[BIT_OFF + 224 : BIT_OFF + 448]
    body = BODY[:CT_OFF] + c1 + c0 + BODY[CT_OFF + 128 : BIT_OFF] + p1 + p0 + BODY[BIT_OFF + 448 :]
    _rejected(_resign(body))


def test_other_y_phi_question_bound_fail():
    other_y = group.add(Y, group.G)
    for election in (
        ballot.Election(PHI, other_y, ELECTION.questions),
        ballot.Election(PHI, Y, (ballot.Question("q2", 4, 1, 2),)),
        ballot.Election(PHI, Y, (ballot.Question("q1", 4, 1, 3),)),
        ballot.Election(PHI, Y, (ballot.Question("q1", 4, 0, 2),)),
    ):
        _rejected(SIGNED, election)
    _rejected(SIGNED, ballot.Election(hd(TAG_ELECTION, b"other"), Y, ELECTION.questions))


def test_proof_moved_to_another_credential_fails():
    # Another voter copies the body and signs it with their own credential (Cortier-Smyth).
    x2 = credentials.secret_key(UUID, credentials.new_credential(TestRng(SEED, "thief")))
    x2_pub = credentials.public_key(x2)
    copied = BODY[:40] + x2_pub + BODY[72:]
    _rejected(ballot.sign_body(ELECTION, copied, x2, TestRng(SEED, "t")))


def test_proof_moved_to_another_election_or_index_fails():
    ct = Ciphertext(BODY[CT_OFF : CT_OFF + 32], BODY[CT_OFF + 32 : CT_OFF + 64])
    pr = proofs.RangeProof.from_bytes(BODY[BIT_OFF : BIT_OFF + 224], 0, 1)
    assert proofs.verify_bit(PHI, "q1", X_PUB, 0, Y, ct, pr)
    assert not proofs.verify_bit(PHI, "q1", X_PUB, 1, Y, ct, pr)
    assert not proofs.verify_bit(PHI, "q2", X_PUB, 0, Y, ct, pr)
    assert not proofs.verify_bit(hd(TAG_ELECTION, b"x"), "q1", X_PUB, 0, Y, ct, pr)
    assert not proofs.verify_bit(PHI, "q1", group.add(X_PUB, group.G), 0, Y, ct, pr)
    assert not proofs.verify_bit(PHI, "q1", X_PUB, 0, group.add(Y, group.G), ct, pr)


def _simulated_2g_proof(rng):
    """A cheater encrypts 2 and simulates both branches; the challenges cannot add up."""
    r = rng.scalar()
    ct = encrypt(Y, 2, r)
    st = proofs.bit_statement(PHI, "q1", X_PUB, 0, Y, ct)
    cs, vs, coms = [], [], []
    for j in (0, 1):
        c, v = rng.scalar(), rng.scalar()
        a = group.add(group.base_mul(v), group.mul(c, ct.alpha))
        b = group.add(group.mul(v, Y), group.mul(c, group.sub(ct.beta, group.small_mul(j))))
        cs.append(c)
        vs.append(v)
        coms.append((a, b))
    return st, ct, proofs.RangeProof(tuple(coms), (cs[0],), tuple(vs))


def test_two_g_with_simulated_branches_fails():
    st, ct, pr = _simulated_2g_proof(TestRng(SEED, "2g"))
    assert not proofs.verify_range(st, Y, ct, 0, 1, pr)
    # Nor can an honest prover be talked into it.
    with pytest.raises(ValueError):
        proofs.prove_bit(PHI, "q1", X_PUB, 0, Y, ct, 2, group.scalar(1), TestRng(SEED, "p"))


def test_k_max_plus_one_selections():
    with pytest.raises(ValueError):
        _ballot((1, 1, 1, 0))
    # Forge it: three honest 0/1 proofs, and a sum proof claiming 2 for a sum of 3.
    rng = TestRng(SEED, "over")
    rs = [rng.scalar() for _ in range(4)]
    cts = [encrypt(Y, m, r) for m, r in zip((1, 1, 1, 0), rs, strict=True)]
    total = ciphertext_sum(cts)
    r_sum = group.ZERO
    for r in rs:
        r_sum = group.s_add(r_sum, r)
    st = proofs.sum_statement(PHI, "q1", X_PUB, 4, 1, 2, Y, total)
    # prove_range refuses 3 outside [1, 2]; lie about the value instead.
    lie = proofs.prove_range(st, Y, total, 2, r_sum, 1, 2, rng)
    assert not proofs.verify_range(st, Y, total, 1, 2, lie)
    body = BODY[:CT_OFF] + b"".join(c.to_bytes() for c in cts)
    bits = [proofs.prove_bit(PHI, "q1", X_PUB, i, Y, c, m, r, rng).to_bytes()
            for i, (c, m, r) in enumerate(zip(cts, (1, 1, 1, 0), rs, strict=True))]  # fmt: skip
    _rejected(_resign(body + b"".join(bits) + lie.to_bytes()))


def test_v_plus_l_bit255_identity_and_length():
    v_at = BIT_OFF + 4 * 32 + 32  # v0 of the first proof
    v_plus_l = (int.from_bytes(BODY[v_at : v_at + 32], "little") + group.L).to_bytes(32, "little")
    _rejected(_resign(BODY[:v_at] + v_plus_l + BODY[v_at + 32 :]))
    # alpha with bit 255 set: libsodium 1.0.18 alone would accept it.
    a = bytearray(BODY)
    a[CT_OFF + 31] |= 0x80
    _rejected(_resign(bytes(a)))
    # The identity as alpha (a voter who "encrypts" with r = 0 shows the vote in the clear).
    body = BODY[:CT_OFF] + group.IDENTITY + BODY[CT_OFF + 32 :]
    _rejected(_resign(body))
    _rejected(SIGNED[:-1])
    _rejected(SIGNED + b"\0")
    _rejected(b"")


def test_sigma_on_another_body_and_bad_sigma():
    other, _, _ = _ballot((0, 1, 0, 1), label="other")
    _rejected(BODY + other[-64:])
    s = bytearray(SIGNED)
    s[-1] ^= 1
    _rejected(bytes(s))
    s_plus_l = (int.from_bytes(SIGNED[-32:], "little") + group.L).to_bytes(32, "little")
    _rejected(SIGNED[:-32] + s_plus_l)
    # X the identity: every signature would verify for a known x = 0.
    _rejected(_resign(BODY[:40] + group.IDENTITY + BODY[72:]))


def test_audit_with_wrong_reveal_fails():
    assert ballot.check_audit(ELECTION, BODY, AUDIT)
    lie = ballot.AuditData(((0, 1, 1, 0),), AUDIT.randomness)
    assert not ballot.check_audit(ELECTION, BODY, lie)


# Decryption.
def _trustees():
    rng = TestRng(SEED, "dealing")
    coefs = [rng.scalar(), rng.scalar()]
    s = {j: tally.eval_poly(coefs, j) for j in (1, 2, 3)}
    return group.base_mul(coefs[0]), s, {j: group.base_mul(v) for j, v in s.items()}


def test_bad_share_is_caught_and_t_honest_still_decrypt():
    y, s, k = _trustees()
    rng = TestRng(SEED, "shares")
    total = ciphertext_sum([encrypt(y, m, rng.scalar()) for m in (1, 0, 1, 1)])
    good = {j: tally.decryption_share(PHI, j, s[j], k[j], total.alpha, rng) for j in (1, 2, 3)}
    # Trustee 2 publishes a wrong D with a proof made for it under another secret.
    wrong = group.s_add(s[2], group.scalar(1))
    d_bad, pr_bad = tally.decryption_share(PHI, 2, wrong, k[2], total.alpha, rng)
    assert not tally.verify_share(PHI, 2, k[2], total.alpha, d_bad, pr_bad)
    # Its honest proof does not carry over to a shifted D, another index or another phi.
    d2, pr2 = good[2]
    assert not tally.verify_share(PHI, 2, k[2], total.alpha, group.add(d2, group.G), pr2)
    assert not tally.verify_share(PHI, 3, k[3], total.alpha, d2, pr2)
    assert not tally.verify_share(hd(TAG_ELECTION, b"x"), 2, k[2], total.alpha, d2, pr2)
    assert not tally.verify_share(PHI, 2, k[2], total.alpha, d2, pr2[:-1])
    z_plus_l = (int.from_bytes(pr2[64:], "little") + group.L).to_bytes(32, "little")
    assert not tally.verify_share(PHI, 2, k[2], total.alpha, d2, pr2[:64] + z_plus_l)
    valid = {j: d for j, (d, pr) in good.items() if tally.verify_share(PHI, j, k[j], total.alpha,
                                                                        d, pr)}  # fmt: skip
    assert set(valid) == {1, 2, 3}
    honest = {1: valid[1], 3: valid[3]}
    point = tally.combine(total.beta, honest)
    assert tally.BabyGiant(4).log(point) == 3
    # With the bad D the result is wrong (which is why the proof is checked first).
    assert tally.combine(total.beta, {1: valid[1], 2: d_bad}) != point


def test_result_off_by_one_fails():
    point = group.small_mul(7)
    assert tally.check_count(point, 7, 10)
    assert not tally.check_count(point, 6, 10)
    assert not tally.check_count(point, 8, 10)
    assert not tally.check_count(point, 7, 6)  # above the number of ballots
    assert not tally.check_count(point, -1, 10)


def test_duplicate_or_zero_lagrange_index_refused():
    with pytest.raises(tally.TallyError):
        tally.lagrange([1, 1])
    with pytest.raises(tally.TallyError):
        tally.lagrange([0, 2])
    with pytest.raises(tally.TallyError):
        tally.lagrange([])


def test_bsgs_refuses_out_of_range():
    bsgs = tally.BabyGiant(10)
    assert bsgs.log(group.IDENTITY) == 0
    assert bsgs.log(group.small_mul(10)) == 10
    with pytest.raises(tally.TallyError):
        bsgs.log(group.small_mul(11))
    with pytest.raises(tally.TallyError):
        bsgs.log(group.small_mul(-1))


def test_scalar_and_point_rules():
    with pytest.raises(group.EncodingError):
        group.decode_point(group.G[:31])
    with pytest.raises(group.EncodingError):
        group.mul(group.L.to_bytes(32, "little"), group.G)  # never reduced silently
    assert group.mul(group.ZERO, group.G) == group.IDENTITY  # computed, not raised
    assert group.mul(group.scalar(5), group.IDENTITY) == group.IDENTITY
    assert group.base_mul(group.ZERO) == group.IDENTITY


def _decode_outcome(fn, data):
    try:
        result = fn(ELECTION, data)
    except ballot.InvalidBallot as exc:
        return ("refused", str(exc))
    return ("ok", result.x_pub, result.tracker, result.sigma)


def _in_commitment(offset: int) -> bool:
    return any(off <= offset < off + 32 for off in ballot._layout(ELECTION)[2])


def test_the_cast_paths_check_refuses_exactly_what_decode_refuses():
    """check_encoding (the cast's request path) against decode: same verdict, same reason,
    for a change of any byte outside the proofs' commitment points: a point's sign or high bit,
    a scalar above l, phi, the version. A change inside a commitment is left to the proof check
    (docs/verification.md): the request path accepts the ballot, verify refuses it."""
    in_commitments = 0
    for offset in range(len(SIGNED)):
        for change in (0x01, 0x80, 0xFF):
            data = bytearray(SIGNED)
            data[offset] ^= change
            data = bytes(data)
            if _in_commitment(offset):
                in_commitments += 1
                outcome = _decode_outcome(ballot.check_encoding, data)
                assert outcome == ("ok", X_PUB, ballot.tracker(data[:-64]), data[-64:])
                with pytest.raises(ballot.InvalidBallot):
                    ballot.verify(ELECTION, data)
                continue
            assert _decode_outcome(ballot.check_encoding, data) == _decode_outcome(
                ballot.decode, data
            ), (offset, change)
    assert in_commitments == 3 * 32 * len(ballot._layout(ELECTION)[2])


def test_the_cast_paths_check_names_a_bad_ciphertext_despite_a_bad_commitment():
    """Two questions: a bad commitment in the first question's proofs (read first by decode)
    and a bad ciphertext in the second's: refused at once, for the ciphertext."""
    two = ballot.Election(PHI, Y, (ballot.Question("q1", 2, 0, 1), ballot.Question("q2", 3, 1, 2)))
    rng = TestRng(SEED, "two questions")
    body, _audit = ballot.encrypt_body(two, X_PUB, [[1, 0], [0, 1, 1]], rng)
    signed = ballot.sign_body(two, body, X_SECRET, rng)
    assert ballot.check_encoding(two, signed).x_pub == X_PUB
    _points, _scalars, commitments = ballot._layout(two)
    second_ct = 72 + ballot.Question("q1", 2, 0, 1).size
    data = bytearray(signed)
    data[commitments[0] + 31] |= 0x80  # q1's first commitment: bit 255
    with pytest.raises(ballot.InvalidBallot, match=r"q1\[0\] 0/1 proof"):
        ballot.decode(two, bytes(data))
    assert ballot.check_encoding(two, bytes(data)).x_pub == X_PUB
    data[second_ct + 31] |= 0x80  # q2's first alpha: bit 255
    with pytest.raises(ballot.InvalidBallot, match=r"q2\[0\] ciphertext"):
        ballot.check_encoding(two, bytes(data))


def test_the_cast_paths_check_refuses_the_identity_and_a_scalar_of_l():
    identity = SIGNED[:CT_OFF] + bytes(32) + SIGNED[CT_OFF + 32 :]
    l_bytes = group.L.to_bytes(32, "little")
    big_scalar = SIGNED[:-32] + l_bytes
    for data in (identity, big_scalar, SIGNED[:-1], SIGNED + b"\0"):
        outcome = _decode_outcome(ballot.check_encoding, data)
        assert outcome[0] == "refused"
        assert outcome == _decode_outcome(ballot.decode, data)
    assert _decode_outcome(ballot.check_encoding, SIGNED)[0] == "ok"
