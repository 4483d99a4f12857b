"""Mingcha (明察): the web application for service-certification surveys and audits."""
