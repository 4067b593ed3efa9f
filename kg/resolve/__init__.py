"""Concept resolution: which mentions name the same concept, and which concepts look alike.

``resolve(extractions, papers) -> Resolution`` (see :mod:`kg.resolve.resolver`); the rules are
described in docs/resolution.md.
"""

from kg.resolve.resolver import RESOLVER_VERSION, Resolution, release_caches, resolve

__all__ = ["RESOLVER_VERSION", "Resolution", "release_caches", "resolve"]
