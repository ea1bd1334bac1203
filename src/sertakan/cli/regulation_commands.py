"""`sertakan regulation docs` and `sertakan regulation uncertain`: the law's documentation,
written from the parameter files, and the values still to confirm."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sertakan.cli.common import console

regulation_app = typer.Typer(help="The regulation parameters.", no_args_is_help=True)

DEFAULT_DOCS = Path("docs") / "regulation.md"


@regulation_app.command("docs")
def docs(
    out: Annotated[Path, typer.Option(help="File to write")] = DEFAULT_DOCS,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when the file is stale")
    ] = False,
) -> None:
    """Write docs/regulation.md from the parameter files and the sources file."""
    from sertakan.regulation.documentation import render
    from sertakan.regulation.loader import load_parameters

    text = render(load_parameters())
    current = out.read_text(encoding="utf-8") if out.exists() else None
    if check:
        if current != text:
            console.print(f"{out} is stale: run `sertakan regulation docs`")
            raise typer.Exit(1)
        console.print(f"{out} is up to date")
        return
    if current == text:
        console.print(f"{out} already up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}")


@regulation_app.command("uncertain")
def uncertain() -> None:
    """List every value marked uncertain, with why."""
    from sertakan.regulation.loader import load_parameters

    for value in load_parameters().uncertain():
        note = " ".join(value.note.split())
        console.print(f"{value.file} from {value.effective.isoformat()}: {note}")
