// CurfewNet: see docs/architecture.md.
