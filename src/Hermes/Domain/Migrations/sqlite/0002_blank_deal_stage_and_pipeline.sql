-- Nothing to do: SQLite's baseline already has the relaxations (see 0001).
SELECT 1;
