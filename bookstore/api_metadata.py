"""The JSON API's OPTIONS answer. Its own module: DRF imports it while importing its views (the
DEFAULT_METADATA_CLASS setting), so it must not import them itself."""

from rest_framework.metadata import SimpleMetadata

#: The methods whose request carries a body an endpoint may read.
BODY_METHODS = ("post", "put", "patch")


class Metadata(SimpleMetadata):
    """DRF's, whose `parses` lists a body type only where the endpoint reads a body: every
    endpoint that reads none (the lists, one object, the schema) said it parsed JSON and
    multipart forms, and a client that believed it sent a body, to a 405."""

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        if not any(hasattr(view, method) for method in BODY_METHODS):
            metadata["parses"] = []
        return metadata
