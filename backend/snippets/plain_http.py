"""Copy-as-code in plain HTTP: curl, Python `requests` and Node.js `fetch`.

Each writer spells the request out, then reads the answer one way (JSON, a file, a stream). They send
the very bytes the playground sent: curl and fetch the JSON text itself, requests the same `json=` body.
"""
from __future__ import annotations

import shlex
from typing import Any

from .literals import JS, PY, Code, literal, quote, template_literal
from .plan import Plan, file_names

_TIMEOUT_SECONDS = 120


def write_curl(plan: Plan) -> str:
    parts = [f"curl {shlex.quote(plan.request.url)}"]
    if plan.request.method != "POST" or (plan.body is None and not plan.sends_file):
        parts.append(f"-X {plan.request.method}")
    if plan.token_variable:
        parts.append(f'-H "Authorization: Bearer ${plan.token_variable}"')
    parts += [f"-H {shlex.quote(f'{name}: {value}')}" for name, value in plan.headers.items()]
    if plan.body is not None:
        parts.append(f"--data-raw {shlex.quote(plan.body)}")  # single-quoted: no $, ` or \ expansion
    if plan.sends_file:
        parts.append(f"--data-binary {shlex.quote('@' + plan.upload)}")
    if plan.request.stream:
        parts.append("--no-buffer")
    if plan.answer_file:
        parts.append(f"-o {shlex.quote(plan.answer_file)}")
    note = f"# {plan.upload}: the file you uploaded ({_upload_kind(plan)}); put its path here.\n" \
        if plan.sends_file else ""
    return note + " \\\n  ".join(parts) + "\n"


def _upload_kind(plan: Plan) -> str:
    kind = next((v for k, v in plan.headers.items() if k.lower() == "content-type"), "")
    return {"image": "an image", "audio": "a sound file", "video": "a video"}.get(kind.split("/")[0], "the upload")


# Python (requests) and Node.js (fetch): the request spelled out, then one way to read the answer.

_PYTHON_STREAM = """\
with %(call)s as response:
    response.raise_for_status()
    for line in response.iter_lines():
        if line.startswith(b"data:") and line[5:].strip() != b"[DONE]":
            event = json.loads(line[5:])
            <<print>>
print()
"""
_PYTHON_ANSWERS = {
    "json": "response = %(call)s\nresponse.raise_for_status()\nprint(response.json())\n",
    "file": ("response = %(call)s\nresponse.raise_for_status()\n"
             "Path(%(file)s).write_bytes(response.content)\nprint(%(saved)s)\n"),
    "chat_stream": _PYTHON_STREAM.replace(
        "<<print>>", 'for choice in event["choices"]:\n'
                     '                print(choice["delta"].get("content") or "", end="", flush=True)'),
    "stream": _PYTHON_STREAM.replace(
        "<<print>>", 'if not event["token"]["special"]:\n'
                     '                print(event["token"]["text"], end="", flush=True)'),
    # A streamed tool call comes in pieces (OpenAI's shape: name first, then arguments by index); TGI
    # sends its arguments as an object, whole.
    "chat_stream_tools": "calls = {}  # tool calls by index: name, and arguments so far\n" + _PYTHON_STREAM.replace(
        "<<print>>", """for choice in event["choices"]:
                print(choice["delta"].get("content") or "", end="", flush=True)
                for piece in choice["delta"].get("tool_calls") or []:
                    call = calls.setdefault(piece.get("index", 0), {"name": "", "arguments": ""})
                    function = piece.get("function") or {}
                    call["name"] = function.get("name") or call["name"]
                    arguments = function.get("arguments") or ""
                    call["arguments"] += arguments if isinstance(arguments, str) else json.dumps(arguments)""")
    + "for call in calls.values():\n    print(f\"{call['name']}({call['arguments']})\")\n",
}


