"""The demo tools through the Gradio API and the page's own handlers: each run joins the session's
history, a picked row comes back in the form with its answer, a demo script exports and imports,
no token reaches an export, a link fills the form without sending anything, a frozen result shows
with its server gone, compare columns and warm-up lights, and copy-as-code for every task.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

from dataclasses import replace

import gradio as gr
import pytest
import requests
from gradio_client import Client, handle_file

from backend import Playground
from backend.history import History, entry_from_run
from backend.links import freeze, thaw, thaw_checked
from backend.tasks import TASKS
from components.request_view import NO_CODE_YET
from tests.conftest import SENTINEL, assert_no_secret
from tests.fake_hf import FakeHF
from tests.ui.conftest import Runner, by_id, compare_handler, endpoint_defaults, handler, plain, run_async, shown, value
from tests.ui.launch import fake_settings
from tests.ui.test_run_flows import example_form

SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
BERT = "google-bert/bert-base-uncased"
PARIS = "Paris is the [MASK] of France."


@pytest.fixture
def visitor(app: tuple[str, gr.Blocks]) -> Runner:
    """A new visitor: a client of its own is a session of its own, with an empty history."""
    return Runner(Client(app[0], verbose=False, download_files=False), app[1])


def drain(updates: AsyncIterator[Any]) -> list[Any]:
    """Every update an async handler yields, in order, as Gradio would stream them."""
    async def collect() -> list[Any]:
        return [update async for update in updates]
    return run_async(collect())


def link_request(**query: str) -> gr.Request:
    return gr.Request(query_params=query, headers={}, url="http://127.0.0.1:7860/gradio_api/queue/join")


def rows(out: dict[str, Any]) -> list[list[str]]:
    return value(out["history-table"])["data"]


def exported(out: dict[str, Any]) -> Path:
    return Path(value(out["history-export"])["path"])


def two_runs(visitor: Runner) -> dict[str, Any]:
    visitor(model=SST2, prompt="What a lovely demo")
    return visitor(model=BERT, task="fill-mask", prompt=PARIS, fill_mask__top_k=3)


def test_each_run_joins_the_history_newest_first(visitor: Runner, hf) -> None:
    out = two_runs(visitor)

    assert [row[1:4] for row in rows(out)] == [[BERT, "fill-mask", PARIS], [SST2, "text-classification",
                                                                            "What a lovely demo"]]
    assert rows(out)[0][4] == "top_k=3" and rows(out)[0][5] == "200 OK" and rows(out)[0][6].endswith(" s")
    assert "2 runs in this session" in plain(value(out["history-note"]))


def test_a_picked_row_comes_back_in_the_form_with_its_answer_and_nothing_is_sent(visitor: Runner, app,
                                                                                 hf) -> None:
    history = History.from_json(exported(two_runs(visitor)).read_text())
    sent = len(hf.received)

    pick = gr.SelectData(None, {"index": [1, 2], "value": "text-classification"})
    out = by_id(handler(app[1], "on_pick")(history, "python", pick))

    assert (out["model"], out["task"], out["prompt"]) == (SST2, "text-classification", "What a lovely demo")
    assert out["endpoint-url"] == "", "a router run clears any custom endpoint, so Run sends it the same way"
    assert "From history, not re-run" in plain(out["status"])
    assert shown(out["output-label"]) and value(out["output-label"])["POSITIVE"] > 0.9
    assert out["raw-json"] == history.entries[1].response
    assert SST2 in value(out["code"]) and "HF_TOKEN" in value(out["code"])
    assert len(hf.received) == sent, "restoring a run sends nothing"


def test_a_restored_run_brings_its_parameters_back(visitor: Runner, app, hf) -> None:
    history = History.from_json(exported(two_runs(visitor)).read_text())

    out = by_id(handler(app[1], "on_pick")(history, "curl", gr.SelectData(None, {"index": [0, 0], "value": ""})))

    assert value(out["param-fill-mask-top_k"]) == "3" and out["task"] == "fill-mask" and out["prompt"] == PARIS


def test_a_demo_script_exported_by_one_visitor_imports_for_another(visitor: Runner, app, hf) -> None:
    first = two_runs(visitor)
    other = Runner(Client(app[0], verbose=False, download_files=False), app[1])

    note, table, _export = other.client.predict(handle_file(str(exported(first))), api_name="/history_import")

    # The same runs, each marked as imported: the other visitor's page did not run them.
    assert value(table)["data"] == [[*row[:5], row[5] + " · imported", *row[6:]] for row in rows(first)]
    assert "imported" not in "".join(row[5] for row in rows(first)), "runs made here are not"
    assert "Imported 2 run(s)" in plain(value(note))


def test_a_file_that_is_not_a_demo_script_is_refused_and_nothing_is_lost(visitor: Runner, tmp_path, hf) -> None:
    visitor(model=SST2, prompt="kept")
    bad = tmp_path / "notes.json"
    bad.write_text('{"format": "something else", "entries": []}')

    note, *_ = visitor.client.predict(handle_file(str(bad)), api_name="/history_import")
    after = visitor(model=SST2, prompt="and one more")

    assert "Not imported" in plain(value(note)) and "unchanged" in plain(value(note))
    assert [row[3] for row in rows(after)] == ["and one more", "kept"]


def test_no_token_reaches_the_history_or_its_export(visitor: Runner, hf) -> None:
    out = visitor(model="fake/echo", prompt="echo me", token=SENTINEL)  # the fake echoes every header back

    assert hf.received[-1].bearer == SENTINEL, "the token really went out"
    assert_no_secret(exported(out).read_text())
    assert_no_secret(rows(out))


def test_a_link_fills_the_form_drops_what_is_invalid_and_sends_nothing(app, hf) -> None:
    request = link_request(model=BERT, task="fill-mask", text=PARIS, provider="not a provider!")

    out = by_id(handler(app[1], "on_load")("text-classification", "curl", request))

    assert (out["model"], out["task"], out["prompt"]) == (BERT, "fill-mask", PARIS)
    note = plain(value(out["link-note"]))
    assert "Filled from the link**: model, task, text." in note and "Ignored 'provider'" in note
    assert hf.received == []


def test_a_link_with_a_hostile_model_id_keeps_the_form_and_says_so(app, hf) -> None:
    out = by_id(handler(app[1], "on_load")("text-classification", "curl",
                                          link_request(model="../../api/whoami-v2", text="<img src=x onerror=alert(1)>")))

    assert "model" not in out and out["prompt"] == "<img src=x onerror=alert(1)>"  # a textbox shows it as text
    assert "Ignored 'model'" in plain(value(out["link-note"])) and "<img" not in value(out["link-note"])


def test_a_page_opened_without_a_query_changes_nothing(app) -> None:
    out = by_id(handler(app[1], "on_load")("text-classification", "curl", link_request()))

    assert out == {"link-note": gr.skip()}


def test_a_frozen_result_renders_with_its_server_stopped(app, hf) -> None:
    inputs = {"text": PARIS}
    with FakeHF() as elsewhere:
        address = elsewhere.url
        playground = Playground(fake_settings(address, "hf_demo"))
        request = playground.build_request(task="fill-mask", model_id=BERT, inputs=inputs)
        result = playground.run_to_end(request)
        token = freeze(entry_from_run(request, result, inputs))
    with pytest.raises(requests.ConnectionError):
        requests.get(address, timeout=2)  # the server that answered is gone

    out = by_id(handler(app[1], "on_load")("text-classification", "curl", link_request(frozen=token)))

    assert "Frozen result, not re-run" in plain(out["status"])
    assert shown(out["output-label"]) and result.json[0]["token_str"] in value(out["output-label"])
    assert out["raw-json"] == result.json
    assert "Not verified: this answer came inside the link" in plain(value(out["link-note"])), "it is unsigned"
    assert (out["model"], out["task"], out["prompt"]) == (BERT, "fill-mask", PARIS), "the form is the frozen run's"
    assert hf.received == [], "nothing was sent to show it"


def test_a_frozen_link_made_from_the_history_carries_the_run_and_no_token(visitor: Runner, app, hf) -> None:
    visitor(model="fake/echo", prompt="share me", token=SENTINEL)

    link, _hint = visitor.client.predict(api_name="/share_frozen")

    address = value(link)
    assert address.startswith(app[0] + "/?frozen=")
    entry = thaw(address.split("frozen=", 1)[1])
    assert (entry.model, entry.inputs["text"]) == ("fake/echo", "share me")
    assert_no_secret(address) and assert_no_secret(entry.to_dict())


def test_a_frozen_link_this_playground_made_opens_as_verified_and_an_edited_one_does_not(
        visitor: Runner, app, hf) -> None:
    visitor(model="fake/echo", prompt="share me", token=SENTINEL)
    link, _hint = visitor.client.predict(api_name="/share_frozen")
    token = value(link).split("frozen=", 1)[1]
    entry, verified = thaw_checked(token)  # no secret here: the page's own check is the one that counts
    forged = freeze(replace(entry, inputs={**entry.inputs, "text": "forged"}))
    sent = len(hf.received)

    opened = plain(value(by_id(handler(app[1], "on_load")("text-classification", "curl",
                                                           link_request(frozen=token)))["link-note"]))
    edited = plain(value(by_id(handler(app[1], "on_load")("text-classification", "curl",
                                                           link_request(frozen=forged)))["link-note"]))

    assert "recorded by this playground on" in opened and "Not verified" not in opened
    assert "Not verified: this answer came inside the link" in edited
    assert len(hf.received) == sent, "opening either sends nothing"


def test_the_link_to_the_form_reads_back_as_the_same_form(app) -> None:
    copy = handler(app[1], "on_copy")
    out = by_id(copy(BERT, "fill-mask", "auto", PARIS, "", "", link_request()))

    query = value(out["share-link"]).split("?", 1)[1]
    assert query == "model=google-bert%2Fbert-base-uncased&task=fill-mask&text=Paris+is+the+%5BMASK%5D+of+France."


@pytest.mark.parametrize("task", sorted(TASKS))
def test_copy_as_code_is_there_for_every_task(run: Runner, hf, task: str) -> None:
    out = run(**example_form(task))

    code = value(out["code"])
    assert code != NO_CODE_YET and TASKS[task].default_model in code and "HF_TOKEN" in code


def run_values(client: Client, **values: Any) -> dict[str, Any]:
    """The keyword inputs the Compare tab reads from the Playground form."""
    return {**endpoint_defaults(client, "/run"), **values}


def final(views: list[dict[Any, Any]]) -> dict[str, Any]:
    """What the page shows after a generator's last yield: later updates win."""
    shown_now: dict[str, Any] = {}
    for updates in views:
        shown_now.update(by_id(updates))
    return shown_now


