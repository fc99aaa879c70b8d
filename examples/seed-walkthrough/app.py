# The seed's example Flask app: answers "Serving flask app" on /.
# Listens on $PORT (Wayfinder's process runtime sets it to the task's port), default 80 as in the seed.
import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "Serving flask app"


@app.route("/health")
def health():
    return "ok"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "80")))
