// CurfewHTTP: see docs/architecture.md.
