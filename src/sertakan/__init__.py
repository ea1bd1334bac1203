"""Sertakan: social security administration for informal workers."""
