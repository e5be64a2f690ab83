"""The public open data pages: the list of datasets, each dataset as CSV and as JSON, and the
DCAT catalogue (`/data/catalog.json`). Anyone may read them; nothing here is scoped."""

from __future__ import annotations

import json

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from bastau.core.spreadsheets import csv_response, spreadsheet_safe

from .opendata import BY_SLUG, DATASETS, LICENCE_NAME, LICENCE_URL


def _dataset(slug):
    dataset = BY_SLUG.get(slug)
    if dataset is None:
        raise Http404
    return dataset


def _rows(dataset):
    return dataset.rows(timezone.localdate()) if dataset.dated else dataset.rows()


def _entry(request, dataset) -> dict:
    updated = dataset.updated()
    return {
        "dataset": dataset,
        "slug": dataset.slug,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "updated": updated,
        "csv": request.build_absolute_uri(reverse("opendata:csv", args=[dataset.slug])),
        "json": request.build_absolute_uri(reverse("opendata:json", args=[dataset.slug])),
    }


@require_safe
def data_page(request):
    entries = [_entry(request, d) for d in DATASETS]
    return render(
        request,
        "api/open_data.html",
        {
            "entries": entries,
            "licence_name": LICENCE_NAME,
            "licence_url": LICENCE_URL,
            "catalog_url": request.build_absolute_uri(reverse("opendata:catalog")),
        },
    )


@require_safe
def dataset_csv(request, slug):
    dataset = _dataset(slug)
    # The datasets are aggregates and short lists (thousands of rows at most), read whole
    # before the response starts, so no database cursor stays open while a slow client reads.
    rows = [[spreadsheet_safe(v) for v in row] for row in _rows(dataset)]
    return csv_response(list(dataset.columns), rows, f"bastau-{dataset.slug}.csv")


@require_safe
def dataset_json(request, slug):
    dataset = _dataset(slug)
    updated = dataset.updated()
    head = {
        "dataset": dataset.slug,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "license": LICENCE_URL,
        "modified": updated.isoformat() if updated else None,
        "columns": list(dataset.columns),
    }

    rows = list(_rows(dataset))  # read whole first, as for CSV

    def chunks():
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "items": ['
        first = True
        for row in rows:
            item = json.dumps(dict(zip(dataset.columns, row, strict=True)), ensure_ascii=False)
            yield item if first else "," + item
            first = False
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="bastau-{dataset.slug}.json"'
    return response


@require_safe
def catalog(request):
    """A DCAT catalogue (JSON-LD with the dcat and dct vocabularies) portals can harvest."""
    datasets = []
    for d in DATASETS:
        entry = _entry(request, d)
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "dct:identifier": d.slug,
                "dct:title": entry["title"],
                "dct:description": entry["description"],
                "dct:language": get_language() or "kk",
                "dct:license": LICENCE_URL,
                "dct:modified": entry["updated"].isoformat() if entry["updated"] else None,
                "dcat:landingPage": request.build_absolute_uri(reverse("opendata:page")),
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dcat:downloadURL": entry["csv"],
                        "dcat:mediaType": "text/csv",
                        "dct:license": LICENCE_URL,
                    },
                    {
                        "@type": "dcat:Distribution",
                        "dcat:downloadURL": entry["json"],
                        "dcat:mediaType": "application/json",
                        "dct:license": LICENCE_URL,
                    },
                ],
            }
        )
    body = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
        },
        "@type": "dcat:Catalog",
        "dct:title": "Bastau open data",
        "dct:license": LICENCE_URL,
        "dcat:dataset": datasets,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
