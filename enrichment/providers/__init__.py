"""Provider clients: one module per source behind `base.Provider`; HTTP in, Candidates out."""

from enrichment.providers.registry import enabled_providers, get_provider

__all__ = ["enabled_providers", "get_provider"]
