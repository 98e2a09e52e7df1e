"""Photos and voice recordings a learner gives as answers: checked, cleaned, stored, served.

Files live in the instance folder under random names; the database says whose each one is.
Only the learner and staff of their school can fetch one.

How a record and its file commit together: every file is checked first, then written whole
(under a temporary name, flushed to disk, renamed), and only then is the row naming it
committed, in the same transaction as the answer or page that uses it. The commit is the one
moment the upload exists; the browser is told only after it. A crash before it leaves a file
that no row names, never a row without its file; `sweep_orphans` deletes such files (at each
start in scripts/run.sh, and with `flask retention --delete`). The other order (row first,
rename after) would need the sweep to repair rows instead, which is harder to get right.
"""

import io
import math
import os
import re
import secrets
import concurrent.futures
import time
import warnings
from pathlib import Path

import click
from flask import Blueprint, abort, current_app, g, request, send_file, session
from flask.cli import with_appcontext
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .db import get_db, now

bp = Blueprint("media", __name__)

UPLOAD_LIMIT = 16 * 1024 * 1024  # bytes in one request that carries a photo or a recording
# Pixels a photo may have, read from its header before anything is decoded. A JPEG is decoded
# at a reduced scale (draft mode) close to the size it is kept at, so a 48-megapixel phone
# photo costs little; other formats are decoded whole, so they are held to less.
PHOTO_MAX_PIXELS = 50_000_000
PHOTO_MAX_DECODED_PIXELS = 24_000_000
# Photos are decoded one at a time, on one thread of their own: eight big uploads at once wait
# their turn instead of holding eight decoded pictures in memory together. One thread, not a
# lock shared by the request threads: the C allocator keeps a pool of freed memory for each
# thread that used it, so eight request threads taking turns still grew the server to 1.4 GB.
DECODER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-decoder")
PHOTO_LONG_SIDE = 1600  # big enough for a screen or a printed page
THUMB_LONG_SIDE = 400  # for lists and the printed passport

# What browsers record: Chrome and Firefox WebM or Ogg, iPad Safari MP4 (AAC).
AUDIO_TYPES = {"webm": "audio/webm", "ogg": "audio/ogg", "mp4": "audio/mp4", "mp3": "audio/mpeg",
               "wav": "audio/wav"}


class Refused(ValueError):
    """An upload we cannot use; the message says why in plain words."""


def accepts_uploads(view):
    """Mark a view that takes a photo or a recording: its requests may be UPLOAD_LIMIT bytes
    (others stay at the small MAX_CONTENT_LENGTH)."""
    view.accepts_uploads = True
    return view


