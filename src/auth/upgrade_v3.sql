-- Upgrade of the account tables from version 2 to 3: API tokens expire
-- (security-review-1 L5). Run by AccountStore::Migrate in its transaction. Tokens made before
-- keep working (0: never expires) until revoked or their user's password changes.

ALTER TABLE api_tokens ADD COLUMN expires_us INTEGER NOT NULL DEFAULT 0;
