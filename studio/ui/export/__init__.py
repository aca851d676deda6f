"""Ad packages from the GUI: the Export dialog (choices, checked renditions, copy, build) and
the spec browser, both thin over studio.core.export and studio.core.specs."""
