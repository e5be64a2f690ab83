"""Canonical JSON and kind-bound Ed25519 signatures of the encrypted record."""

import pytest

from bastau.primaries.e2e import canonical, signing
from bastau.primaries.e2e.canonical import CanonicalError


def test_round_trip_of_canonical_bytes():
    value = {"b": [1, True, "Әсел"], "a": {"z": "x\n\u0001", "y": 0}}
    data = canonical.dumps(value)
    assert data == '{"a":{"y":0,"z":"x\\n\\u0001"},"b":[1,true,"Әсел"]}'.encode()
    assert canonical.loads(data) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (b'{"a":1,"a":2}', "duplicate key"),
        (b'\xef\xbb\xbf{"a":1}', "byte-order mark"),
        (b'{"a":"\xff"}', "UTF-8"),
        (b'{"a":"\\ud800"}', "Unicode"),
        (b'{"a":1.0}', "not an integer"),
        (b'{"a":-1}', "out of range"),
        (b'{"a":NaN}', "not JSON"),
        (b'{"a":null}', "not allowed"),
        (b'{"b":1,"a":2}', "canonical"),
        (b'{"a": 1}', "canonical"),
        (b'{"a":"\\u00e9"}', "canonical"),
        (b'{"\xc3\xa9":1}', "ASCII"),
        (b"null", "null"),
    ],
)
def test_every_other_text_is_refused(text, why):
    with pytest.raises(CanonicalError, match=why):
        canonical.loads(text, where="manifest")


def test_fields_names_extra_and_missing():
    with pytest.raises(CanonicalError, match="manifest: unexpected field.s. elected; missing"):
        canonical.fields({"elected": [], "a": 1}, {"a", "b"}, "manifest")


def test_days_and_data_are_strict():
    with pytest.raises(CanonicalError, match="not a real day"):
        canonical.day({"d": "2027-02-29"}, "d", "close")
    assert str(canonical.day({"d": "2028-02-29"}, "d", "close")) == "2028-02-29"
    with pytest.raises(CanonicalError, match="not a real time"):
        canonical.moment({"t": "2027-01-01T24:00:00Z"}, "t", "close")
    with pytest.raises(CanonicalError, match="non-canonical"):
        canonical.data({"k": "AB"}, "k", "event")
    with pytest.raises(CanonicalError, match="expected 3 bytes"):
        canonical.data({"k": "AAA"}, "k", "event", size=3)


def test_a_signature_is_bound_to_its_kind_and_digest():
    seed = bytes(range(1, 33))
    key = signing.public_key(seed)
    digest = bytes(32)
    sig = signing.sign(seed, "event", digest)
    assert signing.verify(key, "event", digest, sig)
    assert not signing.verify(key, "receipt", digest, sig)
    assert not signing.verify(key, "event", b"\x01" + bytes(31), sig)
    assert not signing.verify(key, "event", digest, sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not signing.verify(bytes(32), "event", digest, sig)
