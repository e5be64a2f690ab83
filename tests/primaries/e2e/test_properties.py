"""Properties of the core, over modest hypothesis example counts."""

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from bastau.primaries.e2e import ballot, credentials, group, hashing, proofs, tally
from bastau.primaries.e2e.elgamal import ciphertext_sum, decrypt_point, encrypt
from bastau.primaries.e2e.hashing import TAG_ELECTION, SystemRng, TestRng, hd

FEW = settings(max_examples=15, deadline=None)
PHI = hd(TAG_ELECTION, b"properties")
SECRET = TestRng(b"properties", "key").scalar()
Y = group.base_mul(SECRET)


@st.composite
def questions_and_choices(draw):
    n = draw(st.integers(1, 12))
    k_min = draw(st.integers(0, n))
    k_max = draw(st.integers(k_min, n))
    k = draw(st.integers(k_min, k_max))
    chosen = draw(st.permutations(range(n)))[:k]
    return ballot.Question("q", n, k_min, k_max), [1 if i in chosen else 0 for i in range(n)]


@FEW
@given(questions_and_choices(), st.binary(min_size=1, max_size=8))
def test_what_is_encrypted_verifies_and_decrypts(qc, seed):
    q, ms = qc
    election = ballot.Election(PHI, Y, (q,))
    rng = TestRng(seed, "b")
    x = credentials.secret_key(uuid.UUID(int=1), credentials.new_credential(rng))
    body, audit = ballot.encrypt_body(election, credentials.public_key(x), [ms], rng)
    b = ballot.verify(election, ballot.sign_body(election, body, x, rng))
    assert ballot.check_audit(election, body, audit)
    total = ciphertext_sum(b.parts[0].ciphertexts)
    assert decrypt_point(SECRET, total) == group.small_mul(sum(ms))
    for ct, m in zip(b.parts[0].ciphertexts, ms, strict=True):
        assert decrypt_point(SECRET, ct) == group.small_mul(m)


@FEW
@given(st.lists(st.lists(st.integers(0, 1), min_size=3, max_size=3), min_size=1, max_size=6),
       st.integers(1, 4), st.integers(0, 3))  # fmt: skip
def test_sum_of_ballots_decrypts_to_the_sum_for_every_t_subset(rows, t, extra):
    m = t + extra
    rng = TestRng(bytes([t, m]), "tally")
    coefs = [rng.scalar() for _ in range(t)]
    s = {j: tally.eval_poly(coefs, j) for j in range(1, m + 1)}
    y = group.base_mul(coefs[0])
    totals = [ciphertext_sum([encrypt(y, row[i], rng.scalar()) for row in rows]) for i in range(3)]
    expected = [sum(row[i] for row in rows) for i in range(3)]
    import itertools

    for subset in itertools.combinations(range(1, m + 1), t):
        shares = {j: [group.mul(s[j], ct.alpha) for ct in totals] for j in subset}
        assert tally.decrypt_totals(totals, shares, len(rows)) == expected


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 5000))
def test_bsgs_finds_every_value_in_range(x, extra):
    assert tally.BabyGiant(x + extra).log(group.small_mul(x)) == x


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=40))
def test_base64url_round_trips(b):
    assert hashing.b64d(hashing.b64e(b)) == b


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=16, max_size=16))
def test_credentials_round_trip_and_catch_single_typos(value):
    text = credentials.format_credential(value)
    assert credentials.parse_credential(text) == value
    assert credentials.parse_credential(text.lower()) == value
    for pos in (0, 13, 27):
        for ch in "0A9Z":
            typo = text[:pos] + ch + text[pos + 1 :]
            if typo != text:
                try:
                    credentials.parse_credential(typo)
                    raise AssertionError("a changed character passed the check")
                except credentials.CredentialError:
                    pass
    for pos in range(27):
        swapped = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
        if swapped != text:
            try:
                credentials.parse_credential(swapped)
                raise AssertionError("an adjacent swap passed the check")
            except credentials.CredentialError:
                pass


@settings(max_examples=30, deadline=None)
@given(st.integers(0, group.L - 1))
def test_point_and_scalar_encodings_round_trip(n):
    s = group.scalar(n)
    assert group.decode_scalar(s) == s and group.scalar_int(s) == n
    p = group.base_mul(s)
    assert group.decode_point(p, allow_identity=(n == 0)) == p


_Q = ballot.Question("q", 3, 1, 2)
_E = ballot.Election(PHI, Y, (_Q,))
_RNG = TestRng(b"flip", "b")
_X = credentials.secret_key(uuid.UUID(int=2), credentials.new_credential(_RNG))
_BODY, _ = ballot.encrypt_body(_E, credentials.public_key(_X), [[1, 0, 1]], _RNG)
_SIGNED = ballot.sign_body(_E, _BODY, _X, _RNG)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(_SIGNED) - 1), st.integers(0, 7))
def test_any_flipped_bit_fails(pos, bit):
    data = bytearray(_SIGNED)
    data[pos] ^= 1 << bit
    try:
        ballot.verify(_E, bytes(data))
    except ballot.InvalidBallot:
        return
    raise AssertionError(f"a flipped bit at byte {pos} passed")


def test_repeated_proofs_differ():
    rng = SystemRng()
    r = rng.scalar()
    ct = encrypt(Y, 1, r)
    a = proofs.prove_bit(PHI, "q", group.G, 0, Y, ct, 1, r, rng).to_bytes()
    b = proofs.prove_bit(PHI, "q", group.G, 0, Y, ct, 1, r, rng).to_bytes()
    assert a != b
    assert encrypt(Y, 1, rng.scalar()) != encrypt(Y, 1, rng.scalar())
