"""Findings: raised by the audit team, corrected by the organisation, verified and closed by the certifier."""
