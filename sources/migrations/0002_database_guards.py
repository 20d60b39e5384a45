"""Rules the database enforces itself, so bulk updates and raw SQL obey them too.

- A source's text is NFC and its text_sha256 is the SHA-256 of its UTF-8 bytes.
- A cited source's text can't change (a correction is a new source).
- A citation's quote, prefix and suffix are exactly the text at its offsets
  (substr and char_length count code points in a UTF-8 database, as Python does).
- A claim is never deleted: it is deprecated with a reason.
Each violation raises SQLSTATE 23514 (check_violation), which Django maps to IntegrityError.
"""
from django.db import migrations

FORWARD = r"""
ALTER TABLE sources_source
    ADD CONSTRAINT source_text_nfc CHECK (text IS NFC NORMALIZED),
    ADD CONSTRAINT source_text_sha256 CHECK (text_sha256 = encode(sha256(convert_to(text, 'UTF8')), 'hex'));

CREATE FUNCTION sources_source_text_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.text IS DISTINCT FROM OLD.text
       AND EXISTS (SELECT 1 FROM sources_citation WHERE source_id = OLD.id) THEN
        RAISE EXCEPTION 'source % is cited; its text can''t change (add the corrected text as a new source)', OLD.public_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER source_text_immutable BEFORE UPDATE OF text ON sources_source
    FOR EACH ROW EXECUTE FUNCTION sources_source_text_immutable();

CREATE FUNCTION sources_citation_matches_text() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    body text;
    plen integer := char_length(NEW.prefix);
BEGIN
    SELECT s.text INTO body FROM sources_source s WHERE s.id = NEW.source_id;
    IF NEW."end" > char_length(body) THEN
        RAISE EXCEPTION 'citation %–% lies outside source % (length %)', NEW.start, NEW."end", NEW.source_id, char_length(body)
            USING ERRCODE = 'check_violation';
    END IF;
    IF substr(body, NEW.start + 1, NEW."end" - NEW.start) IS DISTINCT FROM NEW.quote
       OR substr(body, NEW.start - plen + 1, plen) IS DISTINCT FROM NEW.prefix
       OR plen > NEW.start
       OR substr(body, NEW."end" + 1, char_length(NEW.suffix)) IS DISTINCT FROM NEW.suffix THEN
        RAISE EXCEPTION 'citation %–% of source %: quote, prefix or suffix do not match the text', NEW.start, NEW."end", NEW.source_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER citation_matches_text BEFORE INSERT OR UPDATE ON sources_citation
    FOR EACH ROW EXECUTE FUNCTION sources_citation_matches_text();

CREATE FUNCTION sources_claim_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'claim % can''t be deleted: deprecate it with a reason', OLD.id
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER claim_no_delete BEFORE DELETE ON sources_claim
    FOR EACH ROW EXECUTE FUNCTION sources_claim_no_delete();
"""

BACKWARD = r"""
DROP TRIGGER claim_no_delete ON sources_claim;
DROP FUNCTION sources_claim_no_delete();
DROP TRIGGER citation_matches_text ON sources_citation;
DROP FUNCTION sources_citation_matches_text();
DROP TRIGGER source_text_immutable ON sources_source;
DROP FUNCTION sources_source_text_immutable();
ALTER TABLE sources_source DROP CONSTRAINT source_text_sha256, DROP CONSTRAINT source_text_nfc;
"""


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
