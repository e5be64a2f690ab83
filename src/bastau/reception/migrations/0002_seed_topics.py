"""The starting catalogue of appeal topics; staff edit it afterwards."""

from django.db import migrations

TOPICS = [
    # code, Kazakh, Russian, English
    ("social_aid", "Әлеуметтік көмек", "Социальная помощь", "Social aid"),
    (
        "housing_utilities",
        "Тұрғын үй және коммуналдық шаруашылық",
        "Жилищно-коммунальное хозяйство",
        "Housing and utilities",
    ),
    ("land", "Жер қатынастары", "Земельные отношения", "Land"),
    ("employment", "Жұмыспен қамту", "Трудоустройство", "Employment"),
    ("education", "Білім беру", "Образование", "Education"),
    ("healthcare", "Денсаулық сақтау", "Здравоохранение", "Healthcare"),
    ("corruption", "Сыбайлас жемқорлық", "Коррупция", "Corruption"),
    ("roads_transport", "Жолдар және көлік", "Дороги и транспорт", "Roads and transport"),
    ("other", "Басқа", "Другое", "Other"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("reception", "Topic")
    for order, (code, kk, ru, en) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(
            code=code, defaults={"name": kk, "name_ru": ru, "name_en": en, "order": order * 10}
        )


def unseed(apps, schema_editor):
    Topic = apps.get_model("reception", "Topic")
    Topic.objects.filter(code__in=[t[0] for t in TOPICS], appeals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
