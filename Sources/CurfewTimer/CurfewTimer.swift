// CurfewTimer: see docs/architecture.md.
