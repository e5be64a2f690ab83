"""Primaries: campaigns, candidates, ballots, tally, quota-proof lists, the bulletin board."""
