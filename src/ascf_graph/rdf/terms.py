"""The terms many modules use, as pyoxigraph terms, built from :mod:`ascf_graph.core.namespaces`.

Kept apart from the namespaces so that what needs only IRIs as text (the
settings, the ``serve`` supervisor) does not load the RDF engine.
"""

from typing import Final

import pyoxigraph as ox

from ascf_graph.core.namespaces import OWL, RDF, RDFS, XSD

RDF_TYPE: Final = ox.NamedNode(RDF + "type")
RDFS_LABEL: Final = ox.NamedNode(RDFS + "label")
RDFS_SUBCLASS_OF: Final = ox.NamedNode(RDFS + "subClassOf")
OWL_VERSION_INFO: Final = ox.NamedNode(OWL + "versionInfo")
XSD_STRING: Final = ox.NamedNode(XSD + "string")
XSD_INTEGER: Final = ox.NamedNode(XSD + "integer")
