"""Encrypted primaries ballots, the reference core (docs: /work/shared/E2E-BALLOTS.md, v1).

Pure Python on libsodium's ristretto255 (rbcl): no Django and no other part of Bastau, so the
trustee's command and the verifier can run on any machine. Every byte format here is pinned by
tests/vectors/e2e-v1.json, which the browser code reproduces.
"""
