"""Compliance: platform policy and brand rules (as data) checked against copy, images, video
and audio; findings, waivers and the export gate."""
