"""`make demo`: a local demo provider that answers like Open Library and Google Books.

`recordings.py` indexes the recorded provider bodies in `data/` by what they answer for,
`covers.py` draws the demo's cover images (marked DEMO), `server.py` serves both on loopback.
The demo export (`data/synthetic-bookwyrm-export.csv`) holds books those bodies know, books that
must go to review and books nobody knows. Nothing here is used outside the demo and its tests.
"""
