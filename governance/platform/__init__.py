"""Layer 0, the platform every app builds on: tenancy and access, the API base, mail outbox,
tasks, PDFs, charts, exports. It imports no app and nothing of the roof."""
