"""A congress no longer stores a free-text "adopted the youth programme" flag and title: what it
adopted is the youth programme version linked to it (voice.agenda). The old title of a
congress that adopted a programme is kept in its decisions text, so nothing is lost."""

from django.db import migrations

LINE = "«{title}» жастар бағдарламасы қабылданды."


def forwards(apps, schema_editor):
    YouthCongress = apps.get_model("people", "YouthCongress")
    for congress in YouthCongress.objects.filter(adopts_programme=True).exclude(
        programme_title=""
    ):
        line = LINE.format(title=congress.programme_title.strip("«» "))
        if congress.programme_title not in congress.decisions:
            congress.decisions = f"{congress.decisions}\n{line}".strip()
            congress.save(update_fields=["decisions"])


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
