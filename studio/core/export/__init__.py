"""Ad-spec export: plan the renditions a campaign needs, make them, check them, and package
them with copy, bulk-upload sheets, a contact sheet and a manifest."""
