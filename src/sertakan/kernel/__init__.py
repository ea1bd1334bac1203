"""The kernel: money, months, identifiers and the error vocabulary. Standard library only."""
