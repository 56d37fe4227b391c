"""The ceiling for bench_server.py: a bare Flask form endpoint, no storage.

Same framework pieces as vliegwiel on the hot path (signed session cookie, Flask-WTF CSRF,
form parsing, a redirect), served by waitress with the same thread count. Run by
bench_server.py as ``python bench/bare_app.py PORT THREADS``.
"""

from __future__ import annotations

import sys

from flask import Flask, redirect, render_template_string, request, session
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
app.config.update(SECRET_KEY="bench-only-not-a-secret-" + "x" * 16, WTF_CSRF_TIME_LIMIT=None)
CSRFProtect(app)

FORM = """<!doctype html><title>Vraag</title><form method="post">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<label for="marker">Uw kenmerk</label><input id="marker" name="marker">
<button>Volgende</button></form>"""


@app.route("/", methods=["GET"])
def home():
    return "ok"


@app.route("/enquete/snel/pagina/1", methods=["GET", "POST"])
def page():
    if request.method == "POST":
        session["marker"] = request.form.get("marker", "")[:200]
        return redirect("/enquete/snel/controle")
    return render_template_string(FORM)


@app.post("/enquete/snel/controle")
def review():
    session.pop("marker", None)
    return redirect("/enquete/snel/bedankt")


if __name__ == "__main__":
    import waitress

    waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]))
