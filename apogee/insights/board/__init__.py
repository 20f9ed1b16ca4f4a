"""The board-meeting report pack: missions, RFIs and ROMs, firm offers, CCNs, as a deck and a workbook.

    pack = collect.build_pack("2026-Q4", user=request.user, language="fr")
    deck.build_deck(pack) -> bytes (.pptx)      workbook.build_workbook(pack) -> bytes (.xlsx)
    pack.filename("pptx") -> "board-report-2026-Q4.pptx"

period.py reads the period (pure); collect.py reads the database into plain dataclasses;
summary.py holds what the deck and the workbook say alike; charts.py draws the PNGs.
This package imports nothing on its own, so period.py stays importable without Django.
"""
