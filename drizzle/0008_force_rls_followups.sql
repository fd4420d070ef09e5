-- Table owners bypass RLS unless it is forced (docs/tenancy.md).
ALTER TABLE "follow_ups" FORCE ROW LEVEL SECURITY;
