"""Passwords are kept only as slow, salted hashes: werkzeug's scrypt (N=32768, r=8, p=1), about
a tenth of a second to check on a 2-core server, which is what makes a stolen database slow to
guess from. One place makes them, so every account (staff, families, the demo) gets the same.

The tests (tests/conftest.py) set METHOD to a quick hash: they sign in thousands of times, and
the cost of a check is not what they test; tests/test_auth.py checks that the app ships with
scrypt."""

from werkzeug.security import check_password_hash, generate_password_hash

METHOD = "scrypt"


def hashed(secret):
    return generate_password_hash(secret, METHOD)


def matches(stored, given):
    """Whether `given` is the secret `stored` is a hash of (whatever method made the hash)."""
    return check_password_hash(stored, given)
