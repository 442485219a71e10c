"""Live tracking: OsmAnd and JSON ping intake, device registry, the live engine, scale-out."""
