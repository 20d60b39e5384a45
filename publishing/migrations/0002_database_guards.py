"""Rules of the published model that the database enforces itself.

- Published versions are append-only: UPDATE, DELETE and TRUNCATE are refused
  (TRUNCATE unless the session sets publishing.maintenance = 'on').
- Published rows (versions and the latest-version index) are written only inside
  ``publishing.services.approve``, which sets the transaction-local setting
  publishing.writer; any other INSERT is refused. (A guard against mistakes and
  stray scripts, not against a database superuser.)
- Four eyes: nobody who edited a change set (its author, submitter or any editor)
  can be its approver, neither on the change set nor on a published version.
- The editors of a change set, its review log and the saved revisions can't be
  changed or removed; a published change set is final.
Violations raise SQLSTATE 23514 (check_violation): IntegrityError in Django.
"""
from django.db import migrations

FORWARD = r"""
CREATE FUNCTION publishing_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'check_violation';
END $$;

-- TRUNCATE empties a whole database's published model at once: only for an operator
-- who says so for the session (SET publishing.maintenance = 'on'), e.g. a test flush.
CREATE FUNCTION publishing_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('publishing.maintenance', true), '') <> 'on' THEN
        RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION publishing_writer_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('publishing.writer', true), '') <> 'approve' THEN
        RAISE EXCEPTION '% is written only by approving a change set (publishing.services.approve)', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION publishing_version_four_eyes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.record_id, n.approved_by_id, n.change_set_id INTO bad
    FROM new_rows n JOIN publishing_changeset c ON c.id = n.change_set_id
    WHERE n.approved_by_id = c.created_by_id
       OR n.approved_by_id = c.submitted_by_id
       OR EXISTS (SELECT 1 FROM publishing_changeseteditor e
                  WHERE e.change_set_id = n.change_set_id AND e.user_id = n.approved_by_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'user % edited change set % and can''t approve it (four eyes); % not published',
            bad.approved_by_id, bad.change_set_id, bad.record_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER published_version_append_only BEFORE UPDATE OR DELETE ON publishing_publishedversion
    FOR EACH ROW EXECUTE FUNCTION publishing_refuse();
CREATE TRIGGER published_version_no_truncate BEFORE TRUNCATE ON publishing_publishedversion
    FOR EACH STATEMENT EXECUTE FUNCTION publishing_refuse_truncate();
CREATE TRIGGER published_version_writer AFTER INSERT ON publishing_publishedversion
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION publishing_writer_only();
CREATE TRIGGER published_version_four_eyes AFTER INSERT ON publishing_publishedversion
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION publishing_version_four_eyes();

CREATE TRIGGER published_record_writer_insert AFTER INSERT ON publishing_publishedrecord
    FOR EACH STATEMENT EXECUTE FUNCTION publishing_writer_only();
CREATE TRIGGER published_record_writer_update AFTER UPDATE ON publishing_publishedrecord
    FOR EACH STATEMENT EXECUTE FUNCTION publishing_writer_only();
CREATE TRIGGER published_record_no_delete BEFORE DELETE ON publishing_publishedrecord
    FOR EACH ROW EXECUTE FUNCTION publishing_refuse();
CREATE TRIGGER published_record_no_truncate BEFORE TRUNCATE ON publishing_publishedrecord
    FOR EACH STATEMENT EXECUTE FUNCTION publishing_refuse_truncate();

CREATE TRIGGER changeset_editor_append_only BEFORE UPDATE OR DELETE ON publishing_changeseteditor
    FOR EACH ROW EXECUTE FUNCTION publishing_refuse();
CREATE TRIGGER decision_append_only BEFORE UPDATE OR DELETE ON publishing_decision
    FOR EACH ROW EXECUTE FUNCTION publishing_refuse();
CREATE TRIGGER record_revision_append_only BEFORE UPDATE OR DELETE ON publishing_recordrevision
    FOR EACH ROW EXECUTE FUNCTION publishing_refuse();

CREATE FUNCTION publishing_changeset_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'change set % can''t be deleted', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.state = 'published' THEN
        RAISE EXCEPTION 'change set % is published; it is final', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.approved_by_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM publishing_changeseteditor e WHERE e.change_set_id = NEW.id AND e.user_id = NEW.approved_by_id
    ) THEN
        RAISE EXCEPTION 'user % edited change set % and can''t approve it (four eyes)', NEW.approved_by_id, NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER changeset_rules BEFORE UPDATE OR DELETE ON publishing_changeset
    FOR EACH ROW EXECUTE FUNCTION publishing_changeset_rules();
"""

BACKWARD = r"""
DROP TRIGGER changeset_rules ON publishing_changeset;
DROP FUNCTION publishing_changeset_rules();
DROP TRIGGER record_revision_append_only ON publishing_recordrevision;
DROP TRIGGER decision_append_only ON publishing_decision;
DROP TRIGGER changeset_editor_append_only ON publishing_changeseteditor;
DROP TRIGGER published_record_no_truncate ON publishing_publishedrecord;
DROP TRIGGER published_record_no_delete ON publishing_publishedrecord;
DROP TRIGGER published_record_writer_update ON publishing_publishedrecord;
DROP TRIGGER published_record_writer_insert ON publishing_publishedrecord;
DROP TRIGGER published_version_four_eyes ON publishing_publishedversion;
DROP TRIGGER published_version_writer ON publishing_publishedversion;
DROP TRIGGER published_version_no_truncate ON publishing_publishedversion;
DROP TRIGGER published_version_append_only ON publishing_publishedversion;
DROP FUNCTION publishing_version_four_eyes();
DROP FUNCTION publishing_writer_only();
DROP FUNCTION publishing_refuse_truncate();
DROP FUNCTION publishing_refuse();
"""


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
