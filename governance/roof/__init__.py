"""The composition root: pages, schedules and demo data that gather every app. Nothing imports
it but the project's URLs and Celery app."""
