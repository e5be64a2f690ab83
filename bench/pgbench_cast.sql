-- The SQL of one online cast (services.cast_online), as pgbench runs it: the database ceiling
-- of the casting benchmark (bench/b_casting.py).
--
-- Captured with django.test.utils.CaptureQueriesContext around one cast_online() call
-- (`python bench/castsetup.py --capture SLUG SESSION MEMBER --out FILE`; b_casting.py captures
-- it again on every run and records whether it still has this shape), then translated:
--   * the ids become pgbench variables: -D campaign=.. -D contest=.. -D first=.. -D clients=..
--     -D i=0 -D firstuser=.. -D proof=.. (the runner passes them; proof, with its quotes, is
--     the digest of the bench users' one password hash that their sessions' proofs carry);
--   * the account is a distinct roll member's user per transaction (the bench's users are
--     made in the members' order, so ids go together): a per-client counter (pgbench
--     keeps variables across a client's transactions), because a member casts once and a
--     second INSERT for the same member is the unique violation that refuses a double vote;
--   * the values Python makes (a random UUID, the tracker: a SHA-256 hex, the nonce: 32 hex
--     characters) are made by the database instead, with gen_random_uuid() and md5(random()).
--   * the time of the cast (a parameter in Django: the clock is read by the view) is now().
-- Since issue #16 the cast is one statement (services._CAST_SQL: the roll and the window
-- checked, the participation and the pending ballot inserted, autocommit); it is otherwise the
-- text Django sends (simple protocol, literals in the text, as psycopg 3 does with Django's
-- default client-side binding).
-- Since the thin cast path (primaries.castpath) the statement also confirms the account, as
-- Django's session check does with the user's row: active, and the password hash the session
-- was verified with (accounts.sessionproof); the member comes from the user's row.
-- Since the kept ballot description (views.public keeps the campaign, its lists and their
-- candidates a few seconds per process) the statement also checks the ballot itself: at most
-- choose_up_to choices, each a registered candidate of the list (by the campaign and number:
-- the candidate_number unique index), none twice; the choices are one literal (the `ballot` CTE).

\set i :i + 1
\set user :firstuser + (:i - 1) * :clients + :client_id
WITH ballot AS ( SELECT '["c1"]'::jsonb AS choices ), voter AS ( SELECT u.member_id FROM ballot, accounts_user u JOIN primaries_voterrollentry r ON r.member_id = u.member_id JOIN primaries_campaign c ON c.id = r.campaign_id WHERE u.id = :user AND u.is_active AND encode(sha256(convert_to(u.password, 'UTF8')), 'hex') = :proof AND r.campaign_id = :campaign AND r.contest_id = :contest AND c.status = 'voting' AND (c.voting_starts IS NULL OR c.voting_starts <= now()) AND (c.voting_ends IS NULL OR c.voting_ends > now()) AND jsonb_array_length(ballot.choices) <= c.choose_up_to AND jsonb_array_length(ballot.choices) = ( SELECT count(DISTINCT k.number) FROM jsonb_array_elements_text(ballot.choices) AS x(id) JOIN primaries_candidate k ON k.campaign_id = r.campaign_id AND k.number = CASE WHEN x.id ~ '^c[1-9][0-9]{0,8}$' THEN substr(x.id, 2)::integer END WHERE k.contest_id = r.contest_id AND k.status = 'registered' ) ), voted AS ( INSERT INTO primaries_participation (id, campaign_id, member_id, channel, voted_on) SELECT gen_random_uuid(), :campaign, voter.member_id, 'online', CURRENT_DATE FROM voter ON CONFLICT DO NOTHING RETURNING campaign_id ) INSERT INTO primaries_pendingballot (tracker, campaign_id, contest_id, nonce, choices) SELECT md5(random()::text) || md5(random()::text), voted.campaign_id, :contest, md5(random()::text), ballot.choices FROM voted, ballot RETURNING 1;
