"""Contests, awards and commissions: the recognition side of branch activity, with its own
services, pages, forms and URLs. Its models stay in `activity/models.py` and its rules in
`activity/permissions.py` (a rule is named "activity.<rule>")."""