def set_upload_limit():
    """Raise the body limit for a signed-in user's request to a view marked accepts_uploads.
    This must run before CSRFProtect reads the form: a limit set in the view comes too late,
    and every photo over MAX_CONTENT_LENGTH was refused with 413."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "accepts_uploads", False) and session.get("token"):
        request.max_content_length = UPLOAD_LIMIT


def clean_photo(data, long_side=PHOTO_LONG_SIDE):
    """JPEG bytes of the photo, turned the right way up, resized, with no metadata at all."""
    if not data:
        raise Refused(_("That photo was empty. Please try again."))
    too_big = Refused(_("That photo is too big. Please use a smaller one."))
    not_photo = Refused(_("That file is not a photo we can open. Please choose a photo."))
    outcome = DECODER.submit(_decode, data, long_side).result()
    if outcome in ("too big", "not a photo"):
        raise too_big if outcome == "too big" else not_photo
    return outcome


def _decode(data, long_side):
    """clean_photo's work, on the decoder thread: the JPEG's bytes, or why not (in words the
    request thread turns into a message in the page's language)."""
    try:
        return _decoded(data, long_side)
    except Refused as refused:
        return str(refused)


def _decoded(data, long_side):
    too_big = Refused("too big")
    try:
        with warnings.catch_warnings():
            # Pillow warns of a huge picture before it refuses one; treat both as too big.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > PHOTO_MAX_PIXELS:
                    raise too_big
                if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale, no smaller than kept
                    ratio = min(1, long_side / max(width, height))
                    image.draft("RGB", (math.ceil(width * ratio), math.ceil(height * ratio)))
                if image.size[0] * image.size[1] > PHOTO_MAX_DECODED_PIXELS:
                    raise too_big
                image.load()
                image = ImageOps.exif_transpose(image).convert("RGB")
    except Refused:
        raise  # a ValueError too: not "not a photo"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused("not a photo") from None
    image.thumbnail((long_side, long_side))
    # Only the pixels are written: Pillow would otherwise copy a JPEG's comment (where a
    # camera, or someone making an HTML polyglot, puts text), XMP and ICC data from `info`.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def audio_kind(data):
    """The container of a recording, from its first bytes; None if it is not one we play."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:4] == b"OggS":
        return "ogg"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


# Inside a container, what says a track is sound and what says it is moving pictures:
# WebM/Matroska CodecID elements (0x86, a size, then "A_OPUS", "V_VP8"...), Ogg stream headers,
# and MP4 handler boxes ("hdlr", 8 bytes, then "soun" or "vide").
SOUND_TRACK = {
    "webm": re.compile(rb"\x86[\x80-\xff]A_"),
    "ogg": re.compile(rb"OpusHead|\x01vorbis|\x7fFLAC|Speex   "),
    "mp4": re.compile(rb"hdlr.{8}soun", re.S),
}
PICTURE_TRACK = {
    "webm": re.compile(rb"\x86[\x80-\xff]V_"),
    "ogg": re.compile(rb"\x80theora|\x01video"),
    "mp4": re.compile(rb"hdlr.{8}vide", re.S),
}


# What may stand at the top of a Matroska/WebM Segment, and inside a Cluster: element ids.
SEGMENT_CHILDREN = {0x114D9B74, 0x1549A966, 0x1654AE6B, 0x1F43B675, 0x1C53BB6B, 0x1254C367, 0x1043A770,
                    0x1941A469, 0xEC, 0xBF}
CLUSTER_CHILDREN = {0xE7, 0xA3, 0xA0, 0xA7, 0xAB, 0x5854, 0xEC, 0xBF}
CLUSTER = 0x1F43B675
MP3_BITRATES = {1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],  # MPEG-1 layer III
                2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]}  # MPEG-2 and 2.5
MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _vint(data, at, is_id=False):
    """A Matroska variable-length number at `at`: (value, next position); a size of all ones
    is 'unknown' (None). IndexError or ValueError if it is not one."""
    first = data[at]
    length = next(n for n in range(1, 9) if first & (0x80 >> (n - 1)))
    if is_id and length > 4:
        raise ValueError("not an element id")
    raw = int.from_bytes(data[at:at + length], "big")
    if at + length > len(data):
        raise IndexError(at)
    if is_id:
        return raw, at + length
    value = raw & ((1 << (7 * length)) - 1)
    return (None if value == (1 << (7 * length)) - 1 else value), at + length


def _webm_whole(data):
    """The EBML header, then one Segment whose children are known elements, ending exactly at
    the end of the file (a Cluster of unknown size, as browsers record, ends where the next
    Segment element starts)."""
    element, at = _vint(data, 0, True)
    size, at = _vint(data, at)
    at += size
    element, at = _vint(data, at, True)
    if element != 0x18538067:  # Segment
        return False
    size, at = _vint(data, at)
    end = len(data) if size is None else at + size
    if end != len(data):
        return False
    while at < end:
        element, at = _vint(data, at, True)
        size, at = _vint(data, at)
        if element not in SEGMENT_CHILDREN:
            return False
        if size is not None:
            at += size
            continue
        if element != CLUSTER:
            return False
        while at < end:
            child, after = _vint(data, at, True)
            if child in SEGMENT_CHILDREN:
                break
            size, after = _vint(data, after)
            if child not in CLUSTER_CHILDREN or size is None:
                return False
            at = after + size
    return at == end


def _ogg_whole(data):
    """Ogg pages one after another, to the very end."""
    at = 0
    while at < len(data):
        if data[at:at + 4] != b"OggS" or data[at + 4] != 0 or at + 27 > len(data):
            return False
        segments = data[at + 26]
        table = data[at + 27:at + 27 + segments]
        at += 27 + segments + sum(table)
    return at == len(data)


def _mp4_whole(data):
    """Top-level boxes, each of four printable letters, filling the file exactly."""
    at = 0
    while at < len(data):
        size, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        if len(kind) < 4 or not all(32 <= byte < 127 for byte in kind):
            return False
        if size == 1:
            size = int.from_bytes(data[at + 8:at + 16], "big")
        elif size == 0:
            size = len(data) - at
        if size < 8:
            return False
        at += size
    return at == len(data)


def _wav_whole(data):
    size = int.from_bytes(data[4:8], "little") + 8
    return size in (len(data), len(data) - 1)  # a pad byte may follow an odd-sized chunk


def _mp3_whole(data):
    """An optional ID3v2 tag, then MPEG layer III frames to the end (an ID3v1 tag may close)."""
    at = 0
    if data[:3] == b"ID3":
        at = 10 + sum((data[6 + n] & 0x7F) << (7 * (3 - n)) for n in range(4))
    end = len(data) - 128 if data[-128:-125] == b"TAG" else len(data)
    frames = 0
    while at < end:
        header = data[at:at + 4]
        if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0 or (header[1] >> 1) & 3 != 1:
            return False
        version = (header[1] >> 3) & 3
        bitrate = MP3_BITRATES[1 if version == 3 else 2][header[2] >> 4] * 1000
        rates = MP3_RATES.get(version)
        if not bitrate or rates is None or (header[2] >> 2) & 3 == 3:
            return False
        rate = rates[(header[2] >> 2) & 3]
        at += (144 if version == 3 else 72) * bitrate // rate + ((header[2] >> 1) & 1)
        frames += 1
    return at == end and frames > 0


WHOLE = {"webm": _webm_whole, "ogg": _ogg_whole, "mp4": _mp4_whole, "wav": _wav_whole, "mp3": _mp3_whole}


def check_recording(data):
    """The container of a voice recording, checked by its content: a known audio container
    holding a sound track and no pictures (a video is not a voice recording)."""
    if len(data) < 512:
        raise Refused(_("That recording was empty. Please try again and speak after you tap."))
    kind = audio_kind(data)
    not_sound = Refused(_("That file is not a recording we can play. Please record again."))
    if kind is None:
        raise not_sound
    if kind in SOUND_TRACK and (not SOUND_TRACK[kind].search(data) or PICTURE_TRACK[kind].search(data)):
        raise not_sound
    fmt = data.find(b"fmt ", 12)
    if kind == "wav" and (fmt < 0 or data[fmt + 8:fmt + 10] not in (b"\x01\x00", b"\x03\x00", b"\xfe\xff")):
        raise not_sound  # the fmt chunk's format: PCM, float or extensible
    # The container must run to the file's last byte: anything after it (a page of HTML, say)
    # would be kept byte for byte and served back.
    try:
        whole = WHOLE[kind](data)
    except (IndexError, ValueError, StopIteration):
        whole = False
    if not whole:
        raise not_sound
    return kind


def used_bytes(learner_id):
    """Bytes the learner's photos and recordings (and thumbnails) take on disk."""
    folder = media_folder()
    total = 0
    for row in get_db().query("SELECT file, thumb_file FROM media WHERE learner_id = ?", [learner_id]):
        for name in (row["file"], row["thumb_file"]):
            if name and (folder / name).is_file():
                total += (folder / name).stat().st_size
    return total


def check_quota(learner_id, incoming):
    """Refuse, kindly, what would take the learner past their share of space (a setting)."""
    quota = current_app.config["LEARNER_MEDIA_MB"] * 1024 * 1024
    if used_bytes(learner_id) + incoming > quota:
        raise Refused(_("There is no more room for photos and recordings just now. "
                        "Please ask your teacher to make some space."))


def media_folder():
    return Path(current_app.instance_path) / "media"


def write_file(data, suffix):
    """Write the bytes whole under a new random name, on disk before this returns."""
    folder = media_folder()
    folder.mkdir(exist_ok=True)
    name = f"{secrets.token_hex(16)}.{suffix}"
    partial = folder / f".{name}.part"
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(folder / name)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # the new name survives a power cut too
    finally:
        os.close(directory)
    return name


def named_files(db):
    """Every media file name a row in the database names."""
    names = set()
    for row in db.execute("""SELECT file, thumb_file FROM media UNION ALL SELECT file, NULL FROM voice_recordings
                             UNION ALL SELECT file, NULL FROM school_pictures"""):
        names.update(name for name in row if name)
    return names


class WrongDatabase(Exception):
    """The media folder does not look like this database's: nothing is deleted."""


# A crash leaves a few files behind; many more than the database names means the app was
# pointed at another database (STUDENT_APP_DATABASE) than the one these photos belong to.
SWEEP_SAFETY_LIMIT = 20


def sweep_orphans(db, grace_minutes):
    """Delete files in the media folder that no row names (left by a crash before a commit, or
    after a delete), once they are `grace_minutes` old: a running server may be about to
    commit the row for a newer one. Returns the names deleted."""
    folder = media_folder()
    if not folder.is_dir():
        return []
    cutoff = time.time() - grace_minutes * 60
    named = named_files(db)
    orphans = [path for path in sorted(folder.iterdir())
               if path.is_file() and path.name not in named and path.stat().st_mtime <= cutoff]
    if len(orphans) > max(SWEEP_SAFETY_LIMIT, len(named)):
        raise WrongDatabase(
            f"{len(orphans)} files in {folder} are not named by the database, which names {len(named)}: "
            "is this the right database? Nothing was deleted.")
    for path in orphans:
        path.unlink(missing_ok=True)
    return [path.name for path in orphans]


def store(learner_id, kind, data, suffix, mimetype, thumb=None):
    """Save the bytes under a random name and record whose they are; returns the media id."""
    check_quota(learner_id, len(data) + len(thumb or b""))
    return get_db()["media"].insert(
        {"learner_id": learner_id, "kind": kind, "file": write_file(data, suffix), "mimetype": mimetype,
         "thumb_file": write_file(thumb, "jpg") if thumb else None, "created_at": now()}
    ).last_pk


def read_upload(field):
    """The photo (cleaned, with its thumbnail) or recording (checked) sent in `field` as
    (kind, bytes, suffix, thumbnail or None), or None if none was sent. Raises Refused;
    stores nothing, so every upload of a request can be checked before any is stored."""
    upload = request.files.get(field)
    if upload is None or not upload.filename and not upload.content_length:
        return None
    data = upload.read()
    if field == "photo":
        photo = clean_photo(data)
        return "photo", photo, "jpg", clean_photo(photo, THUMB_LONG_SIDE)
    return "voice", data, check_recording(data), None


def check_uploads_fit(learner_id, uploads):
    """Refuse (Refused) uploads from read_upload that together pass the learner's space."""
    check_quota(learner_id, sum(len(data) + len(thumb or b"") for _kind, data, _suffix, thumb in uploads))


def store_upload(learner_id, upload):
    """Store an upload from read_upload; returns the media id."""
    kind, data, suffix, thumb = upload
    mimetype = "image/jpeg" if kind == "photo" else AUDIO_TYPES[suffix]
    return store(learner_id, kind, data, suffix, mimetype, thumb=thumb)


def people_in(media_id):
    """The learners staff have said a photo shows, if they have said."""
    return list(get_db().query(
        """SELECT learners.id, learners.name, learners.protected, learners.photo_consent
           FROM photo_people JOIN learners ON learners.id = photo_people.learner_id
           WHERE photo_people.media_id = ? ORDER BY learners.name""", [media_id]))


def recordings_of(learner_id, start="", end=""):
    """A learner's voice recordings (answers and passport pages) made from `start` to `end`
    (dates; either may be empty), oldest first, each with what staff wrote down of it."""
    return list(get_db().query(
        """SELECT id, created_at, transcript, transcript_lang FROM media WHERE learner_id = ? AND kind = 'voice'
           AND substr(created_at, 1, 10) BETWEEN ? AND ? ORDER BY id""",
        [learner_id, start or "0000", end or "9999"]))


def transcript_of(media_id):
    """(words, language tag) staff wrote for a recording, or (None, None)."""
    row = get_db().execute("SELECT transcript, transcript_lang FROM media WHERE id = ?", [media_id]).fetchone()
    return (row[0], row[1]) if row else (None, None)


TAG_FOUND = 20  # learners a search on the photo form adds, at most


def taggable_learners(learner, tagged, words=""):
    """The learners a member of staff may tick as shown in a learner's photos: the learner's
    class, whoever the photos already show (`tagged`: their rows), and, when `words` are
    given, up to TAG_FOUND others of the school whose name holds them (lookups.find_learners).
    A school's every learner is never listed: the form stays one class long however big the
    school. A teaching assistant cannot change who a photo shows, nor see other classes' names."""
    from .lookups import find_learners, is_assistant, still_here_sql, this_month

    if is_assistant():
        return []
    tagged = sorted({person["id"] for person in tagged})
    words = words.strip()[:100]
    listed = list(get_db().query(
        f"""SELECT learners.id, learners.name, classes.name AS class_name FROM learners
            JOIN classes ON classes.id = learners.class_id WHERE learners.school_id = ?
            AND ((learners.class_id = ? AND {still_here_sql()}) OR learners.id IN ({", ".join("?" * len(tagged)) or "NULL"}))
            ORDER BY learners.name COLLATE NOCASE, learners.id""",
        [learner["school_id"], learner["class_id"], this_month(), *tagged]))
    shown = {row["id"] for row in listed}
    return listed + [{"id": row["id"], "name": row["name"], "class_name": row["class_name"], "found": True}
                     for row in (find_learners(words, TAG_FOUND) if words else []) if row["id"] not in shown]


def photos_outside_passport(learner_id, start="", end=""):
    """A learner's photos given as answers or with notes from `start` to `end` (dates; either
    may be empty; the passport page lists its own; a page the learner has not saved yet shows
    none), each with who staff said it shows and who of them holds it back."""
    found = []
    for row in get_db().query(
            """SELECT * FROM media WHERE learner_id = ? AND kind = 'photo'
               AND substr(created_at, 1, 10) BETWEEN ? AND ?
               AND id NOT IN (SELECT media_id FROM passport_photos)
               AND id NOT IN (SELECT media_id FROM passport_draft_photos) ORDER BY id""",
            [learner_id, start or "0000", end or "9999"]):
        people = people_in(row["id"])
        found.append(dict(row, people=people, held=held_back_by(row, people)))
    return found


def held_back_by(row, people=None):
    """The other learners shown in a photo who must never appear beyond staff (protected, or
    no photo consent). While any is tagged, only staff of the school see the photo: not the
    learner whose passport it is in, no family, no print and no export."""
    if row["kind"] != "photo":
        return []
    people = people_in(row["id"]) if people is None else people
    return [p for p in people if p["id"] != row["learner_id"] and (p["protected"] or not p["photo_consent"])]


def may_see(row):
    """Only the learner, staff of their school and their linked family; families never see a
    photo of a learner whose photo consent is no, and a photo that shows several learners
    only the families of those learners."""
    user = g.get("user")
    if user is None or row is None:
        return False
    if user["role"] == "staff":
        from .lookups import assigned_class_ids

        assigned = assigned_class_ids(user)
        return row["school_id"] == user["school_id"] and (assigned is None or row["class_id"] in assigned)
    people = people_in(row["id"]) if row["kind"] == "photo" else []
    if held_back_by(row, people):
        return False
    if user["role"] == "learner":
        return row["learner_id"] == user["id"]
    if user["role"] == "family":
        db = get_db()
        linked = db.execute(
            """SELECT 1 FROM family_links JOIN learners ON learners.id = family_links.learner_id
               WHERE family_id = ? AND learner_id = ? AND learners.family_visible = 1
               AND family_links.visible = 1 AND family_links.switched_off_at IS NULL""",
            [user["id"], row["learner_id"]]).fetchone()
        if people and not db.execute(
                f"""SELECT 1 FROM family_links WHERE family_id = ?
                    AND learner_id IN ({",".join("?" * len(people))})""",
                [user["id"], *[p["id"] for p in people]]).fetchone():
            return False  # a photo of other learners only: not for this family
        from_home = db.execute(
            "SELECT 1 FROM page_notes WHERE media_id = ? AND family_id = ?",
            [row["id"], user["id"]]).fetchone()
        return bool(linked) and (row["kind"] != "photo" or row["photo_consent"] or bool(from_home))
    return False


def media_row(media_id):
    rows = list(get_db().query(
        """SELECT media.*, learners.school_id, learners.class_id, learners.photo_consent FROM media
           JOIN learners ON learners.id = media.learner_id WHERE media.id = ?""", [media_id]))
    return rows[0] if rows else None


@bp.get("/media/<int:media_id>")
@bp.get("/media/<int:media_id>/thumb", endpoint="thumb")
def serve(media_id):
    row = media_row(media_id)
    if not may_see(row):
        abort(404)  # the same answer whether it exists or not
    name = row["file"]
    if request.endpoint == "media.thumb":
        name = row["thumb_file"] or name
    path = media_folder() / name
    response = send_file(path, mimetype=row["mimetype"], conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = f'inline; filename="{row["kind"]}-{media_id}{path.suffix}"'
    return response


@click.command("sweep-media")
@click.option("--grace-minutes", default=10, show_default=True,
              help="keep files younger than this (0 only while no server is running)")
@with_appcontext
def sweep_media_command(grace_minutes):
    """Delete media files that no database row names (left by a crash)."""
    try:
        removed = sweep_orphans(get_db(), grace_minutes)
    except WrongDatabase as problem:
        click.echo(f"Warning: {problem}", err=True)  # the app still starts; nothing is lost
        return
    click.echo(f"Removed {len(removed)} media files that no record names.")


def init_app(app):
    app.register_blueprint(bp)
    app.jinja_env.globals["may_see_media"] = lambda media_id: may_see(media_row(media_id))
    app.jinja_env.globals["transcript_of"] = transcript_of
    app.cli.add_command(sweep_media_command)
