"""Benchmarks and measurements (scripts, run as ``python bench/NAME.py``; see bench/README.md).

A package so that the libraries among them (gold: the dev gold set; extraction and alignment: the measures
against it) are imported by name, ``from bench.gold import load_all``, by the other scripts and by tests.
"""
