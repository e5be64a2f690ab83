"""What people say and what the party commits to (floor 6, above the working apps).

people    supporters and volunteers (with recorded consent) and the youth wing «Jas Otan»
surveys   questionnaires, audiences, anonymous or identified answers, results
agenda    the local issues register (links to appeals, survey topics, deputies' questions,
          meeting decisions) and the pre-election programme with its tracked commitments
outreach  information work: outreach campaigns, their events and reach against the plan

It sits above primaries/reception/oversight/activity because the issues register links to
their records and a programme is approved through activity's decisions.
"""
