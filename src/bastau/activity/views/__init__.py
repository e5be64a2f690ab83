"""The pages of branch activity by section: `meetings` (meetings, instructions under execution
control, the control board and social projects). Contests, awards and commissions have their
own pages in `activity/recognition/views.py`."""
