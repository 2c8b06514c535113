"""Audit pages, by sub-domain; audits/urls.py routes to the modules."""
