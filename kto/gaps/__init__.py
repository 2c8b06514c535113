"""The gap analysis: SLA figures beside end-user perception, per contract, dimension and month.

Its models keep the app label `kto`; `kto/models.py` imports them so Django registers them.
"""
