"""Small helpers every layer may use: digests, manifests, process pools, text positions."""
