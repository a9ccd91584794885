-- What a log entry keeps beyond its parameters, as JSON: for a provider's call the request as
-- it was signed (so it can be replayed) and, when its signature was refused, the signature
-- debugger's findings; for a sandbox call, that it was one.
ALTER TABLE postback_log ADD COLUMN details TEXT;
