"""contracts/README.md is generated from the registry and must be committed up to date."""

from pathlib import Path

from carepath_contracts import REGISTRY, render_readme

README = Path(__file__).resolve().parents[1] / "README.md"


def test_committed_readme_matches_the_registry():
    assert README.read_text(encoding="utf-8") == render_readme(), (
        "run `uv run carepath schemas export` and commit contracts/README.md"
    )


def test_readme_documents_every_type_with_its_example():
    text = render_readme()

    for spec in REGISTRY:
        assert f"### `{spec.type}`" in text
        assert f'"id": "{spec.example().id}"' in text
