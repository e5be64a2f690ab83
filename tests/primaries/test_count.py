"""The tally signed at close of voting counts exactly the stored ballots: on PostgreSQL the
database counts them (jsonb), elsewhere Python does; both must give the board's own count."""

from bastau.primaries import board, services

from ..factories.primaries import voter_user


def test_signed_tally_counts_every_choice_and_blank_ballot(election):
    campaign = election.campaign
    services.advance(election.scope, campaign)  # -> voting
    campaign.refresh_from_db()
    ids = [c.board_id for c in election.candidates]
    ballots = [[ids[0], ids[1]], [ids[0]], [], [ids[0], ids[2], ids[5]], [ids[1]], []]
    for i, choices in enumerate(ballots):
        services.cast_online(voter_user(election.voters[2 + i]), campaign, choices)
    services.seal(campaign)  # some sealed in a checkpoint, the rest sealed at close
    services.cast_online(voter_user(election.voters[10]), campaign, [ids[0]])
    tally = services.close_voting(election.scope, campaign)

    assert tally["ballots"] == 7
    assert tally["blank"] == 2
    expected = dict.fromkeys(ids, 0) | {ids[0]: 4, ids[1]: 2, ids[2]: 1, ids[5]: 1}
    assert tally["counts"] == expected
    assert list(tally["counts"]) == ids  # in ballot (registration number) order
    campaign.refresh_from_db()
    recount = board.compute_tally(
        services.board_campaign(campaign), services.iter_board_ballots(campaign)
    )
    assert recount == {
        **{k: tally[k] for k in ("ballots", "blank", "counts")},
        # bastau-board/2: each list's figures (the tally adds the list built from them)
        "lists": {
            lid: {k: v for k, v in figures.items() if k != "list"}
            for lid, figures in tally["lists"].items()
        },
    }
    body = {k: v for k, v in tally.items() if k != "signature"}
    key = board.load_public_key(campaign.public_key)
    assert board.verify_signature(key, body, tally["signature"])
