-- The users:write scope is gone: user management is for signed-in admins only (an API key may not
-- call it, whatever its scopes), so the scope never opened a route. Keys that were given it keep
-- their other scopes and go on working; authentication already ignored scopes it does not know.
UPDATE "api_keys" SET "scopes" = array_remove("scopes", 'users:write') WHERE 'users:write' = ANY("scopes");
