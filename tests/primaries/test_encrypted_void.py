"""Voided credentials (paper voters): the paper voters' export, the CA's signed void file
installed on the Encryption page, the VOID event on the record, a voided credential refused at
cast. The server never holds the member -> credential map: the test plays the CA with its keys."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bastau.core.models import AuditEvent
from bastau.primaries import encrypted, services
from bastau.primaries.e2e import credentials, record, verify
from bastau.primaries.e2e.hashing import b64e
from bastau.primaries.models import E2ECredential, E2EEvent

from ..factories.primaries import build_election, voter_user
from .test_encrypted import (
    CA_SEED,
    make_ballot,
    post,
    refused,
    setup_encrypted,
    verify_chain,
)


@pytest.fixture
def enc(world):
    return setup_encrypted(build_election(world))


def key_of(enc, voter) -> tuple[str, bytes]:
    return "main", credentials.public_key(enc.keys[voter.pk])


def void_file(enc, voters, seed=CA_SEED, phi=None) -> bytes:
    phi = phi if phi is not None else bytes(enc.election.phi)
    return record.void_file(seed, phi, [key_of(enc, v) for v in voters])


def snapshot():
    return (
        E2EEvent.objects.count(),
        sorted(
            bytes(k)
            for k in E2ECredential.objects.filter(voided=True).values_list("key", flat=True)
        ),
    )


def paper_entry(enc, voters, ballots):
    from bastau.accounts.scoping import Scope

    poo = voters[0].poo
    ids = [v.pk for v in voters]
    batch = services.submit_paper_entry(
        Scope(enc.ns.chair), enc.campaign, poo=poo, voter_ids=ids, ballots=ballots
    )
    services.submit_paper_entry(
        Scope(enc.ns.clerk), enc.campaign, poo=poo, voter_ids=ids, ballots=ballots, batch=batch
    )


def same_poo(enc, n):
    poo = enc.ns.voters[3].poo
    return [v for v in enc.ns.voters[10:] if v.poo_id == poo.pk][:n]


def test_a_signed_void_file_is_recorded_and_the_credential_cannot_cast(client, enc):
    voters = same_poo(enc, 2)
    paper_entry(enc, voters, [["c2"], ["c3"]])
    event = encrypted.install_void(enc.election, void_file(enc, voters))
    assert event.type == "VOID"
    voided = set(E2ECredential.objects.filter(voided=True).values_list("key", flat=True))
    assert {bytes(k) for k in voided} == {key_of(enc, v)[1] for v in voters}
    # The member's credential (held by them from the CA's letter) now fails at cast.
    client.force_login(voter_user(voters[0]))
    body = refused(
        client, enc, make_ballot(enc, voters[0], [1, 0, 0, 0, 0, 0]), "credential-voided", 409
    )
    assert "paper" in body["error"]
    # The record shows the VOID and verifies, ballots and all.
    events = verify_chain(enc)
    assert [e["type"] for e in events].count("VOID") == 1
    services.close_voting(enc.ns.scope, enc.campaign)
    response = client.get(reverse("primaries:e2e_record", args=[enc.campaign.slug]))
    lines = b"".join(response.streaming_content).splitlines(keepends=True)
    report = verify.verify_record(lines, server_key=bytes(enc.election.server_key), final=False)
    assert report.ok, [str(f) for f in report.failures]
    assert report.voided == 2 and report.ballots["paper"] == 2
    # After the CLOSE no VOID is accepted.
    before = snapshot()
    with pytest.raises(ValidationError, match="closed"):
        encrypted.install_void(enc.election, void_file(enc, same_poo(enc, 3)[2:]))
    assert snapshot() == before


def refused_void(enc, data, match, lang="en"):
    before = snapshot()
    with translation.override(lang), pytest.raises(ValidationError) as info:
        encrypted.install_void(enc.election, data)
    message = " ".join(info.value.messages)
    assert match in message, message
    assert snapshot() == before
    return message


def test_bad_void_files_are_refused_and_change_nothing(client, enc):
    voters = enc.ns.voters[10:13]
    refused_void(enc, void_file(enc, voters, seed=bytes(32)), "not signed by the campaign's")
    refused_void(enc, void_file(enc, voters, phi=bytes(32)), "another election")
    refused_void(enc, b"{not json", "malformed")
    unsorted = void_file(enc, voters).replace(b'"format"', b'"format" ')
    refused_void(enc, unsorted, "malformed")
    # A used credential: the whole file is refused, naming it.
    client.force_login(voter_user(voters[1]))
    assert post(client, enc, make_ballot(enc, voters[1], [1, 0, 0, 0, 0, 0])).status_code == 200
    used = b64e(key_of(enc, voters[1])[1])
    refused_void(enc, void_file(enc, voters), used)
    # In Kazakh and Russian, with the key named and no English left.
    kk = refused_void(enc, void_file(enc, voters), used, lang="kk")
    ru = refused_void(enc, void_file(enc, voters), used, lang="ru")
    assert "already" not in kk and "already" not in ru and kk != ru
    assert "CA" not in refused_void(enc, void_file(enc, voters, seed=bytes(32)), "", lang="kk")
    # A key voided twice.
    encrypted.install_void(enc.election, void_file(enc, [voters[0]]))
    twice = refused_void(
        enc, void_file(enc, [voters[0], voters[2]]), b64e(key_of(enc, voters[0])[1])
    )
    assert "voided" in twice
    # A key for another question is refused too.
    wrong = record.void_file(
        CA_SEED, bytes(enc.election.phi), [("other", key_of(enc, voters[2])[1])]
    )
    refused_void(enc, wrong, "not on the list")


def test_the_encryption_page_exports_paper_voters_and_installs_the_void_file(client, enc):
    voters = same_poo(enc, 2)
    paper_entry(enc, voters, [["c2"], ["c3"]])
    client.force_login(enc.ns.scope.user)
    page = reverse("primaries:manage_encryption", args=[enc.campaign.slug])
    export = reverse("primaries:manage_paper_voters_csv", args=[enc.campaign.slug])
    html = client.get(page).content.decode()
    assert export in html and 'value="void"' in html
    audits = AuditEvent.objects.filter(action="primaries.e2e_paper_voters_exported").count()
    response = client.get(export)
    assert response.status_code == 200
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert sorted(int(r["member_number"]) for r in rows) == sorted(v.pk for v in voters)
    assert {r["list"] for r in rows} == {"main"}
    assert (
        AuditEvent.objects.filter(action="primaries.e2e_paper_voters_exported").count()
        == audits + 1
    )
    # A voter on the roll may not download it.
    client.force_login(voter_user(enc.ns.voters[5]))
    assert client.get(export).status_code == 403
    client.force_login(enc.ns.scope.user)
    upload = io.BytesIO(void_file(enc, voters))
    upload.name = "void.json"
    response = client.post(page, {"action": "void", "void-file": upload})
    assert response.status_code == 302
    assert E2ECredential.objects.filter(voided=True).count() == 2
    assert AuditEvent.objects.filter(action="primaries.e2e_void_installed").count() == 1
    # The same file again: refused with a message on the page, nothing changed.
    upload = io.BytesIO(void_file(enc, voters))
    upload.name = "void.json"
    response = client.post(page, {"action": "void", "void-file": upload})
    assert response.status_code == 200
    assert "already voided" in response.content.decode()
    assert E2EEvent.objects.filter(type="VOID").count() == 1
    # After a VOID, the export lists the paper voters from the VOID's day on (none are lost).
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get(export).streaming_content).decode("utf-8-sig"))
        )
    )
    assert len(rows) == 2


def test_the_record_never_names_a_member_for_a_voided_credential(enc):
    voters = same_poo(enc, 2)
    paper_entry(enc, voters, [["c2"], ["c3"]])
    encrypted.install_void(enc.election, void_file(enc, voters))
    line = bytes(E2EEvent.objects.get(type="VOID").line).decode()
    for v in voters:
        assert v.last_name not in line and v.iin not in line
    names = {f.name for f in E2ECredential._meta.get_fields()}
    assert not names & {"member", "voter", "user", "participation"}
