"""sopbook: structured YAML SOPs to a web handbook and printable checklist cards, with checks."""

__version__ = "0.1.0"