def write_python(plan: Plan) -> str:
    imports = ["import json"] if plan.request.stream else []
    if plan.token_variable:
        imports.append("import os")
    if plan.sends_file or plan.answer_file:
        imports.append("from pathlib import Path")
    headers: dict[str, Any] = dict(plan.headers)
    if plan.token_variable:
        headers = {"Authorization": Code(f'"Bearer " + os.environ["{plan.token_variable}"]'), **headers}
    lines = [*imports, "", "import requests", "", f"API_URL = {quote(plan.request.url)}",
             f"headers = {literal(headers, PY)}"]
    send = "requests.post(API_URL" if plan.request.method == "POST" else \
        f"requests.request({quote(plan.request.method)}, API_URL"
    send += ", headers=headers"
    if plan.body is not None:
        lines.append(f"payload = {literal(plan.request.json_body, PY)}")
        send += ", json=payload"
    if plan.sends_file:
        lines.append(f"data = Path({quote(plan.upload)}).read_bytes()")
        send += ", data=data"
    send += f", timeout={_TIMEOUT_SECONDS}" + (", stream=True)" if plan.request.stream else ")")
    answer = _PYTHON_ANSWERS[plan.answer] % {"call": send, **file_names(plan, PY)}
    return "\n".join(lines).lstrip("\n") + "\n\n" + answer


_NODE_STREAM = """\
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of response.body) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\\n");
    pending = lines.pop();
    for (const line of lines) {
      const data = line.startsWith("data:") ? line.slice(5).trim() : "";
      if (!data || data === "[DONE]") continue;
      <<print>>
    }
  }
  process.stdout.write("\\n");
"""
_NODE_ANSWERS = {
    "json": "  console.log(JSON.stringify(await response.json(), null, 2));\n",
    "file": ("  fs.writeFileSync(%(file)s, Buffer.from(await response.arrayBuffer()));\n"
             "  console.log(%(saved)s);\n"),
    "chat_stream": _NODE_STREAM.replace("<<print>>", "for (const choice of JSON.parse(data).choices) "
                                                    "process.stdout.write(choice.delta.content ?? \"\");"),
    "stream": _NODE_STREAM.replace("<<print>>", "const { token } = JSON.parse(data);\n"
                                               "      if (!token.special) process.stdout.write(token.text);"),
    "chat_stream_tools": ("  const calls = {}; // tool calls by index: name, and arguments so far\n" + _NODE_STREAM.replace(
        "<<print>>", """for (const { delta } of JSON.parse(data).choices) {
        process.stdout.write(delta.content ?? "");
        for (const piece of delta.tool_calls ?? []) {
          const call = (calls[piece.index ?? 0] ??= { name: "", arguments: "" });
          call.name = piece.function?.name || call.name;
          const text = piece.function?.arguments ?? "";
          call.arguments += typeof text === "string" ? text : JSON.stringify(text);
        }
      }""") + "  for (const call of Object.values(calls)) console.log(`${call.name}(${call.arguments})`);\n"),
}


def write_node(plan: Plan) -> str:
    headers: dict[str, Any] = dict(plan.headers)
    if plan.token_variable:
        headers = {"Authorization": Code(f"`Bearer ${{process.env.{plan.token_variable}}}`"), **headers}
    lines = ['const fs = require("node:fs");', ""] if plan.sends_file or plan.answer_file else []
    lines.append(f"const API_URL = {quote(plan.request.url, JS)};")
    options: dict[str, Any] = {"method": plan.request.method, "headers": headers}
    if plan.body is not None:
        lines += ["// Exactly the JSON the playground sent (JSON.stringify would lay it out differently).",
                  f"const body = {template_literal(plan.body)};"]
        options["body"] = Code("body")
    if plan.sends_file:
        options["body"] = Code(f"fs.readFileSync({quote(plan.upload, JS)})")
    fetch = f"  const response = await fetch(API_URL, {literal(options, JS, 1)});\n"
    check = "  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);\n"
    answer = _NODE_ANSWERS[plan.answer] % file_names(plan, JS)
    main = "async function main() {\n" + fetch + check + answer + "}\n"
    ending = "main().catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n"
    return "\n".join(lines) + "\n\n" + main + "\n" + ending
