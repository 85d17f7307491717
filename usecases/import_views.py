"""CSV import in the browser, for CoE admins: upload → map columns → preview → import.

The uploaded file waits under MEDIA_ROOT/imports/ with a random name between the steps;
the chosen mapping waits in the session. Nothing is saved to proposals until the last step,
and then every row or none.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from coe_portal.roles import Role, require_role
from usecases import importing
from usecases.forms import ImportUploadForm
from usecases.models import ImportMapping

PREVIEW_ROWS = 20
MAX_ERRORS_SHOWN = 200


def _staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _staged(token: str) -> Path:
    try:
        token = uuid.UUID(token).hex
    except ValueError as exc:
        raise Http404 from exc
    path = _staging_dir() / f"{token}.csv"
    if not path.exists():
        raise Http404("This upload has expired; upload the file again.")
    return path


def _session_key(token: str) -> str:
    return f"usecase-import:{token}"


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    require_role(request.user, [Role.COE_ADMIN])
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        mapping_choices=importing.saved_mapping_choices(),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(importing.MAX_FILE_BYTES + 1)
        try:
            table = importing.read_table(raw)
        except importing.ImportError_ as exc:
            form.add_error("file", str(exc))
        else:
            token = uuid.uuid4().hex
            (_staging_dir() / f"{token}.csv").write_bytes(raw)
            mapping = importing.load_mapping(form.cleaned_data["mapping"] or "")
            if mapping is None:
                mapping = importing.Mapping("", importing.guess_columns(table.headers))
            request.session[_session_key(token)] = {
                **mapping.as_dict(),
                "file_name": (upload.name or "upload.csv")[:100],
            }
            return redirect("usecases:usecase_import_map", token=token)
    return render(request, "usecases/import_upload.html", {"form": form})


def _mapping_form(headers: list[str], data=None, initial=None) -> forms.Form:
    column_choices = [("", "— not imported —")] + [(h, h) for h in headers]
    fields = {
        name: forms.ChoiceField(label=label, choices=column_choices, required=False)
        for name, label in importing.IMPORT_FIELDS.items()
    }
    fields["save_as"] = forms.CharField(
        label="Save this mapping as",
        required=False,
        max_length=120,
        help_text="Optional: a name to reuse this mapping next time.",
    )
    form_class = type("ImportMappingForm", (forms.Form,), fields)
    return form_class(data, initial=initial)


@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, token: str) -> HttpResponse:
    require_role(request.user, [Role.COE_ADMIN])
    path = _staged(token)
    state = request.session.get(_session_key(token))
    if state is None:
        raise Http404("This upload has expired; upload the file again.")
    table = importing.read_table(path.read_bytes())
    form = _mapping_form(table.headers, request.POST or None, initial=state["columns"])
    problems = []
    if request.method == "POST" and form.is_valid():
        columns = {
            name: form.cleaned_data[name]
            for name in importing.IMPORT_FIELDS
            if form.cleaned_data.get(name)
        }
        state["columns"] = columns
        mapping = importing.Mapping(
            state.get("name", ""), columns, state.get("values", {}), state.get("defaults", {})
        )
        problems = importing.check_mapping(mapping, table.headers)
        if not problems:
            if name := form.cleaned_data["save_as"].strip():
                ImportMapping.objects.update_or_create(
                    name=name,
                    defaults={
                        "columns": columns,
                        "values": mapping.values,
                        "defaults": mapping.defaults,
                        "created_by": request.user,
                    },
                )
                messages.success(request, f"Mapping “{name}” saved for next time.")
            request.session[_session_key(token)] = state
            return redirect("usecases:usecase_import_preview", token=token)
    return render(
        request,
        "usecases/import_map.html",
        {
            "form": form,
            "table": table,
            "problems": problems,
            "file_name": state.get("file_name"),
            "sample": table.rows[:1],
        },
    )


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    require_role(request.user, [Role.COE_ADMIN])
    path = _staged(token)
    state = request.session.get(_session_key(token))
    if state is None:
        raise Http404("This upload has expired; upload the file again.")
    table = importing.read_table(path.read_bytes())
    mapping = importing.Mapping(
        state.get("name", ""), state["columns"], state.get("values", {}), state.get("defaults", {})
    )
    rows = importing.prepare(table, mapping)
    bad = [row for row in rows if row.errors]
    if request.method == "POST":
        try:
            summary = importing.import_rows(
                rows, actor=request.user, source_name=state.get("file_name", "upload.csv")
            )
        except importing.ImportError_ as exc:
            messages.error(request, str(exc))
        else:
            path.unlink(missing_ok=True)
            request.session.pop(_session_key(token), None)
            messages.success(
                request,
                f"Imported {summary.created} proposals"
                + (f", skipped {summary.skipped} imported before" if summary.skipped else "")
                + (
                    f", created {summary.departments_created} departments"
                    if summary.departments_created
                    else ""
                )
                + ".",
            )
            return redirect("usecases:usecase_list")
    shown_fields = [
        n for n in importing.IMPORT_FIELDS if n in mapping.columns or n in mapping.defaults
    ]
    return render(
        request,
        "usecases/import_preview.html",
        {
            "rows": rows[:PREVIEW_ROWS],
            "row_count": len(rows),
            "bad": bad[:MAX_ERRORS_SHOWN],
            "bad_count": len(bad),
            "imported_before": 0 if bad else importing.count_imported_before(rows),
            "fields": [(n, importing.IMPORT_FIELDS[n]) for n in shown_fields],
            "encoding": table.encoding,
            "file_name": state.get("file_name"),
            "token": token,
        },
    )
