"""The editor's own client: the YAML language server (what VS Code's YAML extension runs) reads the
schemas through the files' `# yaml-language-server: $schema=...` line, shows no squiggle on the
real content and one on each mistake.

The server is pinned in tests/js/package.json and installed by `make test` (npm ci); set
SOPBOOK_YAML_LS=<path> to try another build of it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PINNED = ROOT / "tests" / "js" / "node_modules" / ".bin" / "yaml-language-server"
SERVER = os.environ.get("SOPBOOK_YAML_LS") or (str(PINNED) if PINNED.exists() else None)
pytestmark = pytest.mark.skipif(not SERVER, reason="yaml-language-server is not installed: run `make test`")


def diagnostics(files: list[Path], timeout: float = 60) -> dict[Path, list[str]]:
    """'line: message' for each file, as the language server publishes them."""
    proc = subprocess.Popen([SERVER, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    published: dict[str, list] = {}

    def send(message: dict) -> None:
        body = json.dumps(message).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    def read() -> None:
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                if not (byte := proc.stdout.read(1)):
                    return
                header += byte
            length = int(next(h for h in header.decode().split("\r\n")
                              if h.lower().startswith("content-length"))
                         .split(":")[1])
            message = json.loads(proc.stdout.read(length))
            if message.get("method") == "workspace/configuration":
                send({"jsonrpc": "2.0", "id": message["id"],
                      "result": [{"validate": True, "schemaStore": {"enable": False}}]
                      * len(message["params"]["items"])})
            elif "id" in message and "method" in message:
                send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif message.get("method") == "textDocument/publishDiagnostics":
                published[message["params"]["uri"]] = message["params"]["diagnostics"]

    threading.Thread(target=read, daemon=True).start()
    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": files[0].parent.as_uri(),
                         "capabilities": {"workspace": {"configuration": True}}}})
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send({"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
              "params": {"settings": {"yaml": {"validate": True, "schemaStore": {"enable": False}}}}})
        for path in files:
            send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": path.as_uri(), "languageId": "yaml", "version": 1,
                "text": path.read_text(encoding="utf-8")}}})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(published) < len(files):
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
    return {p: [f"{d['range']['start']['line'] + 1}: {d['message']}" for d in published.get(p.as_uri(), [])]
            for p in files}


def test_the_language_server_accepts_the_content_and_flags_mistakes(tmp_path):
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    files = []
    for folder in ("content", "checklists"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
        files += sorted((tmp_path / folder).glob("*.yml"))
    shutil.copy(ROOT / "handbook.yml", tmp_path / "handbook.yml")
    bad = tmp_path / "content" / "mistakes.yml"
    bad.write_text("# yaml-language-server: $schema=../schema/chapter.schema.json\n"
                   "id: demo\ntitle: 交付\nsections:\n  - id: s\n    title: 节\n    pending: y\n    blocks:\n"
                   "      - 一段文字\n"
                   "      - {type: procedure, id: p, title: 流程, steps: [{id: a, title: 一, minuts: 2}]}\n",
                   encoding="utf-8")
    found = diagnostics([*files, tmp_path / "handbook.yml", bad])
    assert found.pop(bad) == ["10: Property minuts is not allowed.", '7: Incorrect type. Expected "boolean".']
    assert found == {path: [] for path in found}
