"""Copy-as-code run for real against the fake HF server: curl, Python (requests) and Node.js (fetch)
send exactly the bytes the playground sent, and print (or save) the same answer; huggingface_hub
reaches it too. The token is only ever in the environment (SECURITY.md T2).
"""
from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from backend import InferenceRequest, InferenceResult, Playground, load_settings
from backend.snippets import build_snippet
from backend.snippets.literals import JS, literal, template_literal
from backend.tasks import TASKS
from tests.conftest import SENTINEL
from tests.fake_hf import FakeHF, Received

DECOY = "hf_DECOYwrongVariable00000"  # in the variable a snippet must NOT read
SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
HOSTILE = ("It's \"quoted\" $HOME $(touch pwned) `touch pwned` \\ back\\slash\nnew line\ttab ünïcødé 😀 "
           "\u202ebidi ${HF_TOKEN} %s {0} '; rm -rf ~ #")
# Every byte value, CR/LF and a NUL: a body that breaks anything treating the upload as text.
IMAGE = b"\xff\xd8\xff\xe0 fake jpeg \r\n\x00" + bytes(range(256))
RUNNERS = {  # language: (file the snippet is saved as, command that runs it)
    "curl": ("snippet.sh", ["bash"]),
    "python": ("snippet.py", [sys.executable]),
    "huggingface_hub": ("snippet_hub.py", [sys.executable]),
    "node": ("snippet.js", ["node"]),
}


def needs(program: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(program) is None, reason=f"{program} is not installed on this machine")


LANGUAGES = [pytest.param("curl", marks=needs("curl")), "python", pytest.param("node", marks=needs("node"))]


@dataclass(frozen=True)
class Case:
    """One request built by the playground, as a person would make it in the UI."""

    task: str
    model_id: str
    inputs: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    via_endpoint: bool = False  # a custom endpoint on a host that is not Hugging Face's


CASES = {
    "text-classification": Case("text-classification", SST2, {"text": "I like you. I love you"}),
    "shell-hostile-prompt": Case("text-classification", SST2, {"text": HOSTILE}),
    "image-upload": Case("image-classification", "google/vit-base-patch16-224",
                         {"image": IMAGE, "image_type": "image/jpeg"}),
    "text-to-image": Case("text-to-image", "CompVis/stable-diffusion-v1-4", {"text": "An astronaut riding a horse"}),
    "chat-stream": Case("chat-completion", "meta-llama/Llama-3.1-8B-Instruct",
                        {"messages": [{"role": "user", "content": "What is deep learning? Say it with 'quotes'."}]},
                        {"stream": True, "max_tokens": 64}),
    "generation-stream": Case("text-generation", "google/flan-t5-xxl", {"text": "one two three"}, {"stream": True}),
    "custom-endpoint": Case("text-classification", SST2, {"text": "I like you"}, via_endpoint=True),
    "image-question": Case("visual-question-answering", "dandelin/vilt-b32-finetuned-vqa",
                           {"image": IMAGE, "image_type": "image/jpeg", "question": "What is in it?"}, {"top_k": 2}),
    "document-question": Case("document-question-answering", "impira/layoutlm-document-qa",
                              {"image": IMAGE, "image_type": "image/jpeg", "question": "What is the title?"}),
    "image-labels": Case("zero-shot-image-classification", "openai/clip-vit-base-patch32",
                         {"image": IMAGE, "image_type": "image/jpeg", "labels": ["a cat", "a chart"]}),
}


@pytest.fixture(scope="module")
def hf():
    with FakeHF() as server:
        yield server


@dataclass(frozen=True)
class Sent:
    request: InferenceRequest
    result: InferenceResult
    received: Received


def send_from_playground(hf: FakeHF, case: Case) -> Sent:
    """What the playground itself sends and gets back; the fake's log is cleared afterwards."""
    hf.reset()
    localhost = hf.url.replace("127.0.0.1", "localhost")  # not the operator's origin, so it gets API_TOKEN
    playground = Playground(load_settings({"HF_ROUTER_URL": hf.url, "HF_ENDPOINT": hf.url,
                                           "PLAYGROUND_ENDPOINT_HOSTS": "localhost"}, None, read_token_file=False))
    endpoint_url = f"{localhost}/hf-inference/models/{SST2}" if case.via_endpoint else ""
    request = playground.build_request(task=case.task, model_id=case.model_id, inputs=case.inputs,
                                       params=case.params, endpoint_url=endpoint_url)
    result = playground.run_to_end(request, token=SENTINEL, endpoint_key=SENTINEL)
    assert result.ok, result.error
    (received,) = hf.received
    hf.reset()
    return Sent(request, result, received)


