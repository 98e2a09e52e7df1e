"""Narration for a school's own texts, made in the background as an item is saved: the page
answers at once, and the item's page shows how many of its texts are ready. In the voice and
speed learners hear by default; another voice or speed is made when a learner first plays it,
as for any text.

A thread of this process hands the clips, one at a time, to one worker process of its own,
as `flask narration build` does: the speech engine runs in that process's main thread (its
driver's callbacks are not safe in a thread beside a web server's) and never holds up the
engine this process uses for a learner's own words."""

import atexit
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from .. import narration

MAKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="school-narration")
_worker, _worker_lock = None, threading.Lock()


def worker():
    """The process the clips are spoken in, started at the first clip and kept."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            atexit.register(_worker.shutdown, cancel_futures=True)
        return _worker


def clips(app, texts):
    """The clip of each (text, narration language), once each."""
    return [narration.clip_for(app, text, lang) for text, lang in dict.fromkeys(texts)]


def progress(app, texts):
    """(clips made, clips wanted) for the texts; (0, 0) where narration is off."""
    if app.extensions["narration_problem"]:
        return 0, 0
    found = clips(app, texts)
    return sum(1 for clip in found if clip.path.exists()), len(found)


def queue(app, texts):
    """Start making the clips of `texts` not made yet; returns the future (None if none)."""
    if app.extensions["narration_problem"]:
        return None
    missing = [clip for clip in clips(app, texts) if not clip.path.exists()]
    return MAKER.submit(_make, app, missing) if missing else None


def _make(app, missing):
    try:
        narration.render_clips(app, [clip for clip in missing if not clip.path.exists()], worker(), 1)
    except Exception:  # the cache is full, the engine failed: each is made when first played
        app.logger.exception("School narration was not made in the background")
