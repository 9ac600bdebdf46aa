"""Admin pages: users, and the dataset's import and export in the dataset file format."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import operations
from ..dataset import (
    VENDORS_FILE,
    Dataset,
    DatasetError,
    collect,
    dumps,
    load_dataset,
)
from ..db import get_session
from ..models import Revision, User
from . import bp, history
from .access import actor, after_commit, on_failure, role_name, role_required
from .forms import ImportConfirmForm, ImportForm, NewUserForm, UserForm

# An upload is checked in a folder of its own, kept until it is applied or a day has passed.
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
MAX_UPLOAD_FILES = 2000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
DATASET_FILE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.json$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PREVIEW_ROWS = 300
OWNER_FILE = ".owner"
PREVIEW_FILE = ".preview"


# --- users -------------------------------------------------------------------------------------


def _user_or_404(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users")
@role_required("admin")
def users():
    items = get_session().scalars(select(User).order_by(User.active.desc(), User.email)).all()
    return render_template("curate/users.html", users=items)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required("admin")
def user_new():
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        def failed(error):
            if not isinstance(error, operations.Invalid):
                return None
            for name, messages in error.fields.items():
                getattr(form, name).errors = list(messages)
            return render_template("curate/user_new.html", form=form), 422

        on_failure(failed)
        user = operations.create_user(
            get_session(), email=form.email.data, password=form.password.data,
            role=form.role.data, display_name=form.display_name.data, actor=actor())
        flash(_("Account created for %(email)s (%(role)s).", email=user.email,
                role=role_name(user.role)), "success")
        return redirect(url_for("curate.users"))
    elif request.method == "POST":
        status = 422
    return render_template("curate/user_new.html", form=form), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def user_edit(user_id: int):
    target = _user_or_404(user_id)
    session = get_session()
    if request.method == "GET":
        form = UserForm(data={"version": str(target.version), "display_name": target.display_name,
                              "role": target.role, "active": target.active})
    else:
        form = UserForm()
    status = 200
    if form.validate_on_submit():
        def failed(error):
            if isinstance(error, operations.Conflict):
                return history.stale_page(target, error, back_url=url_for(
                    "curate.user_edit", user_id=target.id))
            if isinstance(error, operations.Invalid):
                for name, messages in error.fields.items():
                    getattr(form, name).errors = list(messages)
            elif isinstance(error, operations.Forbidden):
                flash(error.message, "error")
            else:
                return None
            return _user_page(form, target, 422)

        on_failure(failed)
        changed = operations.update_user(
            session, target, actor=actor(), expected_version=form.version.data,
            role=form.role.data, active=form.active.data, display_name=form.display_name.data)
        if changed:
            flash(_("Saved %(email)s.", email=target.email), "success")
        else:
            flash(_("Nothing changed, so nothing was saved."), "info")
        return redirect(url_for("curate.users"))
    elif request.method == "POST":
        status = 422
    return _user_page(form, target, status)


def _user_page(form: UserForm, target: User, status: int):
    revisions = get_session().scalars(
        select(Revision).where(Revision.entity_type == "user", Revision.entity_id == target.id)
        .order_by(Revision.id.desc()).limit(20)).all()
    items = [(rev, history.diff_rows(rev.before, rev.after)) for rev in revisions]
    return render_template("curate/user_edit.html", form=form, target=target, items=items), status


# --- export ------------------------------------------------------------------------------------


@bp.route("/admin/export")
@role_required("admin")
def export():
    """A zip of the dataset files: every claim, published or not (a private backup)."""
    dataset = collect(get_session(), published_only=False)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(VENDORS_FILE, dumps(dataset.vendors))
        for platform in dataset.platforms:
            archive.writestr(f"{platform['slug']}.json", dumps(platform))
    buffer.seek(0)
    name = f"behind-the-feed-dataset-{dt.date.today().isoformat()}.zip"
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=name)


# --- import ------------------------------------------------------------------------------------


def _uploads_dir() -> Path:
    return Path(current_app.config["BTF_DATA_DIR"]) / "curate-imports"


def _clean_old_uploads() -> None:
    folder = _uploads_dir()
    if not folder.is_dir():
        return
    limit = time.time() - UPLOAD_MAX_AGE_SECONDS
    for item in folder.iterdir():
        if item.is_dir() and item.stat().st_mtime < limit:
            shutil.rmtree(item, ignore_errors=True)


def _unpack(uploads, target: Path) -> list[str]:
    """Write the uploaded dataset files into `target`; returns the problems found."""
    problems: list[str] = []
    files: dict[str, bytes] = {}
    total = 0

    def take(name: str, data: bytes) -> None:
        nonlocal total
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if not base or base.startswith(".") or not base.endswith(".json"):
            return  # folders, READMEs, hidden files: not dataset files
        if not DATASET_FILE.match(base):
            problems.append(_("%(name)s: not a dataset file name (a platform slug, or "
                              "%(vendors_file)s)", name=name, vendors_file=VENDORS_FILE))
            return
        if base in files:
            problems.append(_("%(name)s: %(file)s appears twice", name=name, file=base))
            return
        total += len(data)
        if total > MAX_UNPACKED_BYTES or len(files) >= MAX_UPLOAD_FILES:
            raise ValueError(_("The upload is too large for a dataset."))
        files[base] = data

    try:
        for upload in uploads:
            raw = upload.read()
            filename = upload.filename or ""
            if filename.lower().endswith(".zip") or zipfile.is_zipfile(io.BytesIO(raw)):
                try:
                    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                        for info in archive.infolist():
                            if info.is_dir():
                                continue
                            if info.file_size > MAX_UNPACKED_BYTES:
                                raise ValueError(_("The upload is too large for a dataset."))
                            take(info.filename, archive.read(info))
                except zipfile.BadZipFile:
                    problems.append(_("%(name)s: not a valid zip file", name=filename))
            else:
                take(filename, raw)
    except ValueError as exc:
        return [str(exc)]
    if not files and not problems:
        problems.append(_("No dataset files (.json) were found in the upload."))
    for name, data in files.items():
        (target / name).write_bytes(data)
    return problems


def _load_upload(folder: Path) -> Dataset:
    """The uploaded files as a validated Dataset; DatasetError lists every problem.

    What the upload leaves out stands as the database holds it now (an import never deletes):
    a platform file not uploaded, a vendor not in the uploaded vendors.json. So the uploaded
    files' references to other platforms and vendors check out, and one changed file can be
    imported alone.
    """
    current = collect(get_session(), published_only=False)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for path in folder.glob("*.json"):
            shutil.copyfile(path, work / path.name)
        vendors = list(current.vendors)
        if (work / VENDORS_FILE).exists():
            try:
                uploaded = json.loads((work / VENDORS_FILE).read_text(encoding="utf-8"))
            except (UnicodeDecodeError, ValueError):
                uploaded = None  # load_dataset names the problem
            if not isinstance(uploaded, list):
                vendors = []
            else:
                named = {v.get("slug") for v in uploaded if isinstance(v, dict)}
                vendors = uploaded + [v for v in vendors if v["slug"] not in named]
        if vendors:
            (work / VENDORS_FILE).write_text(dumps(vendors), encoding="utf-8")
        for platform in current.platforms:
            path = work / f"{platform['slug']}.json"
            if not path.exists():
                path.write_text(dumps(platform), encoding="utf-8")
        return load_dataset(work)


def _dry_run(dataset: Dataset) -> tuple[operations.ImportReport, list[dict]]:
    """What importing would change, computed in a transaction that is then rolled back."""
    session = get_session()
    last_revision = session.scalar(select(func.max(Revision.id))) or 0
    try:
        report = operations.import_files(session, dataset, user=actor(), dry_run=True,
                                         comment="import preview")
        return report, _changes(session, last_revision)
    finally:
        operations.rollback(session)  # a preview: nothing of it is kept


def _changes(session, after_id: int) -> list[dict]:
    """The revisions a dry run wrote (still uncommitted, about to be rolled back), as plain
    readable differences."""
    session.flush()
    revisions = session.scalars(
        select(Revision).where(Revision.id > after_id).order_by(Revision.id)
        .limit(PREVIEW_ROWS)).all()
    return [{"entity_type": rev.entity_type, "action": rev.action,
             "name": (rev.after or {}).get("slug") or (rev.after or {}).get("id"),
             "rows": history.diff_rows(rev.before, rev.after)} for rev in revisions]


def _fingerprint(report: operations.ImportReport) -> str:
    return json.dumps([report.created, report.updated])


def _preview(folder: Path, token: str, report: operations.ImportReport, changes: list[dict],
             note: str | None = None):
    (folder / PREVIEW_FILE).write_text(_fingerprint(report), encoding="utf-8")
    return render_template("curate/import_preview.html", report=report, changes=changes,
                           form=ImportConfirmForm(data={"token": token}),
                           preview_rows=PREVIEW_ROWS, note=note)


@bp.route("/admin/import", methods=["GET", "POST"])
@role_required("admin")
def import_upload():
    form = ImportForm()
    if request.method == "GET":
        return render_template("curate/import.html", form=form, problems=[])
    if not form.validate_on_submit():
        return render_template("curate/import.html", form=form, problems=[]), 422
    uploads = [f for f in request.files.getlist(form.files.name) if f and f.filename]
    if not uploads:
        return render_template("curate/import.html", form=form,
                               problems=[_("Choose a zip or .json files to import.")]), 422
    _clean_old_uploads()
    token = secrets.token_urlsafe(24)
    folder = _uploads_dir() / token
    folder.mkdir(parents=True)
    problems = _unpack(uploads, folder)
    if not problems:
        try:
            dataset = _load_upload(folder)
        except DatasetError as exc:
            problems = exc.errors
    if problems:
        shutil.rmtree(folder, ignore_errors=True)
        return render_template("curate/import.html", form=form, problems=problems), 422
    (folder / OWNER_FILE).write_text(str(actor().id), encoding="utf-8")
    report, changes = _dry_run(dataset)
    return _preview(folder, token, report, changes)


@bp.route("/admin/import/confirm", methods=["POST"])
@role_required("admin")
def import_confirm():
    form = ImportConfirmForm()
    if not form.validate_on_submit() or not TOKEN.match(form.token.data or ""):
        abort(400)
    folder = _uploads_dir() / form.token.data
    owner = folder / OWNER_FILE
    if not owner.is_file() or owner.read_text(encoding="utf-8") != str(actor().id):
        flash(_("This upload is no longer waiting (it was applied, or is over a day old). "
                "Upload the files again."), "error")
        return redirect(url_for("curate.import_upload"))
    try:
        dataset = _load_upload(folder)
    except DatasetError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return render_template("curate/import.html", form=ImportForm(),
                               problems=exc.errors), 422
    report, changes = _dry_run(dataset)
    if _fingerprint(report) != (folder / PREVIEW_FILE).read_text(encoding="utf-8"):
        # Someone changed the database since the preview: show what the import does now.
        return _preview(folder, form.token.data, report, changes,
                        note=_("The database changed since you checked these files, so this "
                               "is what importing them would do now. Nothing was written yet.")
                        ), 409
    report = operations.import_files(get_session(), dataset, user=actor(),
                                     comment="import from the admin page")
    after_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
    flash(_("Imported: %(summary)s.", summary=report.summary()), "success")
    return redirect(url_for("curate.dashboard"))
