"""Primaries: campaigns, candidates, the frozen voter roll, ballots and the public board.

Secrecy (DESIGN.md 3.3) shapes these tables: `Participation` (who voted) and `Ballot`/
`PendingBallot` (what was voted) share no key. Participation has a random UUID key and keeps
only the day; a ballot's key is its tracker (a hash), it has no timestamp, and sealed ballots
are written in tracker order within their checkpoint, so neither table keeps arrival order.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Campaign(models.Model):
    class Kind(models.TextChoices):
        MASLIKHAT_LIST = "maslikhat_list", _("Maslikhat list primaries")
        PERSONNEL_RESERVE = "personnel_reserve", _("Personnel reserve selection")
        CONFERENCE_RATING = "conference_rating", _("Conference rating vote")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NOMINATION = "nomination", _("Nomination")
        REGISTRATION = "registration", _("Registration")
        VOTING = "voting", _("Voting")
        COUNTING = "counting", _("Counting")
        RESULTS = "results", _("Results published")
        CLOSED = "closed", pgettext_lazy("campaign status", "Closed")

    class Rules(models.TextChoices):
        PARTY_2019 = "party-2019", _("Party rule: women ≥ 30%, youth under 35 ≥ 20%")
        LAW_2022 = "law-2022", _("Law: women, youth under 29 and disabled together ≥ 30%")
        CUSTOM = "custom", _("Custom rule set")
        NONE = "none", _("No quotas (a rating)")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("The branch whose members vote: the region, a district or a city."),
    )
    maslikhat = models.CharField(_("maslikhat"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    nomination_starts = models.DateField(_("nomination starts"), null=True, blank=True)
    nomination_ends = models.DateField(_("nomination ends"), null=True, blank=True)
    registration_ends = models.DateField(_("registration ends"), null=True, blank=True)
    voting_starts = models.DateTimeField(_("voting starts"), null=True, blank=True)
    voting_ends = models.DateTimeField(_("voting ends"), null=True, blank=True)
    results_date = models.DateField(_("results date"), null=True, blank=True)
    complaints_end = models.DateField(_("complaints accepted until"), null=True, blank=True)
    choose_up_to = models.PositiveSmallIntegerField(
        _("a voter chooses up to"),
        default=1,
    )
    list_length = models.PositiveSmallIntegerField(_("list length"), default=0)
    quota_rules = models.CharField(
        _("quota rules"), max_length=16, choices=Rules.choices, default=Rules.PARTY_2019
    )
    custom_rules = models.JSONField(_("custom rule set"), default=dict, blank=True)
    prefix_mode = models.BooleanField(
        _("quotas hold in every top part of the list"),
        default=False,
    )
    reference_date = models.DateField(
        _("reference date for ages"),
        null=True,
        blank=True,
        help_text=_("Election day by default."),
    )
    tie_break_seed = models.CharField(_("tie-break lot seed"), max_length=100, blank=True)
    public_key = models.CharField(_("board public key"), max_length=200, blank=True)
    roll_frozen_at = models.DateTimeField(_("voter roll frozen at"), null=True, blank=True)
    tally = models.JSONField(_("signed tally"), null=True, blank=True)
    #: The public record's format: 2 (bastau-board/2: lists, rules, close event) for every
    #: campaign opened from now on; 1 for campaigns opened before it existed (their record
    #: stays bastau-board/1, docs/verification.md).
    board_format = models.PositiveSmallIntegerField(_("record format"), default=2, editable=False)
    #: The signed close event of a bastau-board/2 record (the voting window, the last
    #: checkpoint and the final count of ballots), written when voting is closed.
    board_close = models.JSONField(_("signed close event"), null=True, blank=True, editable=False)
    encrypted = models.BooleanField(
        _("encrypted ballots"),
        default=True,
        help_text=_(
            "Ballots are encrypted on the voter's device and only the total is decrypted, by "
            "the trustees."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["tally", "board_close"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("primaries:campaign", args=[self.slug])


class Contest(models.Model):
    """One ballot paper and one list: a campaign has one per maslikhat or district it fills.

    Members vote in the contest of their own district/city branch, or in the campaign-wide
    contest (branch = the campaign's branch) when their branch has none.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contests")
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=250)
    branch = models.ForeignKey(
        "structure.Branch",
        verbose_name=_("voters from"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    list_length = models.PositiveSmallIntegerField(
        _("list length"),
        null=True,
        blank=True,
        help_text=_("Empty: the campaign's list length."),
    )

    class Meta:
        ordering = ["campaign", "title"]
        verbose_name = _("list")
        verbose_name_plural = _("lists")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="contest_code_unique"),
            models.UniqueConstraint(fields=["campaign", "branch"], name="contest_branch_unique"),
        ]

    def __str__(self):
        return self.title

    @property
    def effective_length(self) -> int:
        return self.list_length or self.campaign.list_length


class CommissionMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY = "deputy", _("Deputy chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", pgettext_lazy("commission role", "Member")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="commission")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["campaign", "role", "id"]
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="commission_member_unique")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Candidate(models.Model):
    class Nomination(models.TextChoices):
        POO = "poo", _("Nominated by a primary organization")
        SELF = "self", _("Self-nominated")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        REGISTERED = "registered", pgettext_lazy("candidate status", "Registered")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REJECTED = "rejected", _("Registration refused")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="candidates")
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="candidates")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="candidacies"
    )
    number = models.PositiveIntegerField(_("registration number"))
    nomination = models.CharField(_("nomination"), max_length=8, choices=Nomination.choices)
    nominating_poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("nominating organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    poo_decision_date = models.DateField(_("POO meeting date"), null=True, blank=True)
    poo_protocol_number = models.CharField(_("protocol number"), max_length=40, blank=True)
    # Snapshot at nomination: quotas are judged on these, whatever later edits do.
    name = models.CharField(_("name"), max_length=300)
    sex = models.CharField(_("sex"), max_length=1)
    birth_date = models.DateField(_("birth date"))
    has_disability = models.BooleanField(_("person with disability"), default=False)
    photo = models.ImageField(_("photo"), upload_to="candidates/", blank=True)
    biography = models.TextField(_("biography"), blank=True)
    program = models.TextField(_("program"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.NOMINATED,
        db_index=True,
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    nominated_on = models.DateField(_("nominated on"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "number"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="candidate_once"),
            models.UniqueConstraint(fields=["campaign", "number"], name="candidate_number"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("primaries:candidate", args=[self.campaign.slug, self.number])

    @property
    def board_id(self) -> str:
        """The candidate's id on the public board and in the tally."""
        return f"c{self.number}"


class VoterRollEntry(models.Model):
    """The voter roll, frozen when voting opens: later membership changes do not touch it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="roll")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="roll_member_once")
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.member_id}"


class Participation(models.Model):
    """Who voted: one row per member and campaign, enforced by the database across channels.

    No sequential id and no time finer than the day, so it cannot be lined up with ballots.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper ballot at a polling station")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    voted_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_member_one_ballot")
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.member_id}"


class Checkpoint(models.Model):
    """A signed checkpoint of the board (see primaries/board.py and docs/verification.md)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="checkpoints")
    seq = models.PositiveIntegerField()
    campaign_hash = models.CharField(max_length=64)
    prev = models.CharField(max_length=64)
    batch_size = models.PositiveIntegerField()
    batch_root = models.CharField(max_length=64)
    total = models.PositiveIntegerField()
    sealed_at = models.CharField(max_length=17)
    signature = models.CharField(max_length=100)

    class Meta:
        ordering = ["campaign", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "seq"], name="checkpoint_seq_unique")
        ]

    def __str__(self):
        return f"{self.campaign_id} #{self.seq}"


class PendingBallot(models.Model):
    """A cast ballot waiting for the next checkpoint. Moved to Ballot (in tracker order) when
    sealed, so the arrival order lives only here and only for minutes."""

    tracker = models.CharField(max_length=64, primary_key=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32)
    choices = models.JSONField()

    def __str__(self):
        return self.tracker


class Ballot(models.Model):
    """A sealed ballot as it stands on the public board."""

    tracker = models.CharField(max_length=64, primary_key=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="ballots")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="ballots")
    nonce = models.CharField(max_length=32)
    choices = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "checkpoint", "tracker"])]

    def __str__(self):
        return self.tracker


class PaperBatch(models.Model):
    """Paper ballots of one polling station, entered twice by two commission members."""

    class Status(models.TextChoices):
        AWAITING_SECOND = "awaiting_second", _("Awaiting the second entry")
        MISMATCH = "mismatch", _("Entries do not match")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", pgettext_lazy("paper batch status", "Refused")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="paper_batches")
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="+")
    poo = models.ForeignKey(
        "structure.PrimaryOrganization",
        verbose_name=_("polling station"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AWAITING_SECOND
    )
    status_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("paper ballot batch")
        verbose_name_plural = _("paper ballot batches")

    def __str__(self):
        return f"{self.poo} ({self.get_status_display()})"


class PaperBatchEntry(models.Model):
    """One commission member's typing of a batch: the voters who signed the station's list
    and the ballots found in the box. Deleted when the batch is accepted (the ballots and
    participations it produced remain), so the pairing does not outlive the count."""

    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="entries")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    voter_ids = models.JSONField()
    ballots = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "entered_by"], name="one_entry_per_member")
        ]

    def __str__(self):
        return f"{self.batch_id} by {self.entered_by_id}"


class ListResult(models.Model):
    """A built party list: the rows with their explanations, or why no list is possible."""

    contest = models.OneToOneField(Contest, on_delete=models.CASCADE, related_name="result")
    built_at = models.DateTimeField(auto_now=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(help_text="quota.ListResult.to_dict(), or {'infeasible': ...}")

    def __str__(self):
        return f"list of {self.contest}"

    @property
    def feasible(self) -> bool:
        return "infeasible" not in self.data


# Encrypted campaigns (docs/verification.md, "the encrypted record bastau-e2e/1") -----------
# The same secrecy rules as above: no table links a member to a ballot or a credential, and no
# column shows arrival order. EncryptedBallot's key is its tracker; it has no time; sealed
# ballots are rewritten in tracker order within their BATCH (see e2e_service.seal).


class E2EElection(models.Model):
    """The encrypted election of one campaign: its keys, trustees and (once voting opens) the
    manifest whose exact bytes hash to phi."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="e2e")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trustee_count = models.PositiveSmallIntegerField(_("trustees (m)"))
    threshold = models.PositiveSmallIntegerField(_("trustees needed to decrypt (t)"))
    ca_key = models.BinaryField(_("credential authority key"), max_length=32)
    server_key = models.BinaryField(max_length=32)
    election_key = models.BinaryField(max_length=32, null=True, blank=True)
    trustees_digest = models.BinaryField(max_length=32, null=True, blank=True)
    transcript = models.BinaryField(null=True, blank=True)  # canonical TR, once complete
    manifest = models.BinaryField(null=True, blank=True)  # canonical bytes, frozen at opening
    phi = models.BinaryField(max_length=32, null=True, blank=True, unique=True)
    # record.RecordWriter.state(totals=True) after the last event: the next event is written
    # from it without replaying the record.
    writer_state = models.JSONField(null=True, blank=True, editable=False)
    # The observers' Ed25519 keys (base64), written into the manifest; they co-sign events.
    observer_keys = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("encrypted election")
        verbose_name_plural = _("encrypted elections")

    def __str__(self):
        return f"{self.campaign} ({self.uuid})"


class E2ETrustee(models.Model):
    """A trustee of the key ceremony. `messages`: the canonical files the trustee uploaded, by
    step; `sign_key`: the trustee's Ed25519 key, once their first file is in."""

    election = models.ForeignKey(E2EElection, on_delete=models.CASCADE, related_name="trustees")
    index = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sign_key = models.BinaryField(max_length=32, null=True, blank=True)
    messages = models.JSONField(default=dict, blank=True)  # step -> canonical text

    class Meta:
        ordering = ["election", "index"]
        verbose_name = _("trustee")
        verbose_name_plural = _("trustees")
        constraints = [
            models.UniqueConstraint(fields=["election", "index"], name="e2e_trustee_index"),
        ]

    def __str__(self):
        return f"{self.index}. {self.name}"


class E2ECredentialList(models.Model):
    """The credential authority's signed list of public credentials (canonical bytes)."""

    election = models.OneToOneField(
        E2EElection, on_delete=models.CASCADE, related_name="credential_list"
    )
    data = models.BinaryField()
    root = models.BinaryField(max_length=32)
    count = models.PositiveIntegerField()
    # The Merkle tree's levels from subtrees of TREE_BLOCK leaves up (record.MerkleIndex.levels
    # [6:], each level's length as 4 bytes then its nodes): about n bytes, written at install,
    # so a credential's path needs these and at most two blocks of leaves.
    upper_levels = models.BinaryField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"{self.election_id}: {self.count}"


class E2ECredential(models.Model):
    """One entry of the credential list, for the cast-time lookup: its index in the list (the
    list is sorted by key, so the index tells nothing about the member)."""

    election = models.ForeignKey(E2EElection, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveIntegerField()
    question = models.CharField(max_length=60)
    key = models.BinaryField(max_length=32)
    # Voided by the credential authority (a paper voter's; a VOID event on the record): it may
    # no longer cast online. Which member held it is known only to the authority.
    voided = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "key"], name="e2e_credential_key"),
            models.UniqueConstraint(fields=["election", "index"], name="e2e_credential_index"),
        ]

    def __str__(self):
        return f"{self.election_id}#{self.index}"


class EncryptedBallot(models.Model):
    """A cast encrypted ballot (body || sigma). Pending until its proofs are checked off the
    request path, then verified (or rejected, with the reason, and never counted), then sealed
    into a BATCH event (`batch`: that event's seq)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper ballot at a polling station")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for its proofs to be checked")
        VERIFIED = "verified", _("Checked, waiting for the next batch")
        SEALED = "sealed", _("Sealed in a batch")
        REJECTED = "rejected", _("Rejected")

    tracker = models.BinaryField(max_length=32, primary_key=True)
    election = models.ForeignKey(E2EElection, on_delete=models.CASCADE, related_name="ballots")
    question = models.CharField(max_length=60)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    credential = models.BinaryField(max_length=32)  # X, as in the ballot itself
    data = models.BinaryField()
    leaf = models.BinaryField(max_length=32)  # merkle.leaf_hash(tracker, sigma), for paths
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    batch = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["election", "credential"], name="e2e_credential_used_once"
            ),
        ]
        indexes = [models.Index(fields=["election", "status"])]

    def __str__(self):
        return bytes(self.tracker).hex()


class E2EEvent(models.Model):
    """One event of the record: the exact line (canonical JSON, no newline) and its hash h."""

    election = models.ForeignKey(E2EElection, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=10)
    line = models.BinaryField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["election", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["election", "seq"], name="e2e_event_seq"),
        ]

    def __str__(self):
        return f"{self.election_id} #{self.seq} {self.type}"


class E2EBallotPath(models.Model):
    """A sealed ballot's place in its BATCH and its Merkle inclusion path (the sibling hashes
    from the leaf up, 32 bytes each), written when the batch is sealed. A sealed batch never
    changes, so a tracker lookup reads this one row instead of rebuilding the batch's tree.
    Like EncryptedBallot: keyed by the tracker, written in tracker order, no time, nothing
    about who cast the ballot."""

    tracker = models.BinaryField(max_length=32, primary_key=True)
    election = models.ForeignKey(E2EElection, on_delete=models.CASCADE, related_name="+")
    batch = models.PositiveIntegerField()  # the BATCH event's seq
    index = models.PositiveIntegerField()  # the leaf's place in the batch (tracker order)
    path = models.BinaryField()

    def __str__(self):
        return f"{bytes(self.tracker).hex()} in #{self.batch}"


# Kept figures (maintained by the sealer and after voting closes, never by the cast request;
# rebuilt by `bastau rebuild_aggregates`) ------------------------------------------------------
class ListBallotCount(models.Model):
    """Sealed ballots of one list (contest): added by each seal in its transaction."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="+")
    ballots = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contest"], name="list_ballot_count_key")
        ]

    def __str__(self):
        return f"{self.contest_id}: {self.ballots}"


class TurnoutCount(models.Model):
    """The roll and who voted by channel, counted once voting has closed (neither changes
    after: the roll is frozen and no ballot is cast)."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="+")
    roll = models.IntegerField()
    online = models.IntegerField()
    paper = models.IntegerField()
    counted_at = models.DateTimeField()

    def __str__(self):
        return f"{self.campaign_id}: {self.online + self.paper}/{self.roll}"
