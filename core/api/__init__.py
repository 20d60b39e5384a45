"""What every partner-facing API view builds on, below every app that serves one:
strict query parameters, instants and ETags (``views``), keyset pagination
(``pagination``), JSON-typed request fields (``fields``)."""
