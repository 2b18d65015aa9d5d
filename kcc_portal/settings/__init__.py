"""Settings package: base (shared), dev (embedded defaults), test, production."""