def run_snippet(language: str, code: str, workdir: Path, variable: str) -> bytes:
    """Run a snippet as its user would, the token in `variable` only; returns what it printed."""
    name, command = RUNNERS[language]
    (workdir / name).write_text(code, encoding="utf-8")
    decoy = "API_TOKEN" if variable == "HF_TOKEN" else "HF_TOKEN"
    env = {"PATH": os.environ["PATH"], "HOME": str(workdir), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "HF_HOME": str(workdir / "hf"),
           "HF_HUB_DISABLE_TELEMETRY": "1", variable: SENTINEL, decoy: DECOY}
    done = subprocess.run([*command, name], cwd=workdir, env=env, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def printed_answer(language: str, stdout: bytes, sent: Sent) -> tuple[Any, Any]:
    """(what the snippet printed, what it should have printed), each in the form that language prints."""
    if sent.request.stream:
        return (stdout, sent.result.body) if language == "curl" else (stdout.decode(), streamed_text(sent) + "\n")
    readers: dict[str, Callable[[bytes], Any]] = {
        "curl": bytes, "python": lambda out: ast.literal_eval(out.decode()), "node": json.loads}
    return readers[language](stdout), sent.result.body if language == "curl" else sent.result.json


def streamed_text(sent: Sent) -> str:
    """The text a streamed answer spells out: chat deltas, or TGI's tokens minus special ones."""
    events = [event for event in sent.result.events if isinstance(event, dict)]
    if sent.request.task == "chat-completion":
        return "".join(choice["delta"].get("content") or "" for event in events for choice in event["choices"])
    return "".join(event["token"]["text"] for event in events if not event["token"]["special"])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case_name", list(CASES))
def test_the_snippet_sends_what_the_playground_sent(hf, tmp_path, case_name, language):
    sent = send_from_playground(hf, CASES[case_name])
    (tmp_path / "input.jpg").write_bytes(IMAGE)
    code = build_snippet(sent.request, language, upload_name="input.jpg")
    variable = "API_TOKEN" if sent.request.token_kind == "endpoint" else "HF_TOKEN"
    assert SENTINEL not in code and (variable == "HF_TOKEN") == ("HF_TOKEN" in code)

    stdout = run_snippet(language, code, tmp_path, variable)

    (received,) = hf.received
    assert received.body == sent.received.body  # byte for byte
    assert (received.method, received.path) == (sent.received.method, sent.received.path)
    assert received.headers["Authorization"] == f"Bearer {SENTINEL}"  # from `variable`, not the decoy
    assert received.headers.get("Content-Type") == sent.received.headers.get("Content-Type")
    if sent.request.task == "text-to-image":
        assert b"saved output.jpg" in stdout or language == "curl"
        assert (tmp_path / "output.jpg").read_bytes() == sent.result.body
    else:
        printed, expected = printed_answer(language, stdout, sent)
        assert printed == expected
    assert not (tmp_path / "pwned").exists()  # nothing in the prompt was run by the shell


HUB_CASES = ["text-classification", "shell-hostile-prompt", "chat-stream", "text-to-image", "image-question",
             "document-question", "image-labels"]


@pytest.mark.parametrize("case_name", HUB_CASES)
def test_the_huggingface_hub_snippet_reaches_the_same_route(hf, tmp_path, case_name):
    """InferenceClient lays JSON out its own way, so the body is compared as JSON, not as bytes."""
    sent = send_from_playground(hf, CASES[case_name])
    (tmp_path / "input.jpg").write_bytes(IMAGE)  # the upload, where the snippet says it is
    code = build_snippet(sent.request, "huggingface_hub", upload_name="input.jpg")
    assert not code.startswith("# "), code.splitlines()[0]  # InferenceClient says it, not requests
    stdout = run_snippet("huggingface_hub", code, tmp_path, "HF_TOKEN")
    (received,) = hf.received
    assert received.path == sent.received.path
    assert received.headers["Authorization"] == f"Bearer {SENTINEL}"
    assert received.json == sent.received.json  # the empty `parameters` too: both send what 2.4 sends
    if sent.request.stream:
        assert stdout.decode() == streamed_text(sent) + "\n"
    if sent.request.task == "text-to-image":
        assert (tmp_path / "output.jpg").exists()


# -- JavaScript read by node itself -------------------------------------------------------------------

NODE_VALUES = [HOSTILE, "", "\u2028\u2029\x7f\x00\ud800", {"a": [1, 2.5, 1e-07, 1e+20, True, False, None]},
               {"ключ": {"deep": [{"k e y": "v", "x-y": [], "$ok": {}}]}}]


@needs("node")
def test_node_reads_our_literals_as_the_values_they_stand_for(tmp_path):
    texts = [json.dumps(value) for value in NODE_VALUES]
    script = (f"const values = [{', '.join(literal(value, JS) for value in NODE_VALUES)}];\n"
              f"const texts = [{', '.join(template_literal(text) for text in texts)}];\n"
              "process.stdout.write(JSON.stringify({values, texts}));\n")
    (tmp_path / "literals.js").write_text(script, encoding="utf-8")
    done = subprocess.run(["node", "literals.js"], cwd=tmp_path, capture_output=True, timeout=30, check=True)
    read = json.loads(done.stdout)
    assert read == {"values": NODE_VALUES, "texts": texts}


@needs("node")
def test_every_tasks_javascript_parses(tmp_path):
    """The @huggingface/inference snippets cannot run offline, but node can still check their syntax."""
    playground = Playground(load_settings({}, None, read_token_file=False))
    jobs = []
    for spec in TASKS.values():
        kind = "image" if spec.input_kind.startswith("image-") else spec.input_kind  # an image beside a text
        upload = {"image": {"image": IMAGE}, "audio": {"audio": b"fLaC" + IMAGE}}.get(kind, {})
        streams = {"stream": True} if any(param.name == "stream" for param in spec.parameters) else {}
        request = playground.build_request(task=spec.name, model_id=spec.default_model,
                                           inputs={**spec.example, **upload}, params=streams)
        for language, suffix in (("javascript", "mjs"), ("node", "js")):
            path = tmp_path / f"{spec.name}.{language}.{suffix}"
            path.write_text(build_snippet(request, language), encoding="utf-8")
            jobs.append((path.name, subprocess.Popen(["node", "--check", path.name], cwd=tmp_path,
                                                     stderr=subprocess.PIPE)))
    failures = {name: job.communicate(timeout=30)[1].decode() for name, job in jobs if job.wait(timeout=30)}
    assert not failures
