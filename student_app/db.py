"""The SQLite database: a connection for each request (kept for the next), and numbered migrations."""

import sqlite3
import unicodedata
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone

import click
from flask.cli import with_appcontext
import sqlite_utils
from flask import current_app, g


def now():
    """The current UTC time as ISO text, which sorts in time order."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def connect(path):
    """Open the database with WAL, foreign keys, a busy timeout and durable commits."""
    conn = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: an answer acknowledged to a learner survives a power cut as well as a crash.
    conn.execute("PRAGMA synchronous = FULL")
    # SQLite's own lower() and NOCASE fold only A to Z: casefold() finds "łucja" in Łucja.
    conn.create_function("casefold", 1, fold, deterministic=True)
    return Database(conn)


class Database(sqlite_utils.Database):
    """sqlite-utils' Database, but a plain SELECT runs as it is. query() wraps each statement in
    a savepoint, so that one which turns out to write can be undone: a SAVEPOINT and a RELEASE
    for each query, two more calls into SQLite that each let go of the GIL. Under waitress's
    threads every call that lets go waits its turn to get it back, so on a learner's page
    (six queries) they cost more than the queries. A SELECT cannot write, so it needs no guard."""

    def query(self, sql, params=None):
        if not sql.lstrip()[:6].upper() == "SELECT":
            return super().query(sql, params)
        if self._tracer:
            self._tracer(sql, params)
        cursor = self.conn.execute(sql, () if params is None else params)
        keys = sqlite_utils.db.dedupe_keys(column[0] for column in cursor.description)
        return (dict(zip(keys, row)) for row in cursor)


def fold(text):
    """A name as the name search compares it (learners.name_folded, and what is typed)."""
    return unicodedata.normalize("NFC", text).casefold() if isinstance(text, str) else text


# A new connection costs about a millisecond, more than most pages' own queries: SQLite reads
# and parses the whole schema (some 90 tables and indexes) at its first statement. So a request
# hands its connection back when it ends, and the next one takes it; an app keeps as many as
# waitress has threads (scripts/run.sh), and a few more for the development server's.
KEEP_IDLE = 8


def get_db():
    if "db" not in g:
        idle = current_app.extensions["db_idle"].setdefault(current_app.config["DATABASE"], [])
        try:
            g.db = idle.pop()
        except IndexError:
            g.db = connect(current_app.config["DATABASE"])
    return g.db


@contextmanager
def transaction(db):
    """Run several writes as one: all of them land, or none do.

    IMMEDIATE takes the write lock at the start, so a busy database makes this wait
    (busy timeout) rather than fail part way, as a plain BEGIN can under WAL.
    """
    if db.conn.in_transaction:
        # Inside another transaction (a file's row and the answer naming it): the outer
        # one's COMMIT or ROLLBACK covers these writes too.
        yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def close_db(exc=None):
    """Hand the connection back for the next request, with no transaction left open. After an
    error it is closed instead: nothing of a request that failed part way is kept."""
    db = g.pop("db", None)
    if db is None:
        return
    idle = current_app.extensions["db_idle"].setdefault(current_app.config["DATABASE"], [])
    if exc is None and not db.conn.in_transaction and len(idle) < KEEP_IDLE:
        idle.append(db)
    else:
        db.conn.close()


def _close_idle(idle):
    for connections in idle.values():
        for db in connections:
            db.conn.close()


def _run_script(db, script):
    # executescript() would commit the migration's transaction part way through.
    for statement in script.split(";"):
        if statement.strip():
            db.conn.execute(statement)


def _m001_initial(db):
    _run_script(
        db,
        """
        CREATE TABLE schools (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE classes (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            name TEXT NOT NULL
        );
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            is_admin INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE learners (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            class_id INTEGER NOT NULL REFERENCES classes(id),
            name TEXT NOT NULL,
            avatar TEXT NOT NULL,
            code_hash TEXT NOT NULL,
            career_group INTEGER NOT NULL DEFAULT 1 CHECK (career_group IN (1, 2)),
            choices INTEGER NOT NULL DEFAULT 2 CHECK (choices IN (2, 4)),
            autoplay INTEGER NOT NULL DEFAULT 1,
            failed_codes INTEGER NOT NULL DEFAULT 0,
            last_failed_at TEXT
        );
        CREATE TABLE badges (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            secret_hash TEXT NOT NULL UNIQUE,
            issued_at TEXT NOT NULL,
            issued_by INTEGER REFERENCES staff(id),
            voided_at TEXT
        );
        CREATE TABLE sign_ins (
            token_hash TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('learner', 'staff')),
            user_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            seen_at TEXT NOT NULL
        );
        CREATE TABLE plays (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            activity TEXT NOT NULL,
            item TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX plays_learner ON plays(learner_id, activity, item);
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            play_id INTEGER NOT NULL REFERENCES plays(id),
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            step TEXT NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER,
            given_by TEXT NOT NULL CHECK (given_by IN ('learner', 'staff', 'observed')),
            staff_id INTEGER REFERENCES staff(id),
            note TEXT,
            created_at TEXT NOT NULL,
            -- A double tap or a resent form stores the same answer once.
            UNIQUE (play_id, step, answer)
        );
        CREATE INDEX responses_learner ON responses(learner_id, created_at);
        """
    )


def _m002_media(db):
    _run_script(
        db,
        """
        CREATE TABLE media (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            kind TEXT NOT NULL CHECK (kind IN ('photo', 'voice')),
            file TEXT NOT NULL UNIQUE,
            mimetype TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX media_learner ON media(learner_id);
        """
    )


def _m003_passport_and_families(db):
    _run_script(
        db,
        """
        ALTER TABLE learners ADD COLUMN date_of_birth TEXT;
        ALTER TABLE learners ADD COLUMN photo_consent INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE media ADD COLUMN thumb_file TEXT;
        CREATE TABLE passport_pages (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            kind TEXT NOT NULL,
            what TEXT NOT NULL,
            place TEXT,
            place_symbol TEXT,
            happened_on TEXT NOT NULL,
            who_with TEXT,
            did TEXT,
            did_voice INTEGER REFERENCES media(id),
            feeling TEXT,
            learnt TEXT,
            again TEXT,
            given_by TEXT NOT NULL CHECK (given_by IN ('learner', 'staff')),
            staff_id INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX passport_pages_learner ON passport_pages(learner_id, happened_on);
        CREATE TABLE passport_photos (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES passport_pages(id),
            media_id INTEGER NOT NULL REFERENCES media(id)
        );
        CREATE TABLE families (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE family_links (
            family_id INTEGER NOT NULL REFERENCES families(id),
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            PRIMARY KEY (family_id, learner_id)
        );
        CREATE TABLE invitations (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            token_hash TEXT NOT NULL UNIQUE,
            code_hash TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES staff(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by INTEGER REFERENCES families(id),
            revoked_at TEXT
        );
        CREATE TABLE page_notes (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES passport_pages(id),
            author TEXT NOT NULL CHECK (author IN ('staff', 'family')),
            staff_id INTEGER REFERENCES staff(id),
            family_id INTEGER REFERENCES families(id),
            text TEXT,
            media_id INTEGER REFERENCES media(id),
            hidden_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            actor_role TEXT NOT NULL,
            actor_id INTEGER NOT NULL,
            actor_name TEXT NOT NULL,
            learner_id INTEGER,
            learner_name TEXT,
            action TEXT NOT NULL
        );
        CREATE INDEX audit_log_school ON audit_log(school_id, at);
        CREATE TABLE sign_ins_new (
            token_hash TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('learner', 'staff', 'family')),
            user_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            seen_at TEXT NOT NULL
        );
        INSERT INTO sign_ins_new SELECT * FROM sign_ins;
        DROP TABLE sign_ins;
        ALTER TABLE sign_ins_new RENAME TO sign_ins;
        """
    )


def _m004_class_sessions(db):
    _run_script(
        db,
        """
        CREATE TABLE class_sessions (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            class_id INTEGER NOT NULL REFERENCES classes(id),
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            activity TEXT NOT NULL,
            items TEXT NOT NULL,
            code TEXT NOT NULL,
            round INTEGER NOT NULL DEFAULT 0,
            phase TEXT NOT NULL DEFAULT 'lobby'
                CHECK (phase IN ('lobby', 'clue', 'choices', 'reveal', 'ended')),
            clue INTEGER NOT NULL DEFAULT 0,
            paused INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            ended_at TEXT
        );
        CREATE UNIQUE INDEX class_sessions_open_code ON class_sessions(code) WHERE ended_at IS NULL;
        CREATE TABLE session_members (
            session_id INTEGER NOT NULL REFERENCES class_sessions(id),
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            joined_at TEXT NOT NULL,
            PRIMARY KEY (session_id, learner_id)
        );
        CREATE TABLE join_attempts (
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            at TEXT NOT NULL
        );
        ALTER TABLE plays ADD COLUMN session_id INTEGER REFERENCES class_sessions(id);
        CREATE UNIQUE INDEX plays_one_per_session_item
            ON plays(session_id, learner_id, item) WHERE session_id IS NOT NULL;
        """
    )


def _m005_access_profile(db):
    _run_script(db, "ALTER TABLE learners ADD COLUMN access TEXT NOT NULL DEFAULT '{}';")


def _m006_three_choices(db):
    """Let a learner see 3 cards as well as 2 or 4 (the old column's CHECK allowed 2 or 4)."""
    _run_script(
        db,
        """
        ALTER TABLE learners ADD COLUMN choice_count INTEGER NOT NULL DEFAULT 2
            CHECK (choice_count IN (2, 3, 4));
        UPDATE learners SET choice_count = choices;
        ALTER TABLE learners DROP COLUMN choices;
        ALTER TABLE learners RENAME COLUMN choice_count TO choices;
        """
    )


def _m007_human_voice(db):
    _run_script(
        db,
        """
        CREATE TABLE voice_recordings (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            lang TEXT NOT NULL,
            text TEXT NOT NULL,
            file TEXT NOT NULL,
            mimetype TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL,
            UNIQUE (school_id, lang, text)
        );
        """
    )


def _m008_staff_two_factor(db):
    _run_script(
        db,
        """
        ALTER TABLE staff ADD COLUMN totp_secret TEXT;
        ALTER TABLE staff ADD COLUMN totp_confirmed_at TEXT;
        ALTER TABLE staff ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            code_hash TEXT NOT NULL,
            used_at TEXT
        );
        """
    )


def _m009_month_of_birth(db):
    """Keep the month and year of birth only (the ICO Children's Code: no more than needed)."""
    _run_script(db, "UPDATE learners SET date_of_birth = substr(date_of_birth, 1, 7) WHERE date_of_birth IS NOT NULL;")


def _m010_sign_in_throttle_and_family_visibility(db):
    _run_script(
        db,
        """
        CREATE TABLE failed_sign_ins (
            key TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX failed_sign_ins_key ON failed_sign_ins(key, at);
        ALTER TABLE learners ADD COLUMN family_visible INTEGER NOT NULL DEFAULT 0;
        UPDATE learners SET family_visible = 1
            WHERE id IN (SELECT learner_id FROM family_links);
        """
    )


def _m011_protected_learners_and_photo_people(db):
    """A staff-set "protected" flag, and who staff say a photo shows (it may show several)."""
    _run_script(
        db,
        """
        ALTER TABLE learners ADD COLUMN protected INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE photo_people (
            media_id INTEGER NOT NULL REFERENCES media(id),
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            PRIMARY KEY (media_id, learner_id)
        );
        CREATE INDEX photo_people_learner ON photo_people(learner_id);
        """
    )


def _m012_family_sharing_per_account(db):
    """Who in the family sees a learner's work, account by account (a learner of 16 or over
    may choose), and a staff record that a learner lacks capacity for that decision."""
    _run_script(
        db,
        """
        ALTER TABLE family_links ADD COLUMN visible INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE learners ADD COLUMN lacks_sharing_capacity INTEGER NOT NULL DEFAULT 0;
        """
    )


def _m013_disabled_accounts(db):
    """An admin can switch a staff or family account off (and on again) without deleting it."""
    _run_script(
        db,
        """
        ALTER TABLE staff ADD COLUMN disabled_at TEXT;
        ALTER TABLE families ADD COLUMN disabled_at TEXT;
        """
    )


def _m014_staff_only_notes(db):
    """SEND details and private notes: written by staff, shown only on staff pages."""
    _run_script(
        db,
        """
        ALTER TABLE learners ADD COLUMN send_details TEXT;
        CREATE TABLE staff_notes (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            staff_id INTEGER REFERENCES staff(id),
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX staff_notes_learner ON staff_notes(learner_id, created_at);
        """
    )


def _m015_left_on(db):
    """The month a learner left (NULL while they are here): their careers records are kept
    for a set time after it (see retention.py), then deleted."""
    _run_script(db, "ALTER TABLE learners ADD COLUMN left_on TEXT;")


def _m016_adult_preferences(db):
    """A family's and a member of staff's own language and colours (NULL: not chosen yet)."""
    _run_script(
        db,
        """
        ALTER TABLE families ADD COLUMN language TEXT;
        ALTER TABLE families ADD COLUMN theme TEXT;
        ALTER TABLE staff ADD COLUMN language TEXT;
        ALTER TABLE staff ADD COLUMN theme TEXT;
        """
    )


def _m017_typed_language(db):
    """The language of the page where words were typed (a BCP 47 tag), so a page in another
    language can mark them for screen readers (WCAG 3.1.2). Everything typed before this
    was typed in English: the app had no other language."""
    _run_script(
        db,
        """
        ALTER TABLE passport_pages ADD COLUMN lang TEXT;
        ALTER TABLE page_notes ADD COLUMN lang TEXT;
        ALTER TABLE responses ADD COLUMN lang TEXT;
        UPDATE passport_pages SET lang = 'en-GB';
        UPDATE page_notes SET lang = 'en-GB';
        UPDATE responses SET lang = 'en-GB';
        """
    )


def _m018_recording_transcripts(db):
    """What was said in a recording, written down by staff (WCAG 1.2.1: a text alternative
    for audio), with the language of the page it was written on."""
    _run_script(
        db,
        """
        ALTER TABLE media ADD COLUMN transcript TEXT;
        ALTER TABLE media ADD COLUMN transcript_lang TEXT;
        """
    )


def _m019_schools_run_themselves(db):
    """What a real school needs to set itself up and run its year (issue 12): a URN; staff
    roles (admin, teacher, teaching assistant) in place of the admin flag, with the classes an
    assistant is assigned to; single-use staff invitations (the first admin's set-up link is
    one); classes that are archived rather than deleted; learners' UPN or admission number
    (unique in the school, and never given to another learner once used); and the picture
    code kept so that staff can show and print it (3 of 9 pictures: a hash of one of 729
    codes protects nothing, and staff must be able to read it out)."""
    _run_script(
        db,
        """
        ALTER TABLE schools ADD COLUMN urn TEXT;
        ALTER TABLE schools ADD COLUMN created_at TEXT;
        CREATE UNIQUE INDEX schools_urn ON schools(urn) WHERE urn IS NOT NULL;
        ALTER TABLE staff ADD COLUMN staff_role TEXT NOT NULL DEFAULT 'teacher'
            CHECK (staff_role IN ('admin', 'teacher', 'assistant'));
        UPDATE staff SET staff_role = 'admin' WHERE is_admin = 1;
        ALTER TABLE staff DROP COLUMN is_admin;
        ALTER TABLE staff ADD COLUMN privacy_accepted_at TEXT;
        CREATE TABLE staff_classes (
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            class_id INTEGER NOT NULL REFERENCES classes(id),
            PRIMARY KEY (staff_id, class_id)
        );
        CREATE INDEX staff_classes_class ON staff_classes(class_id);
        CREATE TABLE staff_invitations (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            email TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL,
            staff_role TEXT NOT NULL CHECK (staff_role IN ('admin', 'teacher', 'assistant')),
            classes TEXT NOT NULL DEFAULT '[]',
            token_hash TEXT NOT NULL UNIQUE,
            created_by INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by INTEGER REFERENCES staff(id),
            revoked_at TEXT
        );
        CREATE INDEX staff_invitations_school ON staff_invitations(school_id, created_at);
        ALTER TABLE classes ADD COLUMN archived_at TEXT;
        ALTER TABLE classes ADD COLUMN created_at TEXT;
        ALTER TABLE learners ADD COLUMN upn TEXT;
        ALTER TABLE learners ADD COLUMN admission_number TEXT;
        ALTER TABLE learners ADD COLUMN code TEXT;
        ALTER TABLE learners ADD COLUMN created_at TEXT;
        CREATE UNIQUE INDEX learners_upn ON learners(school_id, upn) WHERE upn IS NOT NULL;
        CREATE UNIQUE INDEX learners_admission_number ON learners(school_id, admission_number)
            WHERE admission_number IS NOT NULL;
        CREATE INDEX learners_class ON learners(class_id);
        CREATE TABLE used_identifiers (
            school_id INTEGER NOT NULL REFERENCES schools(id),
            kind TEXT NOT NULL CHECK (kind IN ('upn', 'admission_number')),
            value_hash TEXT NOT NULL,
            PRIMARY KEY (school_id, kind, value_hash)
        );
        """
    )


def _m020_badge_sessions_and_school_switches(db):
    """Which badge started a learner's session (voiding the badge ends those sessions), and a
    school's own switch on a family's link to its learners: an admin of one school switches
    off only their school's part of an account that is also linked to another school's."""
    _run_script(
        db,
        """
        ALTER TABLE sign_ins ADD COLUMN badge_id INTEGER;
        ALTER TABLE family_links ADD COLUMN switched_off_at TEXT;
        """
    )


def _m021_narration_renders(db):
    """Each clip rendered of words that are not the app's own (what someone typed, a sentence
    with a name in it), by whom: their count is limited per person a day."""
    _run_script(
        db,
        """
        CREATE TABLE narration_renders (
            who TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX narration_renders_who ON narration_renders(who, at);
        """
    )


def _m022_passport_drafts(db):
    """The passport page a learner is adding, one question a screen (issue 14): what each
    screen gave is kept here at once, so Back, a reload or another tablet loses nothing, and
    the photos and recording taken on the way are the learner's media straight away. One
    draft a learner; Save makes the page and deletes the draft."""
    _run_script(
        db,
        """
        CREATE TABLE passport_drafts (
            learner_id INTEGER PRIMARY KEY REFERENCES learners(id),
            answers TEXT NOT NULL DEFAULT '{}',
            did_voice INTEGER REFERENCES media(id),
            step TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE passport_draft_photos (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES passport_drafts(learner_id),
            media_id INTEGER NOT NULL UNIQUE REFERENCES media(id)
        );
        CREATE INDEX passport_draft_photos_learner ON passport_draft_photos(learner_id);
        """
    )


def _m023_guidance_and_reviews(db):
    """Guidance meetings and their actions (Gatsby Benchmarks 3 and 8), the staff parts of a
    learner's one-page profile, staff notes on what is working, and the annual reviews held
    (issue 15). The learner's own words (aspirations, their view for a review) are survey
    answers, kept with their dates like every other answer."""
    _run_script(
        db,
        """
        CREATE TABLE guidance_meetings (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            held_on TEXT NOT NULL,
            adviser TEXT NOT NULL,
            adviser_qualified INTEGER NOT NULL DEFAULT 0,
            others TEXT,
            talked_about TEXT,
            learner_wants TEXT,
            learner_wants_voice INTEGER REFERENCES media(id),
            agreed TEXT,
            look_again_on TEXT,
            staff_id INTEGER REFERENCES staff(id),
            lang TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX guidance_meetings_learner ON guidance_meetings(learner_id, held_on);
        CREATE TABLE guidance_actions (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES guidance_meetings(id),
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            text TEXT NOT NULL,
            who TEXT NOT NULL,
            who_name TEXT,
            topic TEXT NOT NULL,
            due_on TEXT,
            done_at TEXT,
            done_by TEXT
        );
        CREATE INDEX guidance_actions_learner ON guidance_actions(learner_id, done_at, due_on);
        CREATE INDEX guidance_actions_meeting ON guidance_actions(meeting_id);
        CREATE TABLE profile_parts (
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            part TEXT NOT NULL,
            text TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (learner_id, part)
        );
        CREATE TABLE review_notes (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            heading TEXT NOT NULL,
            text TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX review_notes_learner ON review_notes(learner_id, created_at);
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            held_on TEXT NOT NULL,
            next_steps TEXT,
            staff_id INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX reviews_learner ON reviews(learner_id, held_on);
        """
    )


def _m024_destinations(db):
    """Leavers' destinations (Gatsby Benchmark 3, issue 16): the intended destination from
    Year 11 and the actual one at each check after leaving, with its NCCIS activity code; and
    the consent to follow a learner up after 16. A check recorded again is a new row: the
    latest of a checkpoint stands, and what was known before is kept."""
    _run_script(
        db,
        """
        CREATE TABLE destinations (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id),
            checkpoint TEXT NOT NULL,
            activity TEXT NOT NULL,
            provider TEXT,
            plan TEXT,
            started_on TEXT,
            checked_on TEXT NOT NULL,
            how_found TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX destinations_learner ON destinations(learner_id, checkpoint, id);
        CREATE TABLE follow_up_consent (
            learner_id INTEGER PRIMARY KEY REFERENCES learners(id),
            consent INTEGER NOT NULL,
            given_by TEXT NOT NULL,
            recorded_on TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id)
        );
        """
    )


def _m025_careers_programme(db):
    """The school's careers programme (Gatsby Benchmark 1, issue 16): entries by year group and
    term, each an app activity or the school's own event, with the benchmarks and the CDI
    Career Development Framework areas it serves; and the details the school publishes (its
    Careers Leader, how people take part, impact, next review), one row a school, with the
    switch for its public page."""
    _run_script(
        db,
        """
        CREATE TABLE programme_entries (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            year_group INTEGER NOT NULL CHECK (year_group BETWEEN 7 AND 14),
            term TEXT NOT NULL,
            kind TEXT NOT NULL,
            activity_id TEXT,
            title TEXT,
            benchmarks TEXT NOT NULL,
            cdi_areas TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX programme_entries_school ON programme_entries(school_id, year_group);
        CREATE TABLE careers_programme (
            school_id INTEGER PRIMARY KEY REFERENCES schools(id),
            leader_name TEXT,
            leader_email TEXT,
            leader_phone TEXT,
            learners_text TEXT,
            families_text TEXT,
            employers_text TEXT,
            impact_text TEXT,
            next_review_on TEXT,
            public INTEGER NOT NULL DEFAULT 1,
            staff_id INTEGER REFERENCES staff(id),
            updated_at TEXT
        );
        """
    )


def _m026_encounters_and_termly_review(db):
    """Encounters recorded once for a group (issue 16): each learner who was there gets a
    passport page that names the encounter, which they may add to. The termly review against
    the Gatsby Benchmarks: a snapshot of its measures at each term's end, and the Careers
    Leader's notes and actions for a term."""
    _run_script(
        db,
        """
        CREATE TABLE encounters (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            kind TEXT NOT NULL,
            what TEXT NOT NULL,
            provider TEXT,
            place_symbol TEXT,
            happened_on TEXT NOT NULL,
            group_name TEXT NOT NULL,
            provider_access INTEGER NOT NULL DEFAULT 0,
            staff_id INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX encounters_school ON encounters(school_id, happened_on);
        ALTER TABLE passport_pages ADD COLUMN encounter_id INTEGER REFERENCES encounters(id);
        CREATE INDEX passport_pages_encounter ON passport_pages(encounter_id);
        CREATE TABLE termly_snapshots (
            school_id INTEGER NOT NULL REFERENCES schools(id),
            term_end TEXT NOT NULL,
            measures TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (school_id, term_end)
        );
        CREATE TABLE termly_notes (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            term_end TEXT NOT NULL,
            benchmark INTEGER,
            text TEXT NOT NULL,
            due_on TEXT,
            done_on TEXT,
            staff_id INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX termly_notes_term ON termly_notes(school_id, term_end, id);
        """
    )


def _m027_history_by_year(db):
    """A learner's history is read a school year at a time (issue 17): their plays by when
    they began."""
    db.conn.execute("CREATE INDEX plays_learner_started ON plays(learner_id, started_at)")


def _m028_folded_names(db):
    """Each learner's name as the name search compares it, casefolded (issue 17): the search
    reads a stored column instead of calling Python once for every learner of the school. The
    database keeps it, so every way a name is written (import, edit, demo, tests) is covered;
    a connection that writes names must therefore have casefold() (db.connect gives it)."""
    db.conn.execute("ALTER TABLE learners ADD COLUMN name_folded TEXT")
    db.conn.execute("UPDATE learners SET name_folded = casefold(name)")
    for when in ("INSERT", "UPDATE OF name"):
        db.conn.execute(f"""CREATE TRIGGER learners_fold_{when.split()[0].lower()} AFTER {when} ON learners
                            BEGIN UPDATE learners SET name_folded = casefold(NEW.name) WHERE id = NEW.id; END""")



def _m029_school_content(db):
    """A school's own content (issue 19): each item is a file as the app ships them (TOML),
    its draft and what learners see once an admin publishes it, with its translations; the
    school's own pictures; and a revision a school's content is cached by."""
    _run_script(
        db,
        """
        CREATE TABLE school_content (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            path TEXT NOT NULL,
            draft TEXT NOT NULL,
            draft_words TEXT NOT NULL DEFAULT '{}',
            published TEXT,
            published_words TEXT,
            created_by INTEGER REFERENCES staff(id),
            updated_by INTEGER REFERENCES staff(id),
            published_by INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            published_at TEXT,
            UNIQUE (school_id, path)
        );
        CREATE TABLE school_pictures (
            id INTEGER PRIMARY KEY,
            school_id INTEGER NOT NULL REFERENCES schools(id),
            label TEXT NOT NULL,
            file TEXT NOT NULL UNIQUE,
            digest TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX school_pictures_school ON school_pictures(school_id);
        ALTER TABLE schools ADD COLUMN content_revision INTEGER NOT NULL DEFAULT 0;
        """
    )

# Append new migrations; never edit one that has shipped.
MIGRATIONS = [_m001_initial, _m002_media, _m003_passport_and_families, _m004_class_sessions,
              _m005_access_profile, _m006_three_choices, _m007_human_voice,
              _m008_staff_two_factor, _m009_month_of_birth,
              _m010_sign_in_throttle_and_family_visibility,
              _m011_protected_learners_and_photo_people, _m012_family_sharing_per_account,
              _m013_disabled_accounts, _m014_staff_only_notes, _m015_left_on,
              _m016_adult_preferences, _m017_typed_language,
              _m018_recording_transcripts, _m019_schools_run_themselves,
              _m020_badge_sessions_and_school_switches, _m021_narration_renders,
              _m022_passport_drafts, _m023_guidance_and_reviews,
              _m024_destinations, _m025_careers_programme, _m026_encounters_and_termly_review,
              _m027_history_by_year, _m028_folded_names, _m029_school_content]


def migrate(db):
    """Apply every migration not yet applied, each in its own transaction."""
    db.execute("CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, applied_at TEXT)")
    done = {row["id"] for row in db.query("SELECT id FROM migrations")}
    applied = []
    for number, step in enumerate(MIGRATIONS, start=1):
        if number in done:
            continue
        with transaction(db):
            step(db)
            db.conn.execute(
                "INSERT INTO migrations (id, applied_at) VALUES (?, ?)", (number, now())
            )
        applied.append(number)
    return applied


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database, or bring its schema up to date."""
    applied = migrate(get_db())
    click.echo(f"Database ready at {current_app.config['DATABASE']} ({len(applied)} migrations applied).")


def init_app(app):
    app.extensions["db_idle"] = {}  # database path -> connections no request is using
    weakref.finalize(app, _close_idle, app.extensions["db_idle"])  # closed with the app, or at exit
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
