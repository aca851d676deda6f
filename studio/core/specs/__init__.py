"""Ad-placement specs: the catalog (shipped data plus a library's own entries), probing
media files, and checking files and copy against a spec."""
