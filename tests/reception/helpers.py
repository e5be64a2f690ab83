import datetime as dt

from bastau.accounts.scoping import Scope
from bastau.reception import services

D = dt.date
APPLICANT_NAME = "Айгүл Серікқызы"
REGISTERED_ON = D(2026, 3, 5)  # due 1 April 2026, forward by 11 March, extension cap 5 May


def applicant_data(w, **overrides) -> dict:
    data = dict(
        applicant_name=APPLICANT_NAME,
        applicant_phone="+7 701 555 12 34",
        applicant_email="aigul@example.kz",
        applicant_address="Ақтөбе, Абай даңғылы 1",
        district=w.district,
        topic=w.topic,
        kind="complaint",
        text="The heating in our building has not worked since October.",
        language="en",
    )
    data.update(overrides)
    return data


def register(
    w, user=None, *, registered_on=REGISTERED_ON, branch=None, channel="reception", **data
):
    return services.register_appeal(
        Scope(user or w.secretary),
        data=applicant_data(w, **data),
        receiving_branch=branch or w.district,
        channel=channel,
        registered_on=registered_on,
    )