def test_compare_answers_in_one_column_per_model(client: Client, app, hf) -> None:
    compare = compare_handler(app[1])
    views = drain(compare(f"{SST2}\nBAAI/bge-reranker-v2-m3", {}, None, **run_values(client, prompt="Nice!")))

    out = final(views)
    for column in ("compare-0", "compare-1"):
        assert "HTTP 200" in plain(out[f"{column}-status"]) and "compute" in plain(out[f"{column}-status"])
        assert shown(out[f"{column}-output-label"])
    assert {r.path.rsplit("/models/", 1)[1] for r in hf.received} == {SST2, "BAAI/bge-reranker-v2-m3"}


def test_compare_runs_two_video_providers_side_by_side(client: Client, app, hf) -> None:
    compare = compare_handler(app[1])
    lines = "Wan-AI/Wan2.2-T2V-A14B:fal-ai\nWan-AI/Wan2.2-T2V-A14B:novita"
    views = drain(compare(lines, {}, None, **run_values(client, task="text-to-video", model="Wan-AI/Wan2.2-T2V-A14B",
                                                          prompt="Waves at dusk")))

    out = final(views)
    assert "fal-ai" in plain(out["compare-0-title"]) and "novita" in plain(out["compare-1-title"])
    for column in ("compare-0", "compare-1"):
        assert "HTTP 200" in plain(out[f"{column}-status"]), plain(out[f"{column}-status"])
        assert shown(out[f"{column}-output-video"])
    posts = {r.path for r in hf.received if r.method == "POST"}
    assert {"/fal-ai/fal-ai/wan/v2.2-a14b/text-to-video", "/novita/v3/hf/wan-2.2-t2v"} <= posts
    assert any(r.path.endswith("/status") for r in hf.received), "fal-ai's column followed its queued job"


