-- The SQL of one online cast (services.cast_online), as pgbench runs it: the database ceiling
-- of the casting benchmark (bench/b_casting.py).
--
-- Captured with django.test.utils.CaptureQueriesContext around one cast_online() call
-- (`python bench/castsetup.py --capture SLUG SESSION MEMBER --out FILE`; b_casting.py captures
-- it again on every run and records whether it still has this shape), then translated:
--   * the ids become pgbench variables: -D campaign=.. -D contest=.. -D first=.. -D clients=..
--     -D i=0 (the runner passes them);
--   * the member is a distinct roll member per transaction: a per-client counter (pgbench
--     keeps variables across a client's transactions), because a member casts once and a
--     second INSERT for the same member is the unique violation that refuses a double vote;
--   * the values Python makes (a random UUID, the tracker: a SHA-256 hex, the nonce: 32 hex
--     characters) are made by the database instead, with gen_random_uuid() and md5(random()).
-- The statements, their order and the transaction are otherwise the ones Django sends (simple
-- protocol, literals in the text, as psycopg 3 does with Django's default client-side binding).
\set i :i + 1
\set member :first + (:i - 1) * :clients + :client_id
SELECT "primaries_voterrollentry"."id", "primaries_voterrollentry"."campaign_id", "primaries_voterrollentry"."contest_id", "primaries_voterrollentry"."member_id", "primaries_contest"."id", "primaries_contest"."campaign_id", "primaries_contest"."code", "primaries_contest"."title", "primaries_contest"."branch_id", "primaries_contest"."list_length" FROM "primaries_voterrollentry" INNER JOIN "primaries_contest" ON ("primaries_voterrollentry"."contest_id" = "primaries_contest"."id") WHERE ("primaries_voterrollentry"."campaign_id" = :campaign AND "primaries_voterrollentry"."member_id" = :member) ORDER BY "primaries_voterrollentry"."id" ASC LIMIT 1;
SELECT "primaries_candidate"."number" AS "number" FROM "primaries_candidate" WHERE ("primaries_candidate"."contest_id" = :contest AND "primaries_candidate"."status" = 'registered');
BEGIN;
INSERT INTO "primaries_participation" ("id", "campaign_id", "member_id", "channel", "voted_on") VALUES (gen_random_uuid(), :campaign, :member, 'online', CURRENT_DATE);
INSERT INTO "primaries_pendingballot" ("tracker", "campaign_id", "contest_id", "nonce", "choices") VALUES (md5(random()::text) || md5(random()::text), :campaign, :contest, md5(random()::text), '["c1"]'::jsonb);
COMMIT;
