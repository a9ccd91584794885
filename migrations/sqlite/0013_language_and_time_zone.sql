-- The offerwall page speaks its visitor's language; a wall's language is the one it falls back
-- to when the visitor asks for none it speaks (en, es, pt, de, fr, ru, tr, id).
ALTER TABLE offerwalls ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
-- Each signed-in person reads times in their own IANA time zone.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
