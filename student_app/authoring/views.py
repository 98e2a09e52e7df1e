"""The screens staff make their school's own content on: a list, an item's page (its status,
previews, narration, translations and the admin's Publish), its form, and the school's
pictures. Teachers and admins make and change drafts; admins publish. Teaching assistants,
learners and families reach none of these."""

import tomllib

from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _

from .. import audit, content, media
from ..content import get_catalogue
from ..db import get_db, transaction
from ..i18n import DEFAULT, LANGUAGES
from ..lookups import admin_required, teacher_required
from ..symbols import get_symbols
from ..web import render
from . import bp, forms, narrate, store

PICTURES_FOUND = 24  # pictures a search on a form shows


@bp.before_request
def only_authors():
    teacher_required()


def school():
    return g.user["school_id"]


def folders():
    """folder -> the kind of form its items are made with."""
    catalogue = current_app.extensions["catalogue"]
    found = {"jobs": "job"}
    for folder in content.school_folders(catalogue):
        kind = catalogue.activities[folder].kind if folder in catalogue.activities else None
        if kind == "guess-my-job":
            found[folder] = "clues"
        elif kind in ("who-can", "word-mat", "visit"):
            found[folder] = kind
    return found


def kind_of(folder):
    kind = folders().get(folder)
    if kind is None:
        abort(404)
    return kind


def path_of(folder, item):
    return f"{folder}/{item}.toml"


def item_or_404(folder, item):
    row = store.item(school(), path_of(folder, item))
    if row is None:
        abort(404)
    return row


def status(row):
    if row["published"] is None:
        return "draft"
    return "published" if (row["published"], row["published_words"]) == (row["draft"], row["draft_words"]) else "changed"


def title_of(row, catalogue):
    """An item's name as a list shows it: the job's, the place's."""
    data = tomllib.loads(row["draft"])
    return data.get("name") or data.get("title") or (catalogue.jobs[data["job"]].name if data.get("job") in catalogue.jobs
                                                      else data.get("job", row["path"]))


@bp.get("/")
def index():
    catalogue = get_catalogue()
    kinds = folders()
    rows = [row for row in store.items(school()) if row["path"].split("/")[0] in kinds]
    listed = [dict(row, folder=row["path"].split("/")[0], item=row["path"].split("/")[1].removesuffix(".toml"),
                   status=status(row), title=title_of(row, catalogue)) for row in rows]
    return render("authoring/index.html", items=listed, kinds=kinds, pictures=len(store.pictures(school())))


def _item_texts(folder, item, catalogue):
    """(content id, English text) of every text of the item (a job's local words too)."""
    prefixes = {"jobs": (f"job.{item}.", f"local.{item}."), "guess-my-job": (f"clue.{item}.",),
                "who-can": (f"who-can.{item}.",)}.get(folder, (f"place.{folder}.{item}.",))
    return [(cid, text) for cid, text in content.content_ids(catalogue) if cid.startswith(prefixes)]


def _narrated(folder, item, row):
    """Each text of the item to narrate: (text, narration language), in English and in each
    language it is translated into."""
    english = store.build(school(), store.items(school()), drafts=True)[0]
    texts = _item_texts(folder, item, english)
    found = [(text, "en") for _cid, text in texts]
    if folder == "jobs":
        local = english.local.get(item)
        found += [(employer, "en") for employer in (local.employers if local else ())]
    for code, table in store.words_of(row).items():
        found += [(table[cid], LANGUAGES[code].speech) for cid, _text in texts if table.get(cid)]
    return found


