// CurfewProxy: see docs/architecture.md.
