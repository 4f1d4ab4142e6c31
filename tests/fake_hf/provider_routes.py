"""Inference Providers on the fake router: `/{provider}/...` as huggingface_hub 2.4's helpers call them,
answered in each provider's own shape, with their jobs and a media CDN.

`PROVIDER_MODELS[(provider, task)]` names a Hub model the fake maps to that provider for that task, for
every pair of huggingface_hub's table (74). Answers follow the recordings in `recorded/providers/`
(fal's `images[].url`, replicate's prediction, together's `data[].b64_json`) and, where none exists, what
the official clients read. Media links point at the fake CDN (`media_cdn.py`).

Jobs (fal-ai queue tasks, wavespeed, zai-org, together video, replicate's slow models) are queued for
1 status poll, then run for 1 poll (`logs`: "step 1/1"), then done. Scripted models:
  fake/video-slow        fal-ai text-to-video queued for 4 polls, running for 6 (position counts down)
  fake/video-6s          fal-ai text-to-video queued for 2 s, then running until 6 s after submission (wall clock)
  fake/video-60s         the same over 60 s
  fake/video-fails       fal-ai text-to-video that fails while running ("NSFW content detected")
  fake/video-flaky       fal-ai text-to-video whose status answers 429, then 503, then as usual
  fake/replicate-slow    replicate text-to-image that starts as a prediction to poll (cancel honoured)
  fake/cdn-redirect      fal-ai text-to-image whose image link redirects once on the CDN
  fake/cdn-private       fal-ai text-to-image whose image link is on a private address (10.1.2.3)
  fake/cdn-oversized     fal-ai text-to-image whose link announces a 500 MB file
  fake/cdn-wrong-type    fal-ai text-to-image whose link answers an HTML page
"""
from __future__ import annotations

import base64
import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .catalog import CURATED, Catalog, ModelCard
from .media_cdn import media_bytes
from .replies import Received, Reply, json_reply

__all__ = ["PROVIDER_MODELS", "SCRIPTED_PROVIDER_MODELS", "ProviderRoutes", "add_provider_models", "PROVIDERS",
           "hf_inference_answer"]

Entry = tuple[str, str, str]  # (provider, task, providerId)