@bp.get("/<folder>/<slug>")
def item_page(folder, slug):
    item = slug
    kind = kind_of(folder)
    row = item_or_404(folder, item)
    catalogue = get_catalogue()
    done, total = narrate.progress(current_app._get_current_object(), _narrated(folder, item, row))
    if request.args.get("narration") is not None:
        return render("authoring/item.html", block="narration", done=done, total=total, folder=folder, item=item)
    related = {}
    if kind == "job":
        for other in ("guess-my-job", "who-can"):
            related[other] = store.item(school(), path_of(other, item))
    return render("authoring/item.html", row=row, kind=kind, folder=folder, item=item, status=status(row),
                  title=title_of(row, catalogue), done=done, total=total, related=related,
                  texts=_item_texts(folder, item, catalogue), words=store.words_of(row),
                  other_languages=[each for code, each in LANGUAGES.items() if code != DEFAULT],
                  form=forms.form_for(kind, catalogue))


def _find_pictures(words):
    """The school's pictures and the app's symbols whose label has `words`, as (id, label)."""
    from ..web import symbol_label

    words = " ".join(words.casefold().split())
    if not words:
        return []
    found = []
    for symbol_id, symbol in get_symbols().items():
        labels = {symbol.label("en").casefold(), str(symbol_label(symbol_id)).casefold()}
        if any(words in label for label in labels):
            found.append((symbol.source != "school", symbol_label(symbol_id, capital=True), symbol_id))
    return [(symbol_id, label) for _own, label, symbol_id in sorted(found)[:PICTURES_FOUND]]


def _photo_for(name, label):
    """A photo sent for the picture field `name` (taken on the tablet or chosen), stored in the
    school's pictures: its id, or None. Refused (media.Refused) if it is not a photo."""
    upload = request.files.get(f"photo:{name}")
    if upload is None or not upload.filename and not upload.content_length:
        return None
    return store.add_picture(get_db(), school(), media.clean_photo(upload.read()), label, g.user["id"])


def _symbol_names(form, values):
    """Each picture field of the form and the words that label a photo taken for it."""
    for f in form.fields + form.also:
        if f.kind == "symbol":
            yield f.name, values.get(f.words_from, "")
    if form.cards:
        for n in range(1, form.cards.counts[1] + 1):
            for f in form.cards.fields:
                if f.kind == "symbol":
                    yield f"{form.cards.table}.{n}.{f.name}", values.get(f"{form.cards.table}.{n}.{f.words_from}", "")


def _edit_page(kind, folder, item, form, values, errors, status_code=200, found=None):
    """The form of a new item (`item` None) or of a saved one, named as saved (not as typed)."""
    catalogue = get_catalogue()
    job = catalogue.jobs.get(item) if kind in ("clues", "who-can") else None
    row = store.item(school(), path_of(folder, item)) if item else None
    rows = values.get(form.cards.table, 0) if form.cards else 0
    shown = min(form.cards.counts[1], max(rows + 1, form.cards.counts[0])) if form.cards else 0
    return render("authoring/edit.html", kind=kind, folder=folder, item=item, form=form, values=values,
                  errors=errors, job=job, name=title_of(row, catalogue) if row and not job else None,
                  saved=row is not None, rows=shown,
                  found=found or {}), status_code


@bp.get("/<folder>/new")
def new_item(folder):
    kind = kind_of(folder)
    if kind in ("clues", "who-can"):
        abort(404)  # made from their job's page
    return _edit_page(kind, folder, None, forms.form_for(kind, get_catalogue()), {}, {})


@bp.get("/<folder>/<slug>/edit")
def edit_item(folder, slug):
    item = slug
    kind = kind_of(folder)
    form = forms.form_for(kind, get_catalogue())
    row = store.item(school(), path_of(folder, item))
    if row is None:
        _job_for(kind, item)
        return _edit_page(kind, folder, item, form, {}, {})
    local = store.item(school(), path_of("local", item)) if kind == "job" else None
    return _edit_page(kind, folder, item, form, forms.values_of(form, row["draft"], local and local["draft"]), {})


def _job_for(kind, item):
    """Clues and a Who can item are made for a job: one of the school's own, or one of the
    app's that has none yet."""
    catalogue = get_catalogue()
    if kind not in ("clues", "who-can") or item not in catalogue.jobs:
        abort(404)
    shipped = current_app.extensions["catalogue"]
    if item in (shipped.clues if kind == "clues" else shipped.who_can):
        abort(404)


