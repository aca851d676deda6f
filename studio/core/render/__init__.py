"""Rendering compositions: media resolution, source decoding, layers, compositing backends,
frame evaluation and preview proxies. No Qt here: the preview and the CLI both use it."""
