"""Packaging detail pyproject.toml cannot express: the top-level migrations/ and resources/
folders ship inside the wheel as studio.migrations and studio.resources."""

from setuptools import find_namespace_packages, setup

MAPPED = {"studio.migrations": "migrations", "studio.resources": "resources"}
packages = find_namespace_packages(include=["studio", "studio.*"])
for package, folder in MAPPED.items():
    packages += [package] + [f"{package}.{sub}" for sub in find_namespace_packages(where=folder)]

setup(
    packages=packages,
    package_dir={"": ".", **MAPPED},
    package_data={"": ["*.mako", "*.json", "*.png", "*.jpg", "*.svg", "*.txt", "*.md", "*.qss", "*.ttf"]},
)
