"""Issue 19, item 1 on the wire: what each request carried to an Inference Endpoint someone else owns.

The endpoint is a stand-in on its real name (`*.endpoints.huggingface.cloud`), reached through a local
CONNECT proxy with a throwaway CA, exactly as the app would reach the real one (HTTPS_PROXY and
REQUESTS_CA_BUNDLE); its log is the credential each request carried.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from backend import Playground, load_settings
from backend.compare import compare
from backend.credentials import MissingCredential
from backend.warmup import warm_up
from tests.conftest import SENTINEL
from tests.fake_hf.standin_endpoint import StandInEndpoint

ATTACKER = "attacker.us-east-1.aws.endpoints.huggingface.cloud"
LISTED = "ours.us-east-1.aws.endpoints.huggingface.cloud"
VISITOR = "hf_visitorOwnTokenForTheWire01"


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInEndpoint]:
    with StandInEndpoint([ATTACKER, LISTED]) as server:
        yield server


@pytest.fixture
def playground(standin: StandInEndpoint, monkeypatch: pytest.MonkeyPatch) -> Playground:
    standin.reset()
    for name, value in standin.environ().items():
        monkeypatch.setenv(name, value)
    settings = load_settings({"HF_TOKEN": SENTINEL, "PLAYGROUND_ENDPOINTS": f"https://{LISTED}"},
                             env_file=None, read_token_file=False)
    return Playground(settings)


def classify(playground: Playground, host: str):  # type: ignore[no-untyped-def]
    return playground.build_request(task="text-classification", inputs={"text": "hi"}, endpoint_url=f"https://{host}")


def test_the_stand_in_is_reached_over_verified_tls_through_the_proxy(playground: Playground,
                                                                     standin: StandInEndpoint) -> None:
    result = playground.run_to_end(classify(playground, ATTACKER), token=VISITOR)
    assert result.ok and result.json[0][0]["label"] == "POSITIVE"
    assert standin.credentials(ATTACKER) == [f"Bearer {VISITOR}"]


def test_a_named_endpoint_without_the_visitors_credential_is_refused_before_sending(
        playground: Playground, standin: StandInEndpoint) -> None:
    with pytest.raises(MissingCredential, match="Paste your own Hugging Face token"):
        playground.run_to_end(classify(playground, ATTACKER))
    assert standin.seen == []


def test_the_key_typed_for_a_named_endpoint_goes_instead_of_any_token(playground: Playground,
                                                                       standin: StandInEndpoint) -> None:
    playground.run_to_end(classify(playground, ATTACKER), token=VISITOR, endpoint_key="typed-endpoint-key")
    assert standin.credentials(ATTACKER) == ["Bearer typed-endpoint-key"]


def test_an_endpoint_the_operator_lists_gets_the_servers_token(playground: Playground,
                                                               standin: StandInEndpoint) -> None:
    playground.run_to_end(classify(playground, LISTED))
    assert standin.credentials(LISTED) == [f"Bearer {SENTINEL}"]


def test_chat_follows_the_same_rule(playground: Playground, standin: StandInEndpoint) -> None:
    def chat():  # type: ignore[no-untyped-def]
        return playground.build_request(task="chat-completion", inputs={"messages": [{"role": "user", "content": "hi"}]},
                                        endpoint_url=f"https://{ATTACKER}")
    with pytest.raises(MissingCredential):
        playground.run_to_end(chat())
    result = playground.run_to_end(chat(), token=VISITOR)
    assert result.ok and [s.path for s in standin.seen] == ["/v1/chat/completions"]
    assert standin.credentials(ATTACKER) == [f"Bearer {VISITOR}"]


def test_warm_up_and_compare_follow_the_same_rule(playground: Playground, standin: StandInEndpoint) -> None:
    lights = list(warm_up(playground, [f"https://{ATTACKER}"]))
    assert lights[-1].state == "error" and "Paste your own" in lights[-1].text
    with pytest.raises(MissingCredential):
        compare(playground, [classify(playground, ATTACKER), classify(playground, LISTED)])
    assert standin.seen == [], "a refused column stops the whole comparison before anything is sent"

    list(warm_up(playground, [f"https://{ATTACKER}"], token=VISITOR))
    assert standin.credentials(ATTACKER) and set(standin.credentials(ATTACKER)) == {f"Bearer {VISITOR}"}
