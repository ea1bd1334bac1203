"""The command line (`sertakan ...`): Typer commands with Rich output."""
