"""Staff workspace timings: password hashing, and how long an upload or a decision takes to go live.

Usage: .venv/bin/python bench/workspace.py [--documents DIR]   (default: a copy of documents/, the seed plan)

Prints seconds for: one scrypt hash (sign-in cost), the first build, upload of the seed PDF → live, one
curation decision → live (both through the Flask test client and the real background build subprocess).
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", default=str(ROOT / "documents"))
    args = parser.parse_args()

    from werkzeug.security import check_password_hash, generate_password_hash

    from kb.build import build
    from web import create_app
    from web.workspace.accounts import HASH_METHOD, UserStore

    hashed = generate_password_hash("x" * 12, method=HASH_METHOD)
    t = time.perf_counter()
    check_password_hash(hashed, "y" * 12)
    print(f"scrypt check ({hashed.split('$')[0]}): {time.perf_counter() - t:.3f} s")

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        documents = base / "documents"
        shutil.copytree(args.documents, documents)
        t = time.perf_counter()
        report = build([documents], base / "index", quiet=True)
        print(f"first build: {time.perf_counter() - t:.2f} s ({report.documents} documents)")
        UserStore(base / "instance").add("bench", "bench password")
        app = create_app(
            {
                "INDEX_DIR": str(base / "index"),
                "DOCUMENTS": [str(documents)],
                "INSTANCE_DIR": str(base / "instance"),
                "RELOAD_INTERVAL": 0.0,
            }
        )
        queue = app.extensions["policykb_workspace"].queue
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
        assert token
        client.post(
            "/login", data={"username": "bench", "password": "bench password", "csrf_token": token[1]}
        )
        csrf = client.get("/api/login").get_json()["csrf_token"]
        headers = {"X-CSRFToken": csrf}

        pdf = (ROOT / "tests" / "fixtures" / "formats" / "seed.pdf").read_bytes()
        t = time.perf_counter()
        client.post("/api/upload", data={"file": (io.BytesIO(pdf), "上传测试.pdf")}, headers=headers)
        queue.wait_idle(600)
        upload = client.get("/api/status").get_json()["uploads"][0]
        print(f"upload → live: {time.perf_counter() - t:.2f} s ({upload['state']})")

        doc_id = upload["document"]["id"]
        measure = upload["document"]["measures"][0]["id"]
        t = time.perf_counter()
        body = {"action": "set_categories", "measure": measure, "categories": []}
        client.post("/api/curation", json=body, headers=headers)
        queue.wait_idle(600)
        state = client.get("/api/curation").get_json()["decisions"][0]["status"]
        print(f"decision → live: {time.perf_counter() - t:.2f} s ({state}, document {doc_id})")
        queue.close()


if __name__ == "__main__":
    main()
