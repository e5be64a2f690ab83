"""Bastau: the working system of a political party's regional branch."""