def test_compare_answers_join_the_history(client: Client, app, hf) -> None:
    compare = compare_handler(app[1])
    views = drain(compare(f"{SST2}\nBAAI/bge-reranker-v2-m3", {}, None, **run_values(client, prompt="Nice!")))
    answered = [update for update in views[-1].values() if isinstance(update, tuple)][-1]

    history, *_shown, emptied = handler(app[1], "on_finished")(answered, History())

    assert sorted(entry.model for entry in history.entries) == sorted([SST2, "BAAI/bge-reranker-v2-m3"])
    assert [entry.inputs["text"] for entry in history.entries] == ["Nice!"] * 2
    assert emptied == (), "each answer joins once"


def test_compare_checks_every_line_before_sending_anything(client: Client, app, hf) -> None:
    compare = compare_handler(app[1])
    views = drain(compare(f"{SST2}\n../../api/whoami-v2", {}, None, **run_values(client)))

    assert "Not sent" in plain(final(views)["compare-note"]) and "Line 2" in plain(final(views)["compare-note"])
    assert hf.received == []


def test_warm_up_lights_every_model_until_it_is_ready(app, hf) -> None:
    warm = handler(app[1], "on_warm")
    updates = drain(warm(f"fake/cold-2 text-classification\n{SST2}\nfake-org/no-such-model", "", None))
    lights = [value(by_id(update).get("warmup-lights")) for update in updates]

    shown_lights = [text for text in lights if text]
    assert any("🟡" in text and "left" in text for text in shown_lights), "the cold model was seen warming"
    last = plain(shown_lights[-1])
    assert last.count("🟢 ready") == 2 and "ready in" in last and "🔴 error" in last
