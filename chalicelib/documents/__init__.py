"""Output documents that parents receive (PDF, Kazakh and Russian, with a verification QR code).

The public entry point is :func:`chalicelib.documents.render.render_document`; the kinds are in
:mod:`chalicelib.documents.kinds` and the typed data of each kind in :mod:`chalicelib.documents.data`.
This package file imports nothing on purpose: reportlab is loaded only when a document is rendered,
so functions that never render pay nothing for it at cold start.
"""