# Hub model -> its providers, in the Hub's order (auto takes the first serving the task).
MAPPINGS: dict[str, tuple[str, list[Entry]]] = {
    "black-forest-labs/FLUX.1-schnell": ("text-to-image", [
        ("fal-ai", "text-to-image", "fal-ai/flux/schnell"),
        ("replicate", "text-to-image", "black-forest-labs/flux-schnell"),
        ("together", "text-to-image", "black-forest-labs/FLUX.1-schnell"),
        ("nscale", "text-to-image", "black-forest-labs/FLUX.1-schnell"),
        ("wavespeed", "text-to-image", "wavespeed-ai/flux-schnell")]),
    "zai-org/CogView4-6B": ("text-to-image", [("zai-org", "text-to-image", "cogview-4-250304")]),
    "Wan-AI/Wan2.2-T2V-A14B": ("text-to-video", [
        ("fal-ai", "text-to-video", "fal-ai/wan/v2.2-a14b/text-to-video"),
        ("replicate", "text-to-video", "wan-video/wan-2.2-t2v-fast"),
        ("together", "text-to-video", "Wan-AI/Wan2.2-T2V-A14B"),
        ("wavespeed", "text-to-video", "wavespeed-ai/wan-2.2/t2v-480p"),
        ("novita", "text-to-video", "wan-2.2-t2v")]),
    "Wan-AI/Wan2.2-I2V-A14B": ("image-to-video", [
        ("fal-ai", "image-to-video", "fal-ai/wan/v2.2-a14b/image-to-video"),
        ("together", "image-to-video", "Wan-AI/Wan2.2-I2V-A14B"),
        ("wavespeed", "image-to-video", "wavespeed-ai/wan-2.2/i2v-480p")]),
    "Qwen/Qwen-Image-Edit": ("image-to-image", [
        ("fal-ai", "image-to-image", "fal-ai/qwen-image-edit"),
        ("replicate", "image-to-image", "qwen/qwen-image-edit"),
        ("together", "image-to-image", "Qwen/Qwen-Image-Edit"),
        ("wavespeed", "image-to-image", "wavespeed-ai/qwen-image/edit")]),
    "hexgrad/Kokoro-82M": ("text-to-speech", [
        ("fal-ai", "text-to-speech", "fal-ai/kokoro/american-english"),
        ("replicate", "text-to-speech", "jaaari/kokoro-82m:f559560eb822dc509045f3921a1921234918b91739db4bf3daab2169b71c7a13"),
        ("together", "text-to-speech", "hexgrad/Kokoro-82M"),
        ("deepinfra", "text-to-speech", "hexgrad/Kokoro-82M")]),
    "openai/whisper-large-v3": ("automatic-speech-recognition", [
        ("fal-ai", "automatic-speech-recognition", "fal-ai/whisper"),
        ("replicate", "automatic-speech-recognition",
         "openai/whisper:8099696689d249cf8b122d833c36ac3f75505c666a395ca40ef26f68e7d3d16e"),
        ("deepinfra", "automatic-speech-recognition", "openai/whisper-large-v3")]),
    "Qwen/Qwen3-Embedding-8B": ("feature-extraction", [
        ("together", "feature-extraction", "Qwen/Qwen3-Embedding-8B"),
        ("deepinfra", "feature-extraction", "Qwen/Qwen3-Embedding-8B"),
        ("scaleway", "feature-extraction", "qwen3-embedding-8b")]),
    "ZhengPeng7/BiRefNet": ("image-segmentation", [("fal-ai", "image-segmentation", "fal-ai/birefnet")]),
    "meta-llama/Llama-3.1-8B": ("text-generation", [
        ("featherless-ai", "text-generation", "meta-llama/Meta-Llama-3.1-8B"),
        ("novita", "text-generation", "meta-llama/llama-3.1-8b"),
        ("together", "text-generation", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"),
        ("deepinfra", "text-generation", "meta-llama/Meta-Llama-3.1-8B")]),
    "deepseek-ai/DeepSeek-V3.1": ("text-generation", [
        (provider, "conversational", f"deepseek-ai/DeepSeek-V3.1-{provider}") for provider in (
            "baseten", "cerebras", "cohere", "deepinfra", "featherless-ai", "fireworks-ai", "groq", "novita",
            "nscale", "openai", "ovhcloud", "publicai", "scaleway", "together", "zai-org")]),
    # hf-inference tasks the recordings do not cover
    "superb/hubert-large-superb-er": ("audio-classification", [("hf-inference", "audio-classification", "")]),
    "impira/layoutlm-document-qa": ("document-question-answering",
                                    [("hf-inference", "document-question-answering", "")]),
    "Salesforce/blip-image-captioning-base": ("image-to-text", [("hf-inference", "image-to-text", "")]),
    "speechbrain/sepformer-wham": ("audio-to-audio", [("hf-inference", "audio-to-audio", "")]),
    "openai/clip-vit-base-patch32": ("zero-shot-image-classification",
                                     [("hf-inference", "zero-shot-image-classification", "")]),
    "timbrooks/instruct-pix2pix": ("image-to-image", [("hf-inference", "image-to-image", "")]),
    "scikit-learn/tabular-playground": ("tabular-classification", [("hf-inference", "tabular-classification", "")]),
    "facebook/mms-tts-eng": ("text-to-speech", [("hf-inference", "text-to-speech", "")]),
    "dandelin/vilt-b32-finetuned-vqa": ("visual-question-answering",
                                        [("hf-inference", "visual-question-answering", "")]),
}
SCRIPTED_PROVIDER_MODELS: dict[str, tuple[str, list[Entry]]] = {
    "fake/video-slow": ("text-to-video", [("fal-ai", "text-to-video", "fal-ai/fake/slow")]),
    "fake/video-6s": ("text-to-video", [("fal-ai", "text-to-video", "fal-ai/fake/seconds-6")]),
    "fake/video-60s": ("text-to-video", [("fal-ai", "text-to-video", "fal-ai/fake/seconds-60")]),
    "fake/video-fails": ("text-to-video", [("fal-ai", "text-to-video", "fal-ai/fake/fails")]),
    "fake/video-flaky": ("text-to-video", [("fal-ai", "text-to-video", "fal-ai/fake/flaky")]),
    "fake/replicate-slow": ("text-to-image", [("replicate", "text-to-image", "fake/prediction")]),
    "fake/cdn-redirect": ("text-to-image", [("fal-ai", "text-to-image", "fal-ai/fake/redirect")]),
    "fake/cdn-private": ("text-to-image", [("fal-ai", "text-to-image", "fal-ai/fake/private")]),
    "fake/cdn-oversized": ("text-to-image", [("fal-ai", "text-to-image", "fal-ai/fake/oversized")]),
    "fake/cdn-wrong-type": ("text-to-image", [("fal-ai", "text-to-image", "fal-ai/fake/wrong-type")]),
}
LORA_MODEL = "alvdansen/flux-koda"
STAGING_MODEL = "stabilityai/stable-diffusion-3.5-large"
# hf-inference tasks that the catalog's curated or recorded models serve.
_HF_INFERENCE_FROM_CATALOG = ("text-classification", "token-classification", "zero-shot-classification",
                              "fill-mask", "question-answering", "summarization", "translation", "text-generation",
                              "sentence-similarity", "feature-extraction", "image-classification", "object-detection",
                              "automatic-speech-recognition", "text-to-image", "image-segmentation",
                              "table-question-answering")


def _pairs() -> dict[tuple[str, str], str]:
    table = {(provider, task): model for model, (_, entries) in MAPPINGS.items()
             for provider, task, _ in entries}
    return table


PROVIDER_MODELS: dict[tuple[str, str], str] = _pairs()
PROVIDERS = sorted({provider for provider, _ in PROVIDER_MODELS} - {"hf-inference"})


def add_provider_models(catalog: Catalog) -> None:
    """Map the models above (and the LoRA and staging ones) in the fake Hub's catalog."""
    for model, (tag, entries) in {**MAPPINGS, **SCRIPTED_PROVIDER_MODELS}.items():
        card = catalog.get(model) if not model.startswith("fake/") else None
        if card is None or card.id != model:
            card = ModelCard(model, tag, conversational=any(task == "conversational" for _, task, _ in entries))
            catalog._add(card)
        for provider, task, provider_id in entries:
            card.mapping[provider] = {"status": "live", "providerId": provider_id or model, "task": task}
    lora = ModelCard(LORA_MODEL, "text-to-image")
    lora.mapping["fal-ai"] = {"status": "live", "providerId": "fal-ai/flux-lora", "task": "text-to-image",
                              "adapter": "lora", "adapterWeightsPath": "araminta_k_flux_koda.safetensors"}
    catalog._add(lora)
    staging = ModelCard(STAGING_MODEL, "text-to-image")
    staging.mapping["replicate"] = {"status": "staging", "providerId": "stability-ai/stable-diffusion-3.5-large",
                                    "task": "text-to-image"}
    catalog._add(staging)
    for task in _HF_INFERENCE_FROM_CATALOG:
        PROVIDER_MODELS.setdefault(("hf-inference", task), _served_by_hf_inference(catalog, task))
    PROVIDER_MODELS.setdefault(("hf-inference", "conversational"), next(
        card.id for card in catalog.cards() if card.conversational and "hf-inference" in card.mapping
        and not card.id.startswith("fake/")))


def _served_by_hf_inference(catalog: Catalog, task: str) -> str:
    """A catalog model hf-inference serves for `task` (the curated one first), mapped if it was not yet."""
    model = CURATED.get(task) or next(card.id for card in catalog.cards() if card.pipeline_tag == task
                                      and not card.id.startswith("fake/") and not card.conversational)
    card = catalog.get(model) or ModelCard(model, task)
    catalog._add(card)
    card.mapping.setdefault("hf-inference", {"status": "live", "providerId": model, "task": task})
    return model


@dataclass
class Job:
    provider: str
    task: str
    provider_id: str
    polls: int = 0
    cancelled: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def script(self) -> str:
        return self.provider_id.rsplit("/", 1)[-1] if "/fake/" in f"/{self.provider_id}" else ""

    def advance(self) -> tuple[str, int | None]:
        """One status poll: ('queued', position) | ('running', step) | ('done', None) | ('failed', None)."""
        self.polls += 1
        if self.cancelled:
            return "cancelled", None
        if self.script.startswith("seconds-"):  # wall-clock: queued for a third of N s, done after N s
            total = float(self.script.removeprefix("seconds-"))
            age = time.monotonic() - self.started
            if age < total / 3:
                return "queued", max(int(3 * (total / 3 - age)), 0)
            return ("running", int(age)) if age < total else ("done", None)
        queued, running = (4, 6) if self.script == "slow" else (1, 1)
        if self.polls <= queued:
            return "queued", queued - self.polls
        if self.polls <= queued + running:
            if self.script == "fails" and self.polls == queued + 1:
                return "failed", None
            return "running", self.polls - queued
        return "done", None


class ProviderRoutes:
    """`/{provider}/...` requests: submit, status, result and cancel, per provider."""

    def __init__(self, catalog: Catalog, cdn_url: str) -> None:
        self.catalog, self.cdn_url = catalog, cdn_url
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._flaky = itertools.count()

    def reset(self) -> None:
        with self._lock:
            self._jobs.clear()

    # --- dispatch ---------------------------------------------------------------------------------
    def handle(self, request: Received, provider: str, rest: str) -> Reply | None:
        if provider not in PROVIDERS:
            return None
        job_reply = self._job_route(request, provider, rest)
        if job_reply is not None:
            return job_reply
        if request.method != "POST":
            return json_reply(404, {"detail": "Not Found"})
        provider_id = self._provider_id(request, provider, rest)
        found = self._mapping(provider, provider_id)
        if found is None:
            return json_reply(404, {"detail": f"Model {provider_id!r} not found on {provider}"})
        task = found
        return self._submit(request, provider, task, provider_id or "")

    def _provider_id(self, request: Received, provider: str, rest: str) -> str | None:
        body = request.json if isinstance(request.json, dict) else {}
        if provider == "fal-ai":
            return rest
        if provider == "replicate":
            if rest == "v1/predictions":
                version = body.get("version", "")
                return next((m["providerId"] for card in self.catalog.cards()
                             for p, m in card.mapping.items() if p == "replicate"
                             and m["providerId"].endswith(f":{version}")), None)
            match = re.fullmatch(r"v1/models/(.+)/predictions", rest)
            return match[1] if match else None
        if provider == "wavespeed":
            return rest.removeprefix("api/v3/")
        if provider == "novita" and rest.startswith("v3/hf/"):
            return rest.removeprefix("v3/hf/")
        if provider == "deepinfra" and rest.endswith("audio/transcriptions"):
            match = re.search(rb'name="model"\r\n\r\n([^\r]+)', request.body)
            return match[1].decode() if match else None
        return body.get("model")

    def _mapping(self, provider: str, provider_id: str | None) -> str | None:
        """The task `provider` maps `provider_id` to, or None."""
        for card in self.catalog.cards():
            entry = card.mapping.get(provider)
            if entry and entry["providerId"] == provider_id:
                return entry["task"]
        return None

    def _new_job(self, provider: str, task: str, provider_id: str) -> str:
        with self._lock:
            job_id = f"job{next(self._ids):04d}"
            self._jobs[job_id] = Job(provider, task, provider_id)
        return job_id

    # --- answers ----------------------------------------------------------------------------------
    def media_url(self, kind: str, provider_id: str = "") -> str:
        """A CDN link for a `kind` file ('png', 'mp4', 'wav'), scripted by the model's fake name."""
        case = provider_id.rsplit("/", 1)[-1] if "/fake/" in f"/{provider_id}" else ""
        if case == "private":
            return f"https://10.1.2.3/files/{kind}/out.{kind}"
        segment = f"{case}/" if case in ("redirect", "oversized", "wrong-type") else ""
        return f"{self.cdn_url}/fal.media/files/{segment}out-{next(self._ids):04d}.{kind}"

    def _final(self, provider: str, task: str, provider_id: str) -> Any:
        """A finished answer's body in `provider`'s shape for `task`."""
        kind = {"text-to-video": "mp4", "image-to-video": "mp4", "text-to-speech": "wav"}.get(task, "png")
        url = self.media_url(kind, provider_id)
        if provider == "fal-ai":
            if task.endswith("-video"):
                return {"video": {"url": url, "content_type": "video/mp4"}, "seed": 42}
            if task == "text-to-speech":
                return {"audio": {"url": url, "content_type": "audio/wav"}}
            if task == "image-segmentation":
                return {"image": {"url": url, "content_type": "image/png", "width": 64, "height": 48}}
            if task == "automatic-speech-recognition":
                return {"text": "A quick brown fox jumps over the lazy dog.", "chunks": []}
            return {"images": [{"url": url, "width": 64, "height": 48, "content_type": "image/png"}],
                    "timings": {"inference": 0.4}, "seed": 188085578, "has_nsfw_concepts": [False]}
        if provider == "wavespeed":
            return {"code": 200, "data": {"status": "completed", "outputs": [url]}}
        if provider == "zai-org":
            return {"task_status": "SUCCESS", "image_result": [{"url": url}]}
        if provider == "together" and task.endswith("-video"):
            return {"status": "completed", "outputs": {"video_url": url}}
        raise AssertionError(f"no final answer for {provider}/{task}")

    def _submit(self, request: Received, provider: str, task: str, provider_id: str) -> Reply:
        body = request.json if isinstance(request.json, dict) else {}
        if provider == "fal-ai":
            if request.first("_subdomain") == "queue":
                job_id = self._new_job(provider, task, provider_id)
                base = f"https://queue.fal.run/{provider_id}/requests/{job_id}"
                return json_reply(200, {"request_id": job_id, "status": "IN_QUEUE", "queue_position": 2,
                                        "response_url": base, "status_url": f"{base}/status",
                                        "cancel_url": f"{base}/cancel"})
            return json_reply(200, self._final(provider, task, provider_id))
        if provider == "replicate":
            return self._replicate(task, provider_id)
        if provider == "wavespeed":
            job_id = self._new_job(provider, task, provider_id)
            return json_reply(200, {"code": 200, "message": "success", "data": {
                "id": job_id, "model": provider_id, "status": "created", "outputs": [],
                "urls": {"get": f"https://api.wavespeed.ai/api/v3/predictions/{job_id}/result"}}})
        if provider == "zai-org" and task == "text-to-image":
            job_id = self._new_job(provider, task, provider_id)
            return json_reply(200, {"id": job_id, "model": provider_id, "task_status": "PROCESSING"})
        if provider == "together" and task.endswith("-video"):
            job_id = self._new_job(provider, task, provider_id)
            return json_reply(200, {"id": job_id, "object": "video", "model": provider_id, "status": "queued"})
        if provider == "novita" and task == "text-to-video":
            return json_reply(200, {"video": {"video_url": self.media_url("mp4"), "video_type": "mp4"}})
        return self._openai_style(provider, task, body)

    def _replicate(self, task: str, provider_id: str) -> Reply:
        prediction_id = self._new_job("replicate", task, provider_id)
        urls = {"get": f"https://api.replicate.com/v1/predictions/{prediction_id}",
                "cancel": f"https://api.replicate.com/v1/predictions/{prediction_id}/cancel"}
        answer = {"id": prediction_id, "model": provider_id.split(":")[0], "status": "processing",
                  "logs": "", "error": None, "urls": urls, "created_at": "2025-01-23T16:55:17.824Z"}
        if provider_id == "fake/prediction":
            return json_reply(201, {**answer, "status": "starting", "output": None})
        if task == "automatic-speech-recognition":
            output: Any = {"transcription": "A quick brown fox jumps over the lazy dog.", "segments": []}
        else:
            kind = {"text-to-video": "mp4", "text-to-speech": "wav"}.get(task, "png")
            output = self.media_url(kind) if task != "text-to-image" else [self.media_url("png")]
        # As recorded (155-162): Prefer: wait answers say "processing" yet carry the output.
        return json_reply(201, {**answer, "output": output}, [("Preference-Applied", "wait=60")])

    def _openai_style(self, provider: str, task: str, body: dict[str, Any]) -> Reply:
        if task in ("text-to-image", "image-to-image"):
            image = base64.b64encode(media_bytes(".png")).decode()
            return json_reply(200, {"id": "img-1", "model": body.get("model"), "object": "list",
                                    "data": [{"index": 0, "b64_json": image, "type": "b64_json"}]})
        if task == "text-to-speech":
            return Reply(200, [("Content-Type", "audio/wav")], media_bytes(".wav"))
        if task == "feature-extraction":
            texts = body.get("input") if isinstance(body.get("input"), list) else [body.get("input")]
            return json_reply(200, {"object": "list", "model": body.get("model"), "data": [
                {"object": "embedding", "index": n, "embedding": [round(0.01 * (n + k), 4) for k in range(16)]}
                for n, _ in enumerate(texts)], "usage": {"prompt_tokens": 8, "total_tokens": 8}})
        if task == "text-generation":
            return json_reply(200, {"id": "cmpl-1", "object": "text_completion", "model": body.get("model"),
                                    "choices": [{"index": 0, "text": " four five six.", "finish_reason": "stop"}],
                                    "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}})
        if task == "automatic-speech-recognition":
            return json_reply(200, {"text": "A quick brown fox jumps over the lazy dog.",
                                    "segments": [{"text": "A quick brown fox", "start": 0.0, "end": 1.2}]})
        return json_reply(400, {"error": f"{provider} does not serve {task} here"})

    # --- jobs -------------------------------------------------------------------------------------
    def _job_route(self, request: Received, provider: str, rest: str) -> Reply | None:
        patterns = {
            "fal-ai": r"(?P<model>.+)/requests/(?P<id>[^/]+)(?P<what>/status|/cancel)?",
            "replicate": r"v1/predictions/(?P<id>[^/]+)(?P<what>/cancel)?",
            "wavespeed": r"api/v3/predictions/(?P<id>[^/]+)/result",
            "zai-org": r"api/paas/v4/async-result/(?P<id>[^/]+)",
            "together": r"v2/videos/(?P<id>[^/]+)",
        }
        match = re.fullmatch(patterns.get(provider, r"(?!x)x"), rest)
        if match is None:
            return None
        job = self._jobs.get(match["id"])
        if job is None or job.provider != provider:
            return json_reply(404, {"detail": "Request not found"})
        what = match.groupdict().get("what") or ""
        if what == "/cancel":
            job.cancelled = True
            if provider == "fal-ai":
                return json_reply(202, {"status": "CANCELLATION_REQUESTED"})
            return json_reply(200, {"id": match["id"], "status": "canceled"})
        if provider == "fal-ai" and what == "":
            if job.script == "fails":
                return json_reply(422, {"detail": [{"msg": "NSFW content detected", "type": "content_policy"}]})
            return json_reply(200, self._final(provider, job.task, job.provider_id))
        if job.script == "flaky" and job.polls < 2:
            job.polls += 1
            return json_reply(429 if job.polls == 1 else 503, {"error": "busy, try again"},
                              [("Retry-After", "1")] if job.polls == 1 else [])
        return json_reply(200, self._status(job))

    def _status(self, job: Job) -> dict[str, Any]:
        state, detail = job.advance()
        provider = job.provider
        if provider == "fal-ai":
            names = {"queued": "IN_QUEUE", "running": "IN_PROGRESS", "done": "COMPLETED", "failed": "COMPLETED",
                     "cancelled": "CANCELLED"}
            status: dict[str, Any] = {"status": names[state], "request_id": job.polls}
            if state == "queued":
                status["queue_position"] = detail
            if state == "running":
                status["logs"] = [{"message": f"step {detail}/{6 if job.script == 'slow' else 1}", "level": "INFO"}]
            if state == "failed":
                status["error"] = "NSFW content detected"
            return status
        if provider == "replicate":
            names = {"queued": "starting", "running": "processing", "done": "succeeded", "failed": "failed",
                     "cancelled": "canceled"}
            answer: dict[str, Any] = {"id": "p", "status": names[state], "logs": f"step {detail}" if detail else ""}
            if state == "done":
                answer["output"] = [self.media_url("png")]
            return answer
        if provider == "wavespeed":
            names = {"queued": "created", "running": "processing", "done": "completed", "failed": "failed",
                     "cancelled": "failed"}
            data: dict[str, Any] = {"status": names[state], "outputs": []}
            if state == "done":
                data["outputs"] = [self.media_url("mp4" if job.task.endswith("-video") else "png")]
            return {"code": 200, "data": data}
        if provider == "zai-org":
            if state == "done":
                return self._final(provider, job.task, job.provider_id)
            return {"task_status": "FAIL" if state == "failed" else "PROCESSING"}
        names = {"queued": "queued", "running": "in_progress", "done": "completed", "failed": "failed",
                 "cancelled": "cancelled"}
        if state == "done":
            return self._final(provider, job.task, job.provider_id)
        return {"id": "v", "status": names[state]}


# hf-inference answers for the tasks no recording covers, in HF_PROTOCOL's shapes.
def _mask() -> str:
    return base64.b64encode(media_bytes(".png")).decode()


HF_INFERENCE_ANSWERS: dict[str, Any] = {
    "audio-classification": [{"label": "neu", "score": 0.71}, {"label": "hap", "score": 0.18},
                             {"label": "sad", "score": 0.07}, {"label": "ang", "score": 0.04}],
    "image-segmentation": lambda: [{"label": "sky", "score": 0.99, "mask": _mask()},
                                   {"label": "building", "score": 0.97, "mask": _mask()}],
    "document-question-answering": [{"answer": "Hugging Face Invoice", "score": 0.93, "start": 3, "end": 5}],
    "image-to-text": [{"generated_text": "a drawing of a yellow line on a blue background"}],
    "audio-to-audio": lambda: [{"label": "speech", "blob": base64.b64encode(media_bytes(".wav")).decode(),
                                "content-type": "audio/wav"}],
    "zero-shot-image-classification": [{"label": "a chart", "score": 0.82}, {"label": "a landscape", "score": 0.12},
                                       {"label": "a photo of an animal", "score": 0.06}],
    "image-to-image": ("image/png", ".png"),
    "table-question-answering": {"answer": "AVERAGE > 36542", "coordinates": [[0, 1]], "cells": ["36542"],
                                 "aggregator": "AVERAGE"},
    "tabular-classification": [5, 6],
    "text-to-speech": ("audio/wav", ".wav"),
    "visual-question-answering": [{"answer": "blue", "score": 0.87}, {"answer": "yellow", "score": 0.09}],
}


def hf_inference_answer(task: str) -> Reply | None:
    """A scripted hf-inference answer for `task`, or None when the recordings cover it."""
    answer = HF_INFERENCE_ANSWERS.get(task)
    if answer is None:
        return None
    if isinstance(answer, tuple):
        kind, suffix = answer
        return Reply(200, [("Content-Type", kind), ("x-compute-type", "cpu")], media_bytes(suffix))
    return json_reply(200, answer() if callable(answer) else answer, [("x-compute-type", "cpu")])

