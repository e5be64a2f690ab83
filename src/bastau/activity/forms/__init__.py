"""The forms of branch activity: `meetings` (meetings, instructions, projects). Those of contests,
awards and commissions are in `activity/recognition/forms.py`."""