@bp.post("/<folder>/new")
@media.accepts_uploads
def save_new(folder):
    return save_item(folder, None)


@bp.post("/<folder>/<slug>/edit")
@media.accepts_uploads
def save_item(folder, slug):
    item = slug
    new = slug is None  # a new item's form goes on posting to "new" until it is saved
    kind = kind_of(folder)
    if item is None and kind in ("clues", "who-can"):
        abort(404)
    if item is not None and store.item(school(), path_of(folder, item)) is None:
        if kind not in ("clues", "who-can"):
            abort(404)
        _job_for(kind, item)
    catalogue = get_catalogue()
    form = forms.form_for(kind, catalogue)
    values, errors = forms.read(form, request.form)
    db = get_db()
    for name, words in _symbol_names(form, values):
        try:
            picture = _photo_for(name, words or form.title)
        except media.Refused as refused:
            errors[name] = str(refused)
            continue
        if picture is not None:
            values[name] = f"{store.OWN}{picture}"
            errors.pop(name, None)
        elif values.get(name) and values[name] not in get_symbols():
            errors[name], values[name] = _("Please choose a picture."), ""
    g.pop("school_symbols", None)  # a photo just added is one of the school's pictures now
    wanted = request.form.get("find", "")
    if wanted in forms.names(form):
        found = _find_pictures(request.form.get(f"q:{wanted}", ""))
        return _edit_page(kind, folder, item, form, values, {}, found={wanted: found})
    if item is None:
        item = forms.slug(values.get("name") or values.get("title") or "")
        name_field = "name" if kind == "job" else "title"
        if not errors.get(name_field) and not item:
            errors[name_field] = _("Please use some letters or numbers in the name.")
        elif not errors.get(name_field) and (item in get_catalogue().jobs if kind == "job" else
                                             item in get_catalogue().places.get(folder, {})):
            errors[name_field] = _("There is one with this name already. Please give it another name.")
    if not errors:
        text, local = forms.to_toml(form, item, values)
        errors = _check(form, folder, item, text, local)
    if errors:
        return _edit_page(kind, folder, None if new else item, form, values, errors, 400)
    with transaction(db):
        row = store.item(school(), path_of(folder, item))
        store.save(db, school(), path_of(folder, item), text, store.words_of(row) if row else {}, g.user["id"])
        if kind == "job":
            store.save_local(db, school(), path_of("local", item), local, g.user["id"])
        audit.log_action(school(), f"Content: saved a draft of {path_of(folder, item)}")
    narrate.queue(current_app._get_current_object(), _narrated(folder, item, store.item(school(), path_of(folder, item))))
    return redirect(url_for(".item_page", folder=folder, slug=item))


def _check(form, folder, item, text, local):
    """Problems with the item's file among the school's drafts, by field (content.py's
    checks, as `flask content check` makes them); a problem of no field of `form` by ""."""
    files, _words = store.files_and_words(store.items(school()), drafts=True)
    files[path_of(folder, item)] = text
    if local is not None:
        files[path_of("local", item)] = local
    else:
        files.pop(path_of("local", item), None)
    try:
        content.extend(current_app.extensions["catalogue"], files, store.symbols_of(school()))
    except content.ContentError as problem:
        if problem.file == f"activities/{path_of(folder, item)}" and problem.field:
            names = forms.names(form)
            if not any(name == problem.field or name.startswith(f"{problem.field}.") for name in names):
                # Not a field of this form: the clues' job, whose picture is on the job's form.
                about = _("the job") if problem.field == "job" else problem.field
                return {"": _("About %(field)s: %(problem)s", field=about, problem=problem.problem)}
            return {problem.field: problem.problem}
        if problem.file == f"activities/{path_of('local', item)}":
            return {"employers": problem.problem}
        return {"": str(problem)}
    return {}


