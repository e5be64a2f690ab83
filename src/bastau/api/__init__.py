"""The HTTP API (`/api/v1/`, django-ninja) and the open data pages: a top floor over the apps'
public functions and their permission rules, beside `demo`."""
