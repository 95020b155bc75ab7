"""The builder: everything that turns an analyst's app definition into something Kairos can
run. ``builder.model`` parses, upgrades and validates definitions and compares versions."""
