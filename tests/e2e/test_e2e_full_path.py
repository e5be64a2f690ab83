"""The whole path of an encrypted campaign, as its people do it (issue 13, "Done means").

In the browser wherever a person uses the browser; with the real `bastau-trustee` command
(its main(argv), files in tmp_path) wherever a trustee works on a machine of their own:

organiser names 3 trustees (any 2 decrypt) and the credential authority on the encryption page
-> each trustee runs init/commit, uploads, downloads the board, reveal, uploads, check, uploads
(the election key is shown) -> the credential authority (a script here: record.build_credentials
with its own seed, from the roll the organiser downloads) uploads the signed list -> voting
opens -> a member types the credential on e2e/vote/, audits once (checked by `bastau
check_audit`), encrypts again and casts -> the sealer runs, check/ finds the tracker -> two
commission members enter the same paper batch -> close -> two trustees verify the downloaded
record with `bastau-trustee share` and upload their shares -> result -> publish -> the results
page shows the counts and the list -> `bastau verify_election` (pinned) exits 0 -> verify/ says
the record verifies.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from bastau.accounts.models import Role
from bastau.primaries.e2e import canonical, ceremony, credentials, record, signing, trustee_cli
from bastau.primaries.e2e.hashing import TestRng, b64e
from bastau.primaries.e2e.verify import NOT_PINNED
from bastau.primaries.models import Campaign, E2EElection, EncryptedBallot
from tests import factories as f
from tests.factories.primaries import election  # noqa: F401  (fixture)

from .conftest import PASSWORD

pytestmark = pytest.mark.e2e

CA_SEED = bytes(range(100, 132))  # the credential authority's own key, never on the server
TRUSTEES = ["Aliya Trustee", "Bolat Trustee", "Dana Trustee"]
KDF_MEMORY = 8192  # KiB: a small Argon2 for the test; the default is 64 MiB


def sign_in(context, base, username):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    return page


def download(page, link_name, dest: Path) -> Path:
    with page.expect_download() as dl:
        page.get_by_role("link", name=link_name).click()
    dl.value.save_as(dest)
    return dest


def trustee_cmd(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = trustee_cli.main(list(argv), out)
    return code, out.getvalue()


def upload(page, path: Path, expected_message: str):
    page.locator("input[name=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("main")).to_contain_text(expected_message)


def test_the_whole_encrypted_path_in_the_browser_and_the_trustee_command(
    live_server,
    e2e_world,
    election,  # noqa: F811
    browser_context_factory,
    artifacts_dir,
    tmp_path,
):
    base = live_server.url
    campaign = election.campaign  # made by the factory, in registration, then set to encrypted
    campaign.encrypted = True
    campaign.voting_ends = timezone.now() + dt.timedelta(days=7)
    campaign.save()
    slug = campaign.slug
    organiser = election.scope.user
    accounts = [
        f.user(Role.MEMBER, member=election.voters[i], username=f"trustee{i}") for i in (2, 3, 4)
    ]
    member = election.voters[5]
    voter = f.user(Role.MEMBER, member=member, username="e2emember")

    # 1. The organiser names the trustees and the credential authority, freezes the roll.
    office = browser_context_factory(accept_downloads=True)
    org = sign_in(office, base, organiser.username)
    org.goto(f"{base}/primaries/manage/{slug}/encryption/")
    org.get_by_label("Trustees:", exact=True).fill(
        "\n".join(f"{n} | {a.username}" for n, a in zip(TRUSTEES, accounts, strict=True))
    )
    org.get_by_label("Trustees needed to decrypt").fill("2")
    org.get_by_label("Credential authority's public key").fill(b64e(signing.public_key(CA_SEED)))
    org.get_by_role("button", name="Save").click()
    expect(org.locator("main")).to_contain_text("The trustees and the credential authority")
    expect(org.locator("main")).to_contain_text("3 trustees; any 2 of them decrypt the result.")
    org.get_by_role("button", name="Freeze the voter roll").click()
    expect(org.locator("main")).to_contain_text("The voter roll is frozen")

    # 2. The key ceremony: each trustee on their own machine, uploading on the trustee page.
    dirs = []
    for i in (1, 2, 3):
        d = tmp_path / f"trustee{i}"
        d.mkdir()
        (d / "pass").write_text(f"a long passphrase {i}\n", encoding="utf-8")
        dirs.append(d)
        code, out = trustee_cmd(
            "init", "--keystore", str(d / "t.key"), "--backup", str(d / "b.key"),
            "--passphrase-file", str(d / "pass"), "--kdf-memory", str(KDF_MEMORY),
        )  # fmt: skip
        assert code == 0, out
    keyargs = [
        ["--keystore", str(d / "t.key"), "--backup", str(d / "b.key"),
         "--passphrase-file", str(d / "pass")]
        for d in dirs
    ]  # fmt: skip

    def trustee_page(i):
        # each trustee in a context of their own (their own browser)
        ctx = browser_context_factory(accept_downloads=True)
        page = sign_in(ctx, base, accounts[i - 1].username)
        page.goto(f"{base}/primaries/{slug}/trustee/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            f"Trustee {i}: {TRUSTEES[i - 1]}"
        )
        return page

    tpages = [trustee_page(i) for i in (1, 2, 3)]
    rounds = [
        ("commit", lambda i: ["--index", str(i)], "certificate"),
        ("reveal", lambda i: [], "deal"),
        ("check", lambda i: [], "key"),
    ]
    for step, extra, last_file in rounds:
        for i in (1, 2, 3):
            page, d = tpages[i - 1], dirs[i - 1]
            page.reload()
            board = download(page, "Download the ceremony board (JSON)", d / f"board-{step}.json")
            out_file = d / f"{step}.json"
            code, out = trustee_cmd(
                step, str(board), *extra(i), "-o", str(out_file), *keyargs[i - 1]
            )
            assert code == 0, out
            upload(page, out_file, "Your ceremony file is in")
            expect(page.locator("main")).to_contain_text(last_file)
    e = E2EElection.objects.get(campaign=campaign)
    assert e.election_key is not None
    org.reload()
    expect(org.locator("main")).to_contain_text("The ceremony is complete. Election key:")
    expect(org.locator("main")).to_contain_text(b64e(bytes(e.election_key)))
    # every trustee's keystore holds the share of this ceremony
    for d in dirs:
        code, out = trustee_cmd("show-key", "--keystore", str(d / "t.key"))
        assert code == 0 and "stage: finished" in out, out

    # 3. The credential authority: the roll and the board from the organiser, its own seed.
    roll_csv = download(org, "Download the roll", tmp_path / "roll.csv")
    board_file = download(org, "Download the ceremony board (JSON)", tmp_path / "ca-board.json")
    board = canonical.loads(board_file.read_bytes().removesuffix(b"\n"))
    election_uuid = uuid.UUID(ceremony.parse_setup(board[0]).uuid)
    issued, entries = {}, []
    with roll_csv.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        question, member_id = row[0], int(row[1])
        cred = credentials.new_credential(TestRng(b"ca", f"member-{member_id}"))
        issued[member_id] = cred
        entries.append(
            (question, credentials.public_key(credentials.secret_key(election_uuid, cred)))
        )
    assert member.pk in issued and len(issued) == len(rows) - 1
    signed = tmp_path / "credentials.json"
    signed.write_bytes(canonical.dumps(record.build_credentials(entries, CA_SEED)))
    org.locator("input[name=file]").set_input_files(str(signed))
    org.get_by_role("button", name="Install the signed credential list").click()
    expect(org.locator("main")).to_contain_text("The credential list is installed")
    expect(org.locator("main")).to_contain_text(f"{len(entries)} public credentials")

    # 4. Voting opens, from the campaign page.
    org.goto(f"{base}/primaries/manage/{slug}/")
    org.get_by_role("link", name=re.compile("Open voting")).click()
    org.get_by_role("button", name=re.compile("Open voting")).click()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.VOTING

    # 5. The member votes: credential typed, one audit, encrypt again, cast.
    phone_ctx = browser_context_factory(
        viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    phone = sign_in(phone_ctx, base, voter.username)
    phone.goto(f"{base}/primaries/{slug}/e2e/vote/")
    phone.locator("#e2e-credential").fill(issued[member.pk])
    phone.get_by_role("button", name="Open the ballot").click()
    boxes = phone.locator("input[name=e2e-choice]")
    expect(boxes.first).to_be_visible()
    names = phone.locator("#e2e-candidates .name").all_text_contents()
    by_name = {c.name: c for c in election.candidates}
    assert sorted(names) == sorted(by_name)
    boxes.nth(0).check()
    boxes.nth(2).check()
    online_choice = [by_name[names[0]], by_name[names[2]]]
    phone.get_by_role("button", name="Encrypt my ballot").click()
    grouped = re.compile(r"^([A-Za-z0-9_-]{4} ){10}[A-Za-z0-9_-]{3}$")
    expect(phone.locator("#e2e-tracker")).to_have_text(grouped)
    phone.get_by_role("button", name="Audit it").click()
    expect(phone.locator("#e2e-audit-choices")).to_have_text(f"{names[0]}, {names[2]}")
    with phone.expect_download() as dl:
        phone.get_by_role("button", name="Save the audit file").click()
    audit_path = tmp_path / "audit.json"
    dl.value.save_as(audit_path)
    said = io.StringIO()
    call_command("check_audit", str(audit_path), stdout=said)
    assert f"Chosen: {names[0]}, {names[2]}" in said.getvalue()
    assert "OK: this encrypted ballot holds exactly these choices." in said.getvalue()
    phone.get_by_role("button", name="Encrypt again").click()
    expect(phone.locator("#e2e-step-tracker")).to_be_visible()
    expect(phone.locator("#e2e-tracker")).to_have_text(grouped)
    tracker = phone.locator("#e2e-tracker").text_content()
    phone.get_by_role("button", name="Cast this ballot").click()
    expect(phone.locator("#e2e-receipt-tracker")).to_have_text(tracker)
    assert EncryptedBallot.objects.filter(channel="online").count() == 1

    # 6. The sealer runs; the member's one-tap check finds the tracker in the record.
    call_command("seal_boards", stdout=io.StringIO())
    phone.get_by_role("link", name="Check my ballot in the record").click()
    phone.get_by_role("button", name="Check").click()
    expect(phone.locator("#e2e-result")).to_contain_text("signed by the server")

    # 7. Paper ballots, entered twice (chair, then clerk) on the paper page.
    paper_voters = [election.voters[7], election.voters[9]]
    assert {v.poo_id for v in paper_voters} == {e2e_world.poo.pk}
    c2, c3 = (c for c in election.candidates if c.number in (2, 3))
    paper_lines = f"{c2.number}\n{c2.number}, {c3.number}"
    for who, batch in ((election.chair, None), (election.clerk, "first")):
        ctx = browser_context_factory()
        clerk = sign_in(ctx, base, who.username)
        clerk.goto(f"{base}/primaries/manage/{slug}/paper/")
        if batch:
            clerk.get_by_role("link", name=re.compile("Enter the second entry|Enter again")).click()
        else:
            clerk.get_by_label("Polling station (primary organization)").select_option(
                str(e2e_world.poo.pk)
            )
        clerk.get_by_label("Voters who signed the list").fill(
            "\n".join(v.iin for v in paper_voters)
        )
        clerk.get_by_label("Ballots:", exact=True).fill(paper_lines)
        clerk.get_by_role("button", name="Submit this entry").click()
        expect(clerk.locator("main")).to_contain_text(
            "is accepted: the two entries match" if batch else "Another member of the commission"
        )
        if batch:
            chair_page = clerk
    assert EncryptedBallot.objects.filter(channel="paper").count() == 2

    # 7b. The paper voters' credentials are voided: the organiser downloads the paper voters,
    # the credential authority (its map: `issued`) signs the void file, the organiser installs it.
    org.goto(f"{base}/primaries/manage/{slug}/encryption/")
    paper_csv = download(
        org, "Download the paper voters (since the last void)", tmp_path / "paper.csv"
    )
    with paper_csv.open(encoding="utf-8-sig") as fh:
        paper_rows = list(csv.DictReader(fh))
    assert sorted(int(r["member_number"]) for r in paper_rows) == sorted(v.pk for v in paper_voters)
    e.refresh_from_db()
    voided = [
        (r["list"], credentials.public_key(
            credentials.secret_key(election_uuid, issued[int(r["member_number"])])))
        for r in paper_rows
    ]  # fmt: skip
    void_path = tmp_path / "void.json"
    void_path.write_bytes(record.void_file(CA_SEED, bytes(e.phi), voided))
    org.locator("input[name=void-file]").set_input_files(str(void_path))
    org.get_by_role("button", name="Install the signed void file").click()
    expect(org.locator("main")).to_contain_text("The credentials are voided")
    assert e.events.filter(type="VOID").count() == 1

    # 8. The chair closes voting: CLOSE and TALLY go on the record.
    chair_page.goto(f"{base}/primaries/manage/{slug}/")
    chair_page.get_by_role("link", name=re.compile("Close voting and count")).click()
    chair_page.get_by_role("button", name=re.compile("Close voting and count")).click()
    expect(chair_page.locator("main")).to_contain_text("Counting")

    # 9. Trustees 1 and 3 verify the record they download and upload their shares.
    server_key = None
    for i in (3, 1):
        page, d = tpages[i - 1], dirs[i - 1]
        page.reload()
        expect(page.locator("main")).to_contain_text("Upload your decryption share")
        # the server's key as the page publishes it (a trustee compares it with the one
        # announced elsewhere); the one the server signs with
        shown = page.locator("p", has_text="The server's record key:").locator("code")
        server_key = shown.text_content()
        assert server_key == b64e(bytes(e.server_key))
        rec = download(page, "record.jsonl", d / "record.jsonl")
        share = d / "share.json"
        code, out = trustee_cmd(
            "share", str(rec), "--server-key", server_key, "-o", str(share),
            "--keystore", str(d / "t.key"), "--passphrase-file", str(d / "pass"),
        )  # fmt: skip
        assert code == 0, out
        upload(page, share, "Your decryption share verifies and is on the record.")
    campaign.refresh_from_db()
    expected = {c.board_id: 0 for c in election.candidates}
    for c in online_choice:
        expected[c.board_id] += 1
    expected[c2.board_id] += 2
    expected[c3.board_id] += 1
    assert campaign.tally["counts"] == expected
    assert campaign.tally["ballots"] == 3

    # 10. Published; the results page shows the counts and the list the record holds.
    chair_page.goto(f"{base}/primaries/manage/{slug}/")
    chair_page.get_by_role("link", name=re.compile("Publish the results")).click()
    chair_page.get_by_role("button", name=re.compile("Publish the results")).click()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RESULTS
    rec_path = tmp_path / "public-record.jsonl"
    public = browser_context_factory(accept_downloads=True).new_page()
    public.goto(f"{base}/primaries/{slug}/results/")
    main = public.locator("main")
    expect(main.locator(".kpi", has_text="Voted online")).to_contain_text("1")
    expect(main.locator(".kpi", has_text="Voted on paper")).to_contain_text("2")
    served = Client().get(f"/primaries/{slug}/e2e/record.jsonl").streaming_content
    events = [json.loads(line) for line in b"".join(served).splitlines()]
    result = events[-1]
    assert result["type"] == "RESULT"
    (q,) = result["payload"]["questions"]
    order = [c.board_id for c in sorted(election.candidates, key=lambda c: c.number)]
    paper = {c2.board_id: 2, c3.board_id: 1}
    assert q["paper"] == [paper.get(b, 0) for b in order]
    assert q["online"] == [1 if b in {c.board_id for c in online_choice} else 0 for b in order]
    by_id = {c.board_id: c for c in election.candidates}
    section = main.locator("section").first
    ranking = section.locator("table").nth(1).locator("tbody tr")
    expect(ranking).to_have_count(len(election.candidates))
    for c in election.candidates:
        row = ranking.filter(has_text=f"№{c.number} {c.name}")
        expect(row.locator("td").nth(2)).to_have_text(str(expected[c.board_id]))
    rows = section.locator("table").nth(0).locator("tbody tr")
    expect(rows).to_have_count(len(q["list"]))
    for n, cid in enumerate(q["list"]):
        row = rows.nth(n)
        expect(row).to_contain_text(by_id[cid].name)
        votes = row.locator("td").nth(2)
        expect(votes).to_have_text(str(expected[cid]))
    with public.expect_download() as dl:
        public.get_by_role("link", name=re.compile(r"Protocol \(Kazakh, PDF\)")).click()
    assert Path(dl.value.path()).read_bytes()[:5] == b"%PDF-"

    # 11. Both verifiers: `bastau verify_election` pinned to the server key, and verify/.
    public.goto(f"{base}/primaries/{slug}/board/")
    download(public, "Download the record (record.jsonl)", rec_path)
    said = io.StringIO()
    call_command("verify_election", str(rec_path), "--server-key", server_key, stdout=said)
    assert "OK: " in said.getvalue() and "FAILED" not in said.getvalue(), said.getvalue()
    assert NOT_PINNED not in said.getvalue()
    public.goto(f"{base}/primaries/{slug}/e2e/verify/")
    public.get_by_role("button", name="Verify the published record").click()
    expect(public.locator("#e2e-summary")).to_contain_text("The record verifies")
    public.screenshot(path=artifacts_dir / "e2e-full-path-verified.png", full_page=True)
    for p in [org, phone, *tpages]:
        assert p.errors == [], p.errors
