"""Import and export pages. Being written in this change set: see members/imports.py."""

from django.http import Http404


def export_members(request):
    raise Http404


def imports(request):
    raise Http404


def import_detail(request, pk):
    raise Http404


def import_errors(request, pk):
    raise Http404


def export_poos(request):
    raise Http404
