"""Conext Studio: the ad agency's studio on one workstation."""

__version__ = "0.1.0"
