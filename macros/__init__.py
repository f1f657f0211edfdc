"""sopbook's built-in templates, installed as the package sopbook.macros.

A handbook's own macros/ folder overrides them file by file (sopbook/source/templates.py).
"""
