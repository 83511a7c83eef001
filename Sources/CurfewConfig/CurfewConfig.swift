// CurfewConfig: see docs/architecture.md.
