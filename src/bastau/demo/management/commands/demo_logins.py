"""`bastau demo_logins`: who can sign in to the demo, and what each of them sees."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import translation

from bastau import demo
from bastau.accounts.models import User
from bastau.demo.activity import login_notes as activity_login_notes
from bastau.demo.oversight import login_notes as oversight_login_notes
from bastau.demo.primaries import login_notes as primaries_login_notes
from bastau.demo.reception import login_notes as reception_login_notes
from bastau.demo.users import DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo users, their password and what each role sees."

    def handle(self, *args, **options):
        # A note for the developer's console: English, whatever the site's language.
        with translation.override("en"):
            self.print_logins()

    def print_logins(self):
        usernames = [spec.username for spec in DEMO_USERS]
        users = {
            u.username: u
            for u in User.objects.filter(username__in=usernames).select_related("poo", "member")
        }
        if not demo.is_seeded() or not users:
            self.stdout.write(
                self.style.WARNING("No demo data yet: run `bastau seed_demo` first.\n")
            )
        login_url = settings.SITE_URL.rstrip("/") + reverse("accounts:login")
        self.stdout.write(f"Bastau demo logins: {login_url}\n\n")

        rows = [("Role", "Username", "Password", "Sees")]
        for spec in DEMO_USERS:
            user = users.get(spec.username)
            if user is None:
                password = "(not created)"
            elif user.check_password(demo.DEMO_PASSWORD):
                password = demo.DEMO_PASSWORD
            else:
                password = "(changed)"
            rows.append((str(spec.role.label), spec.username, password, spec.sees))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for index, row in enumerate(rows):
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[3]]) + "\n")
            if index == 0:
                self.stdout.write("  ".join(["-" * w for w in widths] + ["----"]) + "\n")

        leader, member = users.get("leader"), users.get("member")
        self.stdout.write("\n")
        if leader is not None and leader.poo_id:
            self.stdout.write(
                f"The leader's POO: {leader.poo.name} ({leader.poo.code}), which grew from "
                "118 to 124 members since the start of the year.\n"
            )
        if member is not None and member.member_id:
            self.stdout.write(f"The member: {member.member.full_name}.\n")
        spec = next(s for s in DEMO_USERS if s.username == "member")
        self.stdout.write(
            'One-time code login: on the login page follow "Sign in with a one-time code" '
            f"and give the member's phone {spec.phone} or e-mail {spec.email} (each demo "
            "user has a phone and e-mail of their own). In development the console SMS and "
            "e-mail backends print the code on the server console (the terminal running "
            "`bastau runserver`).\n"
        )
        site = settings.SITE_URL.rstrip("/")
        for notes in (
            primaries_login_notes(site),
            reception_login_notes(site),
            oversight_login_notes(site),
            activity_login_notes(site),
        ):
            if notes:
                self.stdout.write("\n" + "\n".join(notes) + "\n")