@bp.post("/<folder>/<slug>/publish")
def publish(folder, slug):
    item = slug
    admin_required()
    kind_of(folder)
    row = item_or_404(folder, item)
    rows = store.items(school())
    live = [dict(r, published=r["draft"], published_words=r["draft_words"]) if r["id"] == row["id"]
            or r["path"] == path_of("local", item) and folder == "jobs" else r for r in rows]
    files, _words = store.files_and_words(live, drafts=False)
    try:
        content.extend(current_app.extensions["catalogue"], files, store.symbols_of(school()))
    except content.ContentError as problem:
        return render("error.html", status=409, message=_(
            "This cannot be published yet: %(problem)s. Publish what it needs first (a job before its clues).",
            problem=problem)), 409
    db = get_db()
    with transaction(db):
        store.publish(db, school(), row["path"], g.user["id"])
        if folder == "jobs" and store.item(school(), path_of("local", item)) is not None:
            store.publish(db, school(), path_of("local", item), g.user["id"])
        audit.log_action(school(), f"Content: published {row['path']}")
    return redirect(url_for(".item_page", folder=folder, slug=item))


@bp.route("/<folder>/<slug>/words/<language>", methods=["GET", "POST"])
def translate(folder, slug, language):
    item, code = slug, language
    kind_of(folder)
    row = item_or_404(folder, item)
    if code not in LANGUAGES or code == DEFAULT:
        abort(404)
    texts = _item_texts(folder, item, store.build(school(), store.items(school()), drafts=True)[0])
    words = store.words_of(row)
    if request.method == "POST":
        table = {cid: " ".join(request.form.get(cid, "").split())[:1200] for cid, _text in texts}
        words[code] = {cid: text for cid, text in table.items() if text}
        db = get_db()
        with transaction(db):
            store.save(db, school(), row["path"], row["draft"], words, g.user["id"])
            audit.log_action(school(), f"Content: saved the {code} words of {row['path']}")
        narrate.queue(current_app._get_current_object(), _narrated(folder, item, store.item(school(), row["path"])))
        return redirect(url_for(".item_page", folder=folder, slug=item))
    return render("authoring/words.html", folder=folder, item=item, texts=texts, said=words.get(code, {}),
                  into=LANGUAGES[code], title=title_of(row, get_catalogue()))


@bp.get("/guess-my-job/<slug>/preview/<int:group>")
def preview_clues(slug, group):
    """Guess my job's clues as a learner of the group would meet them, one after another,
    then the cards they would choose from."""
    item = slug
    from ..kinds.guess_my_job import ACTIVITY, fair_choices

    folder = ACTIVITY
    if group not in (1, 2):
        abort(404)
    item_or_404(folder, item)
    catalogue = get_catalogue()
    clues = catalogue.clues.get(item)
    if clues is None:
        abort(404)
    activity = catalogue.activities[folder]
    return render("authoring/preview_clues.html", job=catalogue.jobs[item], clues=clues, group=group,
                  choices=fair_choices(item, f"preview:{item}", activity.level(group).choices, catalogue),
                  folder=folder, item=item)


@bp.route("/pictures", methods=["GET", "POST"])
@media.accepts_uploads
def pictures():
    errors = {}
    if request.method == "POST":
        label = " ".join(request.form.get("label", "").split())[:80]
        upload = request.files.get("photo")
        if not label:
            errors["label"] = _("Please say what the picture shows.")
        if upload is None or not upload.filename:
            errors["photo"] = _("Please take or choose a photo.")
        if not errors:
            try:
                photo = media.clean_photo(upload.read())
            except media.Refused as refused:
                errors["photo"] = str(refused)
            else:
                db = get_db()
                with transaction(db):
                    store.add_picture(db, school(), photo, label, g.user["id"])
                    audit.log_action(school(), f"Content: added a picture ({label})")
                return redirect(url_for(".pictures"))
    return render("authoring/pictures.html", pictures=store.pictures(school()), errors=errors,
                  label=request.form.get("label", "")), 400 if errors else 200
