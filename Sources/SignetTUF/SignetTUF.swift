// Placeholder; the module's types live in subfolders.
