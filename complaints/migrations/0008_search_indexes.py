"""Indexes for the search box on PostgreSQL (the embedded SQLite default searches by scanning).

`governance.platform.queries.text_search` asks for the complaints in which every word begins a
word of the reference or the description (full-text, "simple" configuration) or whose reference
contains the text as typed. Without these indexes PostgreSQL computes the text vector of every
complaint of the organisation on each search (1.6 s at 100,000 complaints); with them the two
conditions are two bitmap index scans (under 1 ms). The first index's expression is the one
Django writes for `SearchVector("reference", "description", config="simple")`, so the planner
can match it; the second serves `reference__icontains` (`UPPER(reference) LIKE UPPER('%…%')`)
and needs the pg_trgm extension, which a database owner may create (a trusted extension). Where
it may not, the search still works, scanning the references."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

TEXT = (
    "CREATE INDEX IF NOT EXISTS complaint_search_text ON complaints_complaint USING gin "
    "(to_tsvector('simple'::regconfig, "
    "COALESCE(reference, '') || ' ' || COALESCE(description, '')))"
)
REFERENCE = (
    "CREATE INDEX IF NOT EXISTS complaint_reference_trigram ON complaints_complaint "
    "USING gin (UPPER(reference::text) gin_trgm_ops)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TEXT)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # no right to create it: the search scans the references
        logger.warning("pg_trgm is not available: reference search will scan the complaints")
        return
    schema_editor.execute(REFERENCE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS complaint_reference_trigram")
    schema_editor.execute("DROP INDEX IF EXISTS complaint_search_text")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0007_unassigned_event_in_readers_language")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
